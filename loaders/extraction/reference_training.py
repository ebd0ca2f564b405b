"""Train the reference-string CRF and write it as package data.

    python -m urbankg.loaders.extraction.reference_training [--data PATH] [--model PATH]

Reads the labelled reference strings of AnyStyle (BSD-2-Clause: AnyStyle's res/parser/core.xml,
github.com/inukshuk/anystyle; the data set is not in this repository, only the trained model
ships: give its path with --data or URBANKG_REFERENCE_STRINGS), maps their labels onto
urbankg's fields, holds out a deterministic fifth of the strings (chosen by a hash of
the string, so the split survives reordering of the file) and trains on the rest.
Prints per-field scores on the held-out fifth. Training takes well under a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as ET
import pycrfsuite

from urbankg.loaders.extraction.reference_parser import (
    MODEL_NAME,
    ReferenceParser,
    Token,
    features,
    split_authors,
    tokenize,
)

# Where the labelled strings are, when --data does not say (the data set is not part of the repository).
DATA_VARIABLE = "URBANKG_REFERENCE_STRINGS"

# AnyStyle's labels -> urbankg's. Journals, book titles and sources are all "the thing the
# work is part of"; notes, genres, editions, series, ISBNs carry nothing asked for.
LABEL_MAP = {
    "author": "author",
    "date": "year",
    "title": "title",
    "journal": "container",
    "container-title": "container",
    "source": "container",
    "volume": "volume",
    "pages": "pages",
    "publisher": "publisher",
    "location": "location",
    "editor": "editor",
    "translator": "editor",
    "director": "editor",
    "producer": "editor",
    "citation-number": "number",
    "doi": "doi",
    "url": "url",
    "note": "other",
    "genre": "other",
    "edition": "other",
    "isbn": "other",
    "medium": "other",
    "collection-title": "other",
}

# Fields scored by the benchmark (the issue's list; `issue` has no label in this data).
SCORED = ("author", "year", "title", "container", "volume", "pages", "publisher", "doi", "url")

# L-BFGS with elastic-net regularisation. c1/c2 were chosen on the training part only, never
# on the held-out strings: by 5-fold cross-validation (`--cv`; c2=0.01 best) and on a dev
# fifth of the training part (c1=0.01 best of 0.01-0.2); differences were within ~0.01 F1.
PARAMS = {"c1": 0.01, "c2": 0.01, "max_iterations": 300, "feature.possible_transitions": True}


@dataclass
class Example:
    text: str
    tokens: list[Token]
    labels: list[str]


def default_data_path() -> Path | None:
    value = os.environ.get(DATA_VARIABLE)
    return Path(value) if value else None


def load_dataset(path: Path) -> list[Example]:
    """Every <sequence> as one example: its text and a label per whitespace token."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: labelled reference strings not found "
            f"(AnyStyle's res/parser/core.xml, github.com/inukshuk/anystyle: pass --data or set {DATA_VARIABLE})"
        )
    root = ET.parse(str(path)).getroot()
    if root is None:  # a parsed document has one; the type allows a tree built empty
        raise ValueError(f"{path}: no root element")
    examples = []
    for n, seq in enumerate(root.iter("sequence"), 1):
        parts: list[str] = []
        labels: list[str] = []
        for element in seq:
            label = LABEL_MAP.get(element.tag)
            if label is None:
                raise ValueError(
                    f"{path}: sequence {n}: unknown label <{element.tag}>; add it to LABEL_MAP in {__name__}"
                )
            words = (element.text or "").split()
            parts.extend(words)
            labels.extend([label] * len(words))
        text = " ".join(parts)
        tokens = tokenize(text)
        assert len(tokens) == len(labels)
        examples.append(Example(text, tokens, labels))
    return examples


