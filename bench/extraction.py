"""Score the citation extractor (issue 8).

    python bench/extraction.py [--data ../shared/data/reference-strings/anystyle-core.xml]
                               [--seeds ../shared/seeds] [-o bench/results/extraction.json]

1. Reference parsing: per-field precision, recall and F1 of the shipped CRF model on the
   labelled strings held out from its training (the same hash-based fifth the training
   script leaves out). Token-level (each token counts for its field) and, as `exact`,
   the share of fields whose whole span is labelled exactly.
2. Citation -> reference resolution on seed papers 001 and 002, against the corpus's hand
   annotations (corpus/lin-2019/lin-2019-citations.yaml, corpus/sun-2025/sun-2025-citations.yaml).
   A link is (the sentence a citation stands in, the reference entry it denotes); the
   sentence is located in the paper from the hand annotation's quote, so differences in
   how the two split sentences do not count. Precision = correct links / links extracted;
   recall = correct links / hand links. Hand references are matched to extracted entries
   by their number (numbered lists) or by the most similar entry text.
3. Citation -> concept links, on the citations found by both (a concept link needs its
   citation): precision and recall over (sentence, concept) pairs, as the draft writes
   them (the best 3 scoring >= 0.5) and, over the 5 suggestions listed per citation, for
   every score threshold, with the best precision where recall >= 0.7.

Writes bench/results/extraction.json and prints a table. Hand annotations not yet in
the corpus are reported as missing, not scored.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from urbankg.loaders.extraction import reference_training as training  # noqa: E402
from urbankg.loaders.extraction.citation_finder import LINKED  # noqa: E402
from urbankg.loaders.extraction.concept_linker import default_ontology_path  # noqa: E402
from urbankg.loaders.extraction.extractor import CONCEPT_THRESHOLD, Extraction, extract, written_concepts  # noqa: E402
from urbankg.loaders.extraction.reference_parser import ReferenceParser, ascii_key  # noqa: E402
from urbankg.quotes import normalise  # noqa: E402

SHARED = ROOT.parent / "shared"
# seed text prefix -> (paper id, hand annotation file)
SEEDS = {
    "001": ("work/lin-2019", ROOT / "corpus" / "lin-2019" / "lin-2019-citations.yaml"),
    "002": ("work/sun-2025", ROOT / "corpus" / "sun-2025" / "sun-2025-citations.yaml"),
}
ID_BASE = "https://w3id.org/urbankg/id/"


# --------------------------------------------------------------------------- 1. parsing


def score_parsing(data: Path) -> dict:
    examples = training.load_dataset(data)
    _, held = training.split(examples)
    parser = ReferenceParser()
    predicted = [parser.label(e.tokens) for e in held]
    gold = [e.labels for e in held]
    scores = training.field_scores(gold, predicted)
    # The draft writes "Place: Publisher" as one publisher value; scored that way too.
    merged = lambda seqs: [["publisher" if x == "location" else x for x in s] for s in seqs]  # noqa: E731
    imprint = training.field_scores(merged(gold), merged(predicted), labels=("publisher",))["publisher"]
    return {
        "held_out_strings": len(held),
        "fields": scores,
        "publisher_with_place": imprint,
        "tokens_correct": sum(a == b for g, p in zip(gold, predicted, strict=True) for a, b in zip(g, p, strict=True))
        / sum(len(g) for g in gold),
    }


# --------------------------------------------------------------------------- hand annotations


def _short(value) -> str:
    """An id as written in a file (`reference/x/y`, or a full IRI) -> `kind/slug`."""
    value = str(value).strip().strip("<>")
    return value[len(ID_BASE) :] if value.startswith(ID_BASE) else value


def _list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _quote_text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return str(value or "")


def load_hand(path: Path) -> dict:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return data


class Aligner:
    """Positions in the paper's normalised text, to compare hand and extracted citations."""

    def __init__(self, ex: Extraction):
        self.ex = ex
        raw = ex.document.text
        # normalised text and, for each of its characters, the offset in the raw text
        self.norm, self.offsets = _normalise_with_offsets(raw)
        self.unhyphen = None

    def span_of_quote(self, quote: str) -> tuple[int, int] | None:
        needle = normalise(quote)
        if not needle:
            return None
        i = self.norm.find(needle)
        if i < 0:
            return None
        a, b = self.offsets[i], self.offsets[i + len(needle) - 1] + 1
        # widen to the extractor's sentence, so a quoted fragment still holds its citation
        sa, sb = self.ex.document.sentence_at(a)
        return (min(a, sa), max(b, sb)) if sb > sa else (a, b)


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """quotes.normalise, keeping the raw offset of every character (whitespace runs only)."""
    out, offsets = [], []
    folded = normalise  # the same character folding, applied per character below
    previous_space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            if not previous_space:
                out.append(" ")
                offsets.append(i)
            previous_space = True
            continue
        f = folded(ch) or ""
        for c in f:
            out.append(c)
            offsets.append(i)
        previous_space = False
    return "".join(out), offsets


