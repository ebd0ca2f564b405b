"""Score the concept suggestions against the bundled papers' hand annotations, leaving each
paper out of what the suggester reads (issue 18 item 6).

    python bench/concept_suggestions.py [--no-markdown]

1. Loads the bundled ontology and corpus into an embedded store in a temporary folder.
2. For each bundled paper with a citations file (corpus/*/*-citations.yaml), builds the
   store-backed linker without the paper's graphs (graph/<paper> and graph/<paper>-*: its
   record, citations, cases and bibliography), so neither the concepts it defines nor its
   annotations inform the suggestions for it. A concept only that paper defines can then not
   be suggested: it counts as a miss.
3. Suggests concepts for every hand-annotated citation: its sentence, its section, and the
   citing sentences before and after it in the file (the annotations keep no other text, so
   these stand in for the paper's neighbouring sentences), and compares the suggestions the
   draft would write (extractor.written_concepts) with the union of the `concepts:` of the
   citation's acts. The same for the ontology-only linker (ConceptLinker.from_ontology, what
   the extractor used before), as the baseline.
4. Micro precision, recall and F1 per paper and overall; P@1 (the first ranked suggestion,
   written or not, is a hand concept; citations with hand concepts) and recall@5 (hand
   concepts among the first five ranked). Writes bench/results/concept-suggestions.json and
   the section "## Concept suggestions" of BENCHMARKS.md.

5. Within each paper, as a check of the learning (not the evaluation the issue asks for): each
   citing sentence left out of the annotations learned from, the rest of its paper's kept.

Progress goes to standard error; the table to standard output. About two minutes (the check
within papers builds a linker per citation).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import textwrap
import time
from collections import Counter, defaultdict
from pathlib import Path

from ruamel.yaml import YAML
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from urbankg import config  # noqa: E402
from urbankg.graph import KnowledgeGraph  # noqa: E402
from urbankg.loaders.extraction.concept_linker import ConceptLinker  # noqa: E402
from urbankg.loaders.extraction.extractor import CONCEPT_THRESHOLD, CONCEPTS_WRITTEN, written_concepts  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "concept-suggestions.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Concept suggestions"
RANKED = 5  # recall@5
VARIANTS = {
    "store": "ConceptLinker.from_store without the paper's graphs, with the following sentence",
    "store-no-next": "the same without the following sentence, as extractor.extract calls it today",
    "store-unlearned": "the store's concepts, nothing learned from annotations (ConceptLinker(concepts))",
    "ontology": "ConceptLinker.from_ontology: the ontology file alone, nothing learned, no following sentence",
}
# The ontology-only linker as it was before the store-backed one (commit 6a0335f: no rule for
# labels inside longer ones, no context cap, no one-word rule, stakeholder roles left out),
# measured once with this script's citations, neighbours and scoring, both papers pooled.
BEFORE = {"commit": "6a0335f", "precision": 0.448, "recall": 0.562, "f1": 0.499, "p_at_1": 0.682, "recall_at_5": 0.716}


def annotated_citations(path: Path) -> list[dict]:
    """The citations of one file, in file order: sentence, section, neighbours, hand concepts."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    items = []
    for c in data.get("citations") or []:
        concepts = sorted({config.ID_BASE + k for act in c.get("acts") or [] for k in act.get("concepts") or []})
        items.append({"id": c["id"], "sentence": c["sentence"], "section": c.get("section") or "", "gold": concepts})
    # Several citations of one sentence share it: the neighbours are the other sentences.
    sentences = list(dict.fromkeys(i["sentence"] for i in items))
    at = {s: n for n, s in enumerate(sentences)}
    for i in items:
        n = at[i["sentence"]]
        i["previous"] = sentences[n - 1] if n > 0 else ""
        i["next"] = sentences[n + 1] if n + 1 < len(sentences) else ""
    return items


def paper_graphs(graphs: list[str], paper: str) -> set[str]:
    """The graphs of one bundled paper: graph/<paper> and graph/<paper>-<part>."""
    own = config.graph_iri(paper)
    return {g for g in graphs if g == own or g.startswith(own + "-")}