def is_held_out(text: str) -> bool:
    """One string in five, by a hash of its text: deterministic and order-independent."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if not is_held_out(e.text)]
    held = [e for e in examples if is_held_out(e.text)]
    return train, held


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _first(example: Example, label: str) -> str:
    words = []
    for token, lab in zip(example.tokens, example.labels, strict=True):
        if lab == label:
            words.append(token.text)
        elif words:
            break
    return " ".join(words)


def vancouver_variants(examples: list[Example], seed: int = 7) -> list[Example]:
    """The training strings of journal articles and books rewritten in the numbered
    Vancouver/ICMJE layout ("Brenner N, Schmid C. Title. City. 2015 May 4; 19(2): 151–82."),
    which the data set hardly has but medical, planning and design journals use. Only
    training strings are rewritten; the held-out strings stay as they are."""
    rng = random.Random(seed)
    out = []
    for e in examples:
        author, title, year = _first(e, "author"), _first(e, "title"), _first(e, "year")
        names, et_al = split_authors(author) if author else ([], False)
        ym = re.search(r"(1[5-9]\d\d|20\d\d)", year)
        if not names or not title or not ym or any(len(n.family.split()) > 3 for n in names):
            continue
        fields: list[tuple[str, str]] = []
        if rng.random() < 0.5:
            fields.append(("number", f"{rng.randint(1, 60)}."))
        rendered = [f"{n.family} {re.sub(r'[^A-Z]', '', n.given)}".strip() for n in names]
        fields.append(("author", ", ".join(rendered) + (", et al." if et_al else ".")))
        fields.append(("title", title.strip('"“”‘’ ').rstrip(".,;:") + "."))
        date = ym.group(1) + (f" {rng.choice(MONTHS)} {rng.randint(1, 28)}" if rng.random() < 0.5 else "")
        container, volume, pages = _first(e, "container"), _first(e, "volume"), _first(e, "pages")
        publisher, location = _first(e, "publisher"), _first(e, "location")
        vm = re.search(r"(\d+)\s*(?:\((\d+[-–]?\d*)\))?", volume)
        pm = re.search(r"(\d+)\s*[-–]+\s*(\d+)", pages)
        if container and vm and pm and "In" not in container.split()[:1]:
            fields.append(("container", re.sub(r"^(?:in|In):?\s+", "", container).rstrip(".,;:") + "."))
            fields.append(("year", date + ";"))
            fields.append(("volume", vm.group(1) + (f"({vm.group(2)})" if vm.group(2) else "") + ":"))
            fields.append(("pages", f"{pm.group(1)}–{pm.group(2)}."))
        elif publisher and not container:
            if location:
                fields.append(("location", location.strip("(),.;: ") + ":"))
            fields.append(("publisher", publisher.strip("(),.;: ") + ";"))
            fields.append(("year", ym.group(1) + "."))
        else:
            continue
        words, labels = [], []
        for label, text in fields:
            for w in text.split():
                words.append(w)
                labels.append(label)
        text = " ".join(words)
        out.append(Example(text, tokenize(text), labels))
    return out


def _example(fields: list[tuple[str, str]]) -> Example:
    words, labels = [], []
    for label, text in fields:
        for w in text.split():
            words.append(w)
            labels.append(label)
    text = " ".join(words)
    return Example(text, tokenize(text), labels)


def compact_locator_variants(examples: list[Example], seed: int = 11) -> list[Example]:
    """The training strings of journal articles rewritten as biomedical journals print them, with
    the journal's locator as one token and notes after it, which the data set does not have:

        Brenner N, Schmid C. 2015. Title. City 19:151–182. doi: 10.1080/13604813.2015.1014712
        Brenner N, Schmid C. Title. City. 2015;19(2):151–82. Epub 2015/03/04. doi: 10.1080/... 25741105.

    The locator token is labelled `pages` (the parser splits it into volume, issue and pages);
    the DOI is `doi`, Epub dates and PubMed ids `other`. Only training strings are rewritten."""
    rng = random.Random(seed)
    out = []
    for e in examples:
        author, title, year = _first(e, "author"), _first(e, "title"), _first(e, "year")
        container, volume, pages = _first(e, "container"), _first(e, "volume"), _first(e, "pages")
        names, et_al = split_authors(author) if author else ([], False)
        ym = re.search(r"(1[5-9]\d\d|20\d\d)", year)
        vm = re.search(r"(\d+)\s*(?:\((\d+[-–]?\d*)\))?", volume)
        pm = re.search(r"(\d+)\s*[-–]+\s*(\d+)", pages)
        if not (names and title and ym and container and vm and pm) or "In" in container.split()[:1]:
            continue
        if any(len(n.family.split()) > 3 for n in names):
            continue
        rendered = ", ".join(f"{n.family} {re.sub(r'[^A-Z]', '', n.given)}".strip() for n in names)
        authors = rendered + (", et al." if et_al else ".")
        title = title.strip('"“”‘’ ').rstrip(".,;:") + "."
        journal = re.sub(r"^(?:in|In):?\s+", "", container).rstrip(".,;:")
        first, last = pm.group(1), pm.group(2)
        if len(last) == len(first) and rng.random() < 0.5:  # "151–182" printed "151–82"
            common = next((i for i in range(len(first)) if first[i] != last[i]), len(first))
            last = last[common:] or last
        issue = f"({vm.group(2)})" if vm.group(2) else ""
        doi = f"10.{rng.randint(1000, 9999)}/{rng.choice(['j.', 'a', 's'])}{rng.randint(10000, 99999999)}"
        if rng.random() < 0.5:
            fields = [("author", authors), ("year", ym.group(1) + "."), ("title", title)]
            fields += [("container", journal), ("pages", f"{vm.group(1)}:{first}–{last}.")]
            if rng.random() < 0.6:
                fields.append(("doi", f"doi: {doi}"))
        else:
            fields = [("author", authors), ("title", title), ("container", journal + ".")]
            fields.append(("pages", f"{ym.group(1)};{vm.group(1)}{issue}:{first}–{last}."))
            if rng.random() < 0.5:
                fields.append(("other", f"Epub {ym.group(1)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}."))
            if rng.random() < 0.5:
                fields.append(("doi", f"doi: {doi}"))
            if rng.random() < 0.5:
                note = f"{rng.randint(10**7, 10**8 - 1)}"
                if rng.random() < 0.5:
                    note += f"; PubMed Central PMCID: PMC{rng.randint(10**6, 10**7 - 1)}"
                fields.append(("other", note + "."))
        out.append(_example(fields))
    return out


def train(examples: list[Example], model_path: Path, params: dict | None = None) -> Path:
    trainer = pycrfsuite.Trainer(verbose=False)
    for e in examples:
        trainer.append(features(e.tokens), e.labels)
    trainer.set_params(params or PARAMS)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    return model_path


def field_scores(gold: list[list[str]], predicted: list[list[str]], labels=SCORED) -> dict[str, dict[str, float]]:
    """Per-field token precision, recall and F1 (a token counts for the field it is labelled with),
    plus `exact`: the share of gold fields whose whole span was predicted exactly."""
    scores = {}
    for label in labels:
        tp = fp = fn = 0
        spans_gold = spans_exact = 0
        for g, p in zip(gold, predicted, strict=True):
            for a, b in zip(g, p, strict=True):
                tp += a == label and b == label
                fp += a != label and b == label
                fn += a == label and b != label
            for start, end in _spans(g, label):
                spans_gold += 1
                inside = all(p[i] == label for i in range(start, end))
                bounded = (start == 0 or p[start - 1] != label) and (end == len(p) or p[end] != label)
                spans_exact += inside and bounded
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "tokens": tp + fn,
            "fields": spans_gold,
            "exact": spans_exact / spans_gold if spans_gold else 0.0,
        }
    return scores


def _spans(labels: list[str], label: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, lab in enumerate(labels + ["<end>"]):
        if lab == label and start is None:
            start = i
        elif lab != label and start is not None:
            spans.append((start, i))
            start = None
    return spans


def evaluate(parser: ReferenceParser, examples: list[Example]) -> dict[str, dict[str, float]]:
    predicted = [parser.label(e.tokens) for e in examples]
    return field_scores([e.labels for e in examples], predicted)


def cross_validate(examples: list[Example], grid: list[dict], workdir: Path) -> list[tuple[dict, float]]:
    """Mean macro-F1 over the scored fields, 5 folds of the training part, per setting."""
    results = []
    for setting in grid:
        params = {**PARAMS, **setting}
        f1s = []
        for fold in range(5):
            fit = [e for i, e in enumerate(examples) if i % 5 != fold]
            test = [e for i, e in enumerate(examples) if i % 5 == fold]
            model = train(fit, workdir / f"cv-{fold}.model", params)
            scores = evaluate(ReferenceParser(model), test)
            f1s.append(sum(s["f1"] for s in scores.values()) / len(scores))
        results.append((setting, sum(f1s) / len(f1s)))
        print(f"  {setting}: macro-F1 {results[-1][1]:.4f}", file=sys.stderr)
    return results


def print_scores(scores: dict[str, dict[str, float]], out=sys.stdout) -> None:
    print(f"{'field':<11}{'P':>7}{'R':>7}{'F1':>7}{'exact':>7}{'tokens':>8}", file=out)
    for label, s in scores.items():
        print(
            f"{label:<11}{s['precision']:7.3f}{s['recall']:7.3f}{s['f1']:7.3f}{s['exact']:7.3f}{s['tokens']:8d}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = default_data_path()
    ap.add_argument(
        "--data", type=Path, default=data, required=data is None, help=f"anystyle-core.xml [${DATA_VARIABLE}]"
    )
    ap.add_argument("--model", type=Path, default=Path(__file__).resolve().parent / "models" / MODEL_NAME)
    ap.add_argument("--cv", action="store_true", help="choose c1/c2 by cross-validation on the training part first")
    args = ap.parse_args(argv)

    examples = load_dataset(args.data)
    train_set, held = split(examples)
    print(f"{len(examples)} labelled strings: {len(train_set)} for training, {len(held)} held out", file=sys.stderr)
    params = dict(PARAMS)
    if args.cv:
        import tempfile

        grid = [{"c1": c1, "c2": c2} for c1 in (0.01, 0.05, 0.1, 0.3) for c2 in (0.001, 0.01, 0.1)]
        with tempfile.TemporaryDirectory() as tmp:
            best, _ = max(cross_validate(train_set, grid, Path(tmp)), key=lambda r: r[1])
        params.update(best)
        print(f"chosen by cross-validation: {best}", file=sys.stderr)
    augmented = vancouver_variants(train_set)
    print(f"+ {len(augmented)} training strings rewritten in the Vancouver layout", file=sys.stderr)
    compact = compact_locator_variants(train_set)
    print(f"+ {len(compact)} with the journal's locator as one token", file=sys.stderr)
    augmented += compact
    train(train_set + augmented, args.model, params)
    print(f"wrote {args.model} ({args.model.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    print_scores(evaluate(ReferenceParser(args.model), held))
    return 0


if __name__ == "__main__":
    sys.exit(main())