def map_references(hand: dict, ex: Extraction) -> dict[str, int | None]:
    """Hand reference id -> index of the extracted entry it is (by number, else by text)."""
    entries = [r.entry for r in ex.references]
    keys = [ascii_key(e.text) for e in entries]
    out = {}
    for ref in _list(hand.get("references")):
        rid = _short(ref.get("id", ""))
        number = ref.get("number")
        index = None
        if ex.document.style == "numbered" and number is not None:
            index = next((i for i, e in enumerate(entries) if e.number == int(number)), None)
        if index is None and ref.get("text"):
            target = ascii_key(str(ref["text"]))
            ratios = [difflib.SequenceMatcher(None, target, k, autojunk=False).ratio() for k in keys]
            if ratios and max(ratios) >= 0.6:
                index = ratios.index(max(ratios))
        out[rid] = index
    return out


def score_paper(seed: Path, paper: str, hand_path: Path) -> dict:
    ex = extract(seed, paper, progress=False)
    result: dict = {
        "seed": seed.name,
        "paper": paper,
        "hand_annotation": str(hand_path.relative_to(ROOT)),
        "extracted_references": len(ex.references),
        "extracted_citations": len(ex.citations),
    }
    if not hand_path.is_file():
        result["missing"] = "hand annotation not in the corpus yet"
        return result
    hand = load_hand(hand_path)
    align = Aligner(ex)
    ref_index = map_references(hand, ex)
    hand_refs = _list(hand.get("references"))
    result["hand_references"] = len(hand_refs)
    result["hand_references_unmatched"] = sorted(r for r, i in ref_index.items() if i is None)

    # (the sentence's span, the entry's index, or 'unmatched:REF' for a hand link to no entry) -> count
    gold_links: Counter[tuple[tuple[int, int], int | str | None]] = Counter()
    gold_concepts: set[tuple[tuple[int, int], str]] = set()
    unplaced: list[str] = []
    hand_spans = []
    for c in _list(hand.get("citations")):
        span = align.span_of_quote(_quote_text(c.get("sentence")))
        if span is None:
            unplaced.append(_short(c.get("id", "?")))
            continue
        hand_spans.append(span)
        for d in _list(c.get("denotes")):
            index = ref_index.get(_short(d))
            gold_links[(span, index if index is not None else f"unmatched:{_short(d)}")] += 1
        for act in _list(c.get("acts")):
            for concept in _list(act.get("concepts")):
                gold_concepts.add((span, _short(concept)))
    result["hand_citations"] = len(_list(hand.get("citations")))
    result["hand_citations_not_found_in_text"] = unplaced

    def place(offset: int) -> tuple[int, int]:
        containing = [s for s in hand_spans if s[0] <= offset < s[1]]
        return min(containing, key=lambda s: s[1] - s[0]) if containing else ex.document.sentence_at(offset)

    pred_links: Counter[tuple[tuple[int, int], int | str | None]] = Counter()
    pred_concepts: dict[tuple, float] = {}
    drafted = set()  # what the draft writes into `concepts:`
    matched_spans = set()
    for c in ex.citations:
        span = place(c.citation.start)
        for w in c.citation.works:
            if w.status in LINKED:
                pred_links[(span, w.entry)] += 1
        if span in hand_spans:
            matched_spans.add(span)
            for s in c.concepts:
                key = (span, _short(s.concept.iri))
                pred_concepts[key] = max(pred_concepts.get(key, 0.0), s.score)
            drafted |= {(span, _short(s.concept.iri)) for s in written_concepts(c.concepts)}
    tp = sum(min(n, pred_links[k]) for k, n in gold_links.items())
    result["resolution"] = _pr(tp, sum(pred_links.values()), sum(gold_links.values()))
    result["resolution"]["errors"] = {
        "extracted_not_in_hand": [_describe(ex, k) for k in pred_links if pred_links[k] > gold_links.get(k, 0)],
        "hand_not_extracted": [_describe(ex, k) for k in gold_links if gold_links[k] > pred_links.get(k, 0)],
    }
    gold_c = {k for k in gold_concepts if k[0] in matched_spans}
    result["concepts"] = concept_curve(gold_c, pred_concepts)
    result["concepts"]["as_drafted"] = _pr(len(drafted & gold_c), len(drafted), len(gold_c))
    # kept for the pooled figures, dropped before writing JSON
    result["_pooled"] = (
        {(paper,) + k for k in gold_c},
        {(paper,) + k: s for k, s in pred_concepts.items()},
        {(paper,) + k for k in drafted},
    )
    result["concepts"]["hand_links"] = len(gold_concepts)
    result["concepts"]["hand_links_on_found_citations"] = len(gold_c)
    # Hand links to ids the ontology does not define can never be suggested: say which.
    known = ontology_ids()
    unknown = sorted({c for _, c in gold_c if c not in known})
    reachable = {k for k in gold_c if k[1] in known}
    chosen = drafted
    result["concepts"]["hand_concepts_not_in_ontology"] = unknown
    result["concepts"]["recall_of_links_to_ontology_concepts"] = (
        round(len(chosen & reachable) / len(reachable), 4) if reachable else 0.0
    )
    result["concepts"]["errors_as_drafted"] = {
        "suggested_not_in_hand": sorted(f"{c} <- {_sentence(ex, s)}" for s, c in chosen - gold_c),
        "hand_not_suggested": sorted(f"{c} <- {_sentence(ex, s)}" for s, c in gold_c - chosen),
    }
    return result