def score(items: list[dict], ranked: dict[str, list], written: dict[str, list]) -> dict:
    tp = n_written = n_gold = at1 = with_gold = in5 = frameworks = 0
    misses: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for i in items:
        gold = set(i["gold"])
        got = [s.concept.iri for s in written[i["id"]]]
        top = [s.concept.iri for s in ranked[i["id"]]]
        tp += len(gold & set(got))
        n_written += len(got)
        frameworks += sum(s.concept.is_framework for s in written[i["id"]])
        n_gold += len(gold)
        misses.update(short(k) for k in gold - set(got))
        wrong.update(short(k) for k in set(got) - gold)
        if gold:
            with_gold += 1
            at1 += bool(top) and top[0] in gold
            in5 += len(gold & set(top[:RANKED]))
    p = tp / n_written if n_written else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {
        "citations": len(items),
        "hand_concepts": n_gold,
        "written": n_written,
        "correct": tp,
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "p_at_1": round(at1 / with_gold, 3) if with_gold else 0.0,
        "recall_at_5": round(in5 / n_gold, 3) if n_gold else 0.0,
        "frameworks_written": frameworks,
        "most_missed": misses.most_common(8),
        "most_wrongly_written": wrong.most_common(8),
    }


def short(iri: str) -> str:
    return iri.removeprefix(config.ID_BASE)


def run() -> dict:
    started = time.perf_counter()
    papers = sorted(p for p in (ROOT / "corpus").glob("*/*-citations.yaml"))
    with tempfile.TemporaryDirectory(prefix="urbankg-concepts-") as folder:
        print("loading the bundled ontology and corpus into a store in a temporary folder", file=sys.stderr)
        kg = KnowledgeGraph.open(Path(folder) / "store")
        try:
            kg.ensure_bundled()
            graphs = kg.graphs()
            baseline = ConceptLinker.from_ontology()
            out: dict = {"papers": {}, "threshold": CONCEPT_THRESHOLD, "written_at_most": CONCEPTS_WRITTEN}
            pooled: dict[str, list] = defaultdict(list)
            pooled_ranked: dict[str, dict] = defaultdict(dict)
            pooled_written: dict[str, dict] = defaultdict(dict)
            for path in papers:
                paper = path.name.removesuffix("-citations.yaml")
                items = annotated_citations(path)
                excluded = paper_graphs(graphs, paper)
                linker = ConceptLinker.from_store(kg.store, exclude_graphs=excluded)
                known = {c.iri for c in linker.concepts}
                annotated_elsewhere = {k for a in linker.annotated for k in a.concepts}
                entry = {
                    "excluded_graphs": sorted(short(g) for g in excluded),
                    "concepts_known": len(known),
                    "annotated_citations_learned_from": len(linker.annotated),
                    "hand_concepts_unknown_without_the_paper": sorted(
                        {short(k) for i in items for k in i["gold"] if k not in known}
                    ),
                    # what learning can draw on: hand concepts the other papers' annotations use
                    "hand_concepts_annotated_elsewhere": sum(
                        k in annotated_elsewhere for i in items for k in i["gold"]
                    ),
                }
                variants = {
                    "store": (linker, True),
                    "store-no-next": (linker, False),
                    "store-unlearned": (ConceptLinker(linker.concepts), True),
                    "ontology": (baseline, False),
                }
                for name, (chosen, with_next) in variants.items():
                    ranked, written = {}, {}
                    for i in tqdm(items, desc=f"{paper}: {name}", unit="citation", file=sys.stderr):
                        following = i["next"] if with_next else ""
                        suggestions = chosen.suggest(
                            i["sentence"], i["section"], limit=RANKED, previous=i["previous"], next=following
                        )
                        ranked[i["id"]] = suggestions
                        written[i["id"]] = written_concepts(suggestions)
                    entry[name] = score(items, ranked, written)
                    pooled[name].extend(items)
                    pooled_ranked[name].update(ranked)
                    pooled_written[name].update(written)
                out["papers"][paper] = entry
            out["overall"] = {n: score(pooled[n], pooled_ranked[n], pooled_written[n]) for n in pooled}
            out["within_paper"] = within_paper(kg, papers)
        finally:
            kg.close()
    out["before_this_change"] = BEFORE
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def within_paper(kg: KnowledgeGraph, papers: list[Path]) -> dict:
    """Not the evaluation the issue asks for, a check of the learning itself: each citing
    sentence left out of the annotations the linker learns from, the rest of its own paper's
    kept (they leak what the paper's annotator does), against the same concepts learning nothing."""
    full = ConceptLinker.from_store(kg.store)
    unlearned = ConceptLinker(full.concepts)
    out = {}
    for path in papers:
        paper = path.name.removesuffix("-citations.yaml")
        items = annotated_citations(path)
        results = {}
        for name in ("store", "store-unlearned"):
            ranked, written = {}, {}
            for i in tqdm(items, desc=f"{paper}: {name}, within the paper", unit="citation", file=sys.stderr):
                if name == "store":
                    linker = ConceptLinker(full.concepts, [a for a in full.annotated if a.sentence != i["sentence"]])
                else:
                    linker = unlearned
                suggestions = linker.suggest(
                    i["sentence"], i["section"], limit=RANKED, previous=i["previous"], next=i["next"]
                )
                ranked[i["id"]] = suggestions
                written[i["id"]] = written_concepts(suggestions)
            results[name] = score(items, ranked, written)
        out[paper] = results
    return out