def ontology_ids() -> set[str]:
    """Every concept, framework and vocabulary id the bundled ontology defines (roles and
    relation kinds included, though the linker never suggests those)."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SKOS

    graph = Graph().parse(default_ontology_path(), format="turtle")
    ids = {_short(s) for s in graph.subjects(SKOS.prefLabel, None)}
    ids |= {_short(s) for s in graph.subjects(RDF.type, SKOS.Concept)}
    return ids


def _sentence(ex: Extraction, span: tuple[int, int]) -> str:
    return repr(" ".join(ex.document.text[span[0] : span[1]].split())[:60])


def _describe(ex: Extraction, key) -> str:
    span, ref = key
    sentence = " ".join(ex.document.text[span[0] : span[1]].split())[:70]
    target = ex.references[ref].key if isinstance(ref, int) else str(ref)
    return f"{target} <- {sentence!r}"


def _pr(tp: int, predicted: int, gold: int) -> dict:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "correct": tp,
        "extracted": predicted,
        "hand": gold,
    }


def concept_curve(gold: set, scored: dict) -> dict:
    thresholds = sorted({round(s, 3) for s in scored.values()} | {CONCEPT_THRESHOLD}, reverse=True)
    curve = []
    for t in thresholds:
        chosen = {k for k, s in scored.items() if s >= t}
        curve.append({"threshold": t, **_pr(len(chosen & gold), len(chosen), len(gold))})
    at_draft = next(p for p in curve if p["threshold"] == CONCEPT_THRESHOLD)
    ok = [p for p in curve if p["recall"] >= 0.7]
    best = max(ok, key=lambda p: (p["precision"], p["recall"])) if ok else None
    return {
        "at_draft_threshold": at_draft,
        "best_precision_at_recall_0.7": best,
        "curve": curve[:: max(1, len(curve) // 40)],
    }


def pooled(papers: list[dict]) -> dict:
    scored = [p for p in papers if "resolution" in p]
    if not scored:
        return {}
    res = [p["resolution"] for p in scored]
    out = {
        "resolution": _pr(sum(r["correct"] for r in res), sum(r["extracted"] for r in res), sum(r["hand"] for r in res))
    }
    gold, scores, drafted = set(), {}, set()
    for p in scored:
        g, s, d = p.pop("_pooled")
        gold |= g
        scores.update(s)
        drafted |= d
    out["concepts_as_drafted"] = _pr(len(drafted & gold), len(drafted), len(gold))
    curve = concept_curve(gold, scores)
    out["concepts_best_precision_at_recall_0.7"] = curve["best_precision_at_recall_0.7"]
    out["concepts_curve"] = curve["curve"]
    return out


# --------------------------------------------------------------------------- report


def print_table(results: dict) -> None:
    parsing = results["reference_parsing"]
    print(
        f"Reference parsing, {parsing['held_out_strings']} held-out strings "
        f"(token accuracy {parsing['tokens_correct']:.3f})"
    )
    training.print_scores(parsing["fields"])
    imprint = parsing["publisher_with_place"]
    print(f"{'publisher+place':<16} P {imprint['precision']:.3f} R {imprint['recall']:.3f} F1 {imprint['f1']:.3f}")
    print()
    print(f"{'paper':<14}{'resolution P':>13}{'R':>7}{'concepts P':>12}{'R':>7}{'   best P@R>=0.7 (threshold)'}")
    for p in results["papers"]:
        if "missing" in p:
            print(f"{p['paper']:<14}  {p['missing']}")
            continue
        r, c = p["resolution"], p["concepts"]
        d, b = c["as_drafted"], c["best_precision_at_recall_0.7"]
        best = f"{b['precision']:.3f} at R {b['recall']:.3f} ({b['threshold']})" if b else "recall never reaches 0.7"
        print(
            f"{p['paper']:<14}{r['precision']:13.3f}{r['recall']:7.3f}{d['precision']:12.3f}{d['recall']:7.3f}   {best}"
        )
        if c["hand_concepts_not_in_ontology"]:
            print(
                f"{'':<14}hand concept ids the ontology lacks: {', '.join(c['hand_concepts_not_in_ontology'])}; "
                f"recall of links to ontology concepts {c['recall_of_links_to_ontology_concepts']:.3f}"
            )
    if results.get("pooled"):
        pool = results["pooled"]
        r, d, b = pool["resolution"], pool["concepts_as_drafted"], pool["concepts_best_precision_at_recall_0.7"]
        best = f"{b['precision']:.3f} at R {b['recall']:.3f} ({b['threshold']})" if b else "recall never reaches 0.7"
        print(f"{'both':<14}{r['precision']:13.3f}{r['recall']:7.3f}{d['precision']:12.3f}{d['recall']:7.3f}   {best}")
    print(
        "(concepts P/R: as the draft writes them, the best 3 scoring >= 0.5; best P@R>=0.7: any score "
        "threshold over the 5 listed)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=SHARED / "data" / "reference-strings" / "anystyle-core.xml")
    ap.add_argument("--seeds", type=Path, default=SHARED / "seeds")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "results" / "extraction.json")
    args = ap.parse_args(argv)

    parsing = score_parsing(args.data)
    papers: list[dict] = []
    for prefix, (paper, hand) in SEEDS.items():
        seeds = sorted(args.seeds.glob(f"{prefix}_*.txt"))
        if not seeds:
            print(f"{args.seeds}: no seed text {prefix}_*.txt", file=sys.stderr)
            continue
        papers.append(score_paper(seeds[0], paper, hand))
    results = {"reference_parsing": parsing, "papers": papers, "pooled": pooled(papers)}
    for p in papers:
        p.pop("_pooled", None)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_table(results)
    print(f"\nwrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