def print_table(results: dict) -> None:
    print(f"{'paper':<12} {'linker':<16} {'cit.':>4} {'P':>6} {'R':>6} {'F1':>6} {'P@1':>6} {'R@5':>6}")
    rows = [(p, e) for p, e in results["papers"].items()] + [("overall", results["overall"])]
    for paper, entry in rows:
        for name in VARIANTS:
            s = entry[name]
            print(
                f"{paper:<12} {name:<16} {s['citations']:>4} {s['precision']:>6.3f} {s['recall']:>6.3f}"
                f" {s['f1']:>6.3f} {s['p_at_1']:>6.3f} {s['recall_at_5']:>6.3f}"
            )


def markdown(results: dict) -> str:
    overall, before = results["overall"], results["before_this_change"]
    store, unlearned = overall["store"], overall["store-unlearned"]
    lines = [
        SECTION,
        "",
        "`python bench/concept_suggestions.py` (about two minutes): the concepts the extractor suggests for",
        "each hand-annotated citation of the bundled papers, each paper left out of everything the suggester",
        "reads (its graphs, `graph/<paper>` and `graph/<paper>-*`, excluded from the concepts and from the",
        "annotations it learns from). Micro precision, recall and F1 of the suggestions the draft writes",
        f"(score >= {results['threshold']}, at most {results['written_at_most']} a citation) against the union of"
        " the `concepts:` of the citation's acts;",
        "P@1 (the first ranked concept is a hand concept) and R@5 (hand concepts among the first five) of the",
        "ranking. The neighbouring sentences are the citing sentences before and after in the citations file",
        "(the annotations keep no other text).",
        "",
    ]
    lines += [f"- `{name}`: {what}" for name, what in VARIANTS.items()]
    lines += [
        "",
        "| paper | linker | citations | hand concepts | written | P | R | F1 | P@1 | R@5 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(p, e) for p, e in results["papers"].items()] + [("overall", overall)]
    for paper, entry in rows:
        for name in VARIANTS:
            s = entry[name]
            lines.append(
                f"| {paper} | {name} | {s['citations']} | {s['hand_concepts']} | {s['written']} | {s['precision']:.3f}"
                f" | {s['recall']:.3f} | {s['f1']:.3f} | {s['p_at_1']:.3f} | {s['recall_at_5']:.3f} |"
            )
    lines.append(
        f"| overall | before ({before['commit']}) | | | | {before['precision']:.3f} | {before['recall']:.3f}"
        f" | {before['f1']:.3f} | {before['p_at_1']:.3f} | {before['recall_at_5']:.3f} |"
    )
    lines += [
        "",
        "Within one paper (a check of the learning, not the leave-one-paper-out evaluation: each citing",
        "sentence left out of the annotations learned from, the rest of its own paper's kept):",
        "",
        "| paper | linker | P | R | F1 | P@1 | R@5 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for paper, entry in results["within_paper"].items():
        for name, s in entry.items():
            lines.append(
                f"| {paper} | {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f}"
                f" | {s['p_at_1']:.3f} | {s['recall_at_5']:.3f} |"
            )
    lines.append("")
    for paper, entry in results["papers"].items():
        unknown = entry["hand_concepts_unknown_without_the_paper"]
        lines.append(
            f"- {paper}: {entry['concepts_known']} concepts known without it; learned from"
            f" {entry['annotated_citations_learned_from']} annotated citations of the other papers, whose"
            f" annotations use the concepts of {entry['hand_concepts_annotated_elsewhere']} of its"
            f" {entry['store']['hand_concepts']} hand concepts; hand concepts it cannot suggest at all:"
            f" {', '.join(unknown) if unknown else 'none'}."
        )
    within = results["within_paper"]
    lift = ", ".join(
        f"{paper} from {e['store-unlearned']['f1']:.3f} to {e['store']['f1']:.3f}" for paper, e in within.items()
    )
    figures = (
        "What the figures say. The store-backed linker writes better suggestions than the linker before this"
        f" change (F1 {store['f1']:.3f} against {before['f1']:.3f}; P {store['precision']:.3f},"
        f" R {store['recall']:.3f}), but most of the gain comes from reading the sentence better, which the"
        f" ontology-only linker shares (`ontology`, F1 {overall['ontology']['f1']:.3f}): a label inside a longer"
        ' label ("urbanism" in "enclave urbanism") is no longer a mention of its own, the section, the neighbours'
        " and the hierarchy no longer add up to a suggestion without evidence in the sentence, no concept is"
        " written for one word of its label, and stakeholder roles, which the annotators cite, are suggested."
        " The following sentence adds about a point"
        f" (`store-no-next`, F1 {overall['store-no-next']['f1']:.3f}). Learning from the other paper's"
        f" annotations adds little (`store-unlearned`, F1 {unlearned['f1']:.3f}): the one statistic that carries"
        " over is that the annotators cite a framework's components, never the framework, which takes"
        f" frameworks out of the written suggestions ({unlearned['frameworks_written']} written without learning,"
        f" {store['frameworks_written']} with it). The similar-sentence evidence and the per-concept label"
        " reliability have almost nothing to work with: the two papers are on different subjects and share few"
        " concepts (the counts above); the label reliability learned from one paper even costs about a point on"
        " the other (F1 0.572 with it switched off, RELIABILITY_PRIOR set very high). Within one paper, where"
        f" the annotations are of the same kind of citation, learning raises F1: {lift}. So the learning works"
        " when the store holds annotated papers like the one being added, which the bundled corpus of two does"
        " not show across papers."
    )
    weak = (
        "What is weak. Recall is bounded by what the annotators read beyond the sentence: sun-2025 cites"
        ' "Brenner and Schmid [1]" for five concepts of planetary urbanisation that the sentence does not name,'
        ' and the section "Asiatic community heritage" is the only evidence for several of its citations\''
        " concepts, which the context rule keeps below the threshold. Precision suffers where a label stands in"
        ' the sentence but the annotator chose another concept ("e-commerce", "Taobao village", "rural migrants"'
        ' in lin-2019). Stakeholder roles cut both ways: in sun-2025 "the state" and "government" now rank'
        " first where the annotator cited collective production practices, which is most of why its P@1 is"
        f" below the linker before ({results['papers']['sun-2025']['store']['p_at_1']:.3f} against 0.692, two"
        " citations of 13). With 89 citations from two papers one citation moves a figure by a point or more,"
        " and the weights and rules were chosen looking at these same citations, so the figures are optimistic"
        " for a paper of another subject."
    )
    lines += ["", _wrap(figures), "", _wrap(weak), ""]
    return "\n".join(lines)


def _wrap(paragraph: str) -> str:
    return textwrap.fill(paragraph, 100, break_on_hyphens=False)


def write_section(text: str) -> None:
    """Replace the section in BENCHMARKS.md, or append it; nothing else in the file changes."""
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.is_file() else ""
    start = current.find(SECTION + "\n")
    if start < 0:
        BENCHMARKS.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    nxt = re.search(r"^## ", current[start + len(SECTION) :], re.MULTILINE)
    end = start + len(SECTION) + nxt.start() if nxt else len(current)
    BENCHMARKS.write_text(current[:start] + text + ("\n" if nxt else "") + current[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=RESULTS)
    ap.add_argument("--no-markdown", action="store_true", help="leave BENCHMARKS.md alone")
    args = ap.parse_args(argv)
    results = run()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(results)
    if not args.no_markdown:
        write_section(markdown(results))
    print(f"\nwrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
