"""Score the identity matcher (issue 17 item 6): is this the same work, the same person?

    python bench/identity.py [--shared ../shared/data] [--write-sample]

1. Builds a labelled set of pairs, deterministically (seed SEED), and writes it to
   bench/data/identity-pairs.jsonl:
   - works, "same": one record and a variation of it, of the kinds a second paper's reference
     list shows (initials, diacritics, "&", subtitle punctuation, case, subtitle dropped, a
     year off by one, a DOI in one record only or written with a prefix, a trailing full
     stop, markup, a one-character typo, several light ones at once);
   - works, "different": pairs with similar metadata, mined from the data (same first author,
     titles sharing their first three words) and generated (same author and year with another
     title, the same title by another author, a series "Part 1" / "Part 2", a long shared
     prefix, different DOIs on otherwise identical records, the same author a year apart);
   - people: namesakes (same family name, compatible initials, different works, no shared
     evidence; label "namesake", which must never be judged "same") and pairs with shared
     evidence (an ORCID both carry, the author of one work in two records; label "same").
   Base records are the bundled bibliographies (corpus/*/*-bibliography.bib) and, when
   ../shared/data is present, the labelled reference strings of anystyle-core.xml.
2. Runs urbankg.identity.matching on every pair: works precision and recall of "same", the
   pairs sent to review ("possible") per label, recall per variation, the false merges and
   misses; people precision of "same" (target 1.0) and recall on the evidence pairs.
   Prints a table and writes bench/results/identity.json.
3. Writes the figures into BENCHMARKS.md, section "## Identity across papers".

--write-sample also rewrites tests/data/identity/identity-pairs-sample.jsonl, the committed
sample the fast test scores (bundled bibliographies and generated variations only).
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import json
import random
import re
import sys
import textwrap
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import bibtexparser
from defusedxml import ElementTree
from pylatexenc.latex2text import LatexNodes2Text
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from urbankg.identity.matching import PersonRecord, WorkRecord, compare_people, compare_works  # noqa: E402

SEED = 17
MIN_PAIRS = 300
SHARED = ROOT.parent / "shared" / "data"
ANYSTYLE = Path("reference-strings") / "anystyle-core.xml"
PAIRS_OUT = ROOT / "bench" / "data" / "identity-pairs.jsonl"
RESULTS_OUT = ROOT / "bench" / "results" / "identity.json"
SAMPLE_OUT = ROOT / "tests" / "data" / "identity" / "identity-pairs-sample.jsonl"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Identity across papers"
COMMAND = "python bench/identity.py"
TARGETS = {"works_precision": 0.99, "works_recall": 0.97, "people_precision": 1.0}

# The variations of one work ("same") and the kinds of similar different works, in the order
# they are handed out to base records, so every kind gets its share.
SAME_KINDS = [
    "initials",
    "diacritics",
    "and-ampersand",
    "subtitle-punctuation",
    "case",
    "subtitle-dropped",
    "year-off-by-one",
    "doi-one-side",
    "doi-prefix",
    "trailing-stop",
    "markup",
    "typo",
    "combined",
]
DIFFERENT_KINDS = [
    "same-author-year-other-title",
    "same-title-other-author",
    "series-part",
    "shared-prefix",
    "different-doi",
    "same-author-next-year",
]

# Spelled-out given names for the initials the bibliographies print (a second paper may
# spell out what the first abbreviates); the name only has to start with the initial.
GIVEN = {
    "A": "Anna", "B": "Bo", "C": "Chao", "D": "David", "E": "Edward", "F": "Fang", "G": "Guo",
    "H": "Henri", "I": "Ivan", "J": "Jing", "K": "Karl", "L": "Lei", "M": "Ming", "N": "Neil",
    "O": "Oliver", "P": "Peng", "Q": "Qing", "R": "Ruth", "S": "Shan", "T": "Tao", "U": "Ulrich",
    "V": "Victor", "W": "Wei", "X": "Xin", "Y": "Yanliu", "Z": "Zhen",
}  # fmt: skip
ACCENT = {"a": "á", "e": "è", "i": "í", "o": "ö", "u": "ü", "c": "ç", "n": "ñ"}
SERIES_WORDS = ["Part 1", "Part 2", "Volume 1", "Volume 2", "Part I", "Part II"]
OTHER_ENDINGS = ["evidence from Jiangsu", "a comparative study", "the case of Shenzhen", "policy and practice"]

# A work record as the pairs store it: authors as written, "Family, Given" (or an
# organisation's name); the matcher reads the family names.
Rec = dict


# ---------------------------------------------------------------- base records


def clean(text: str | None) -> str:
    """A labelled field as printed, without the punctuation that joins it to the next field."""
    text, before = " ".join((text or "").split()), None
    while text != before:  # "(2011)."  "“Title,”": brackets, quotes and punctuation in any order
        before = text
        text = re.sub(r"^[(\[“”\"']+|[)\]“”\"']+$", "", text.strip(" ,;:"))
        if text.endswith(".") and not re.search(r"\b[A-Z]\.$", text):  # keep the full stop of an initial
            text = text[:-1]
    return text.strip()


def year_of(text: str | None) -> int | None:
    found = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", text or "")
    return int(found.group(1)) if found else None


def family_of(name: str) -> str:
    """The family name of "Family, Given" (or an organisation's name as a whole)."""
    return name.split(",", 1)[0].strip()


def split_bibtex_authors(value: str) -> list[str]:
    """BibTeX authors split on the top-level "and"; a braced name (an organisation) is one
    author, its braces dropped; "others" (et al.) dropped."""
    names, depth, start = [], 0, 0
    for i, ch in enumerate(value):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and value[i : i + 5] == " and ":
            names.append(value[start:i])
            start = i + 5
    names.append(value[start:])
    latex = LatexNodes2Text()
    out = []
    for name in (n.strip() for n in names):
        if name and name != "others":
            out.append(" ".join(latex.latex_to_text(name).split()))
    return out


def bibliography_records(root: Path = ROOT) -> list[Rec]:
    """The bundled bibliographies' entries, each a work record keyed work/<bibtex key>."""
    latex = LatexNodes2Text()
    records = []
    for path in sorted(root.glob("corpus/*/*-bibliography.bib")):
        library = bibtexparser.parse_file(str(path))
        for entry in library.entries:
            fields = {k: v.value for k, v in entry.fields_dict.items()}
            title = " ".join(latex.latex_to_text(fields.get("title", "")).split())
            if not title:
                continue
            records.append(
                {
                    "iri": f"work/{entry.key}",
                    "title": title,
                    "year": year_of(fields.get("year")),
                    "authors": split_bibtex_authors(fields.get("author", "")),
                    "doi": fields.get("doi") or None,
                    "source": path.parent.name,
                }
            )
    return records


NAME_PIECE = r"[A-ZÀ-Þ][\w'’\-]*"
INITIALS = re.compile(r"^(?:[A-ZÀ-Þ]\.?[\s\-]*){1,3}$")


def anystyle_authors(field: str) -> list[str]:
    """Authors of an anystyle <author> field as "Family, Given", best effort across styles:
    "Romero, C., Paunesku, D., & Dweck, C.", "S. E. Han, G. Chen", "Heidegger M.",
    "Pérez-Higueras JJ, Arias A", "Lee, L. L., W. E. Howard, and R. E. Marsh." Only the
    first author has to be right: it is what the matcher compares."""
    text = re.sub(r"\bet al\.?|\[[^\]]*\]|\([^)]*\)", " ", field)
    text = re.sub(r"\s+(?:and|&|und|et|y)\s+|;", ",", text)
    parts = [p.strip(" .,") for p in text.split(",")]
    parts = [p for p in parts if p]
    out, i = [], 0
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else ""
        words = part.split()
        tail = re.match(rf"^({NAME_PIECE}(?:\s+{NAME_PIECE})*?)\s+([A-ZÀ-Þ](?:\.?[A-ZÀ-Þ]){{0,2}}\.?)$", part)
        given_follows = INITIALS.match(following + ".") or _is_given(following, part)
        if not tail and len(words) <= 3 and following and given_follows:
            out.append(f"{part}, {following}")  # "Romero, C."
            i += 2
            continue
        lead = re.match(r"^((?:[A-ZÀ-Þ]\.\s*|[A-ZÀ-Þ][a-zà-ÿ]+\s+(?=[A-ZÀ-Þ]))+)(.+)$", part)
        if tail:  # "Heidegger M", "Pérez-Higueras JJ"
            out.append(f"{tail.group(1)}, {tail.group(2)}")
        elif lead and len(words) <= (4 if "." in lead.group(1) else 3):  # "S. E. Han", "Henri Lefebvre"
            out.append(f"{lead.group(2).strip()}, {lead.group(1).strip()}")
        else:
            out.append(part)
        i += 1
    return out


def _is_given(candidate: str, family: str) -> bool:
    # "Adams, Nicholson B.": a given name that is a word followed by initials
    return (
        bool(candidate)
        and len(family.split()) <= 2
        and bool(re.match(r"^[A-ZÀ-Þ][a-zà-ÿ]+(-[A-ZÀ-Þ][a-zà-ÿ]+)?(\s+[A-Z]\.?)*$", candidate))
    )


def anystyle_records(path: Path) -> list[Rec]:
    """The labelled strings with an author, a title and a year, as work records."""
    records = []
    root = ElementTree.parse(str(path)).getroot()
    for n, sequence in enumerate(root.iter("sequence")):
        first = {}
        for child in sequence:
            first.setdefault(child.tag, child.text or "")  # the first of a repeated label counts
        authors = anystyle_authors(first.get("author", ""))
        title, year = clean(first.get("title")), year_of(first.get("date"))
        # "———." is "the same author as above": no name to compare, so the record is left out
        if not authors or not re.search(r"[^\W\d_]", authors[0]) or not title or year is None or len(title.split()) < 2:
            continue
        doi = clean(first.get("doi")) or None
        records.append(
            {"iri": f"anystyle/{n}", "title": title, "year": year, "authors": authors, "doi": doi, "source": "anystyle"}
        )
    return records


# ---------------------------------------------------------------- variations


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def add_accent(word: str) -> str:
    """One accented letter in a word: "Lefebvre" -> "Lefèbvre"."""
    for i, ch in enumerate(word):
        if i > 0 and ch in ACCENT:
            return word[:i] + ACCENT[ch] + word[i + 1 :]
    return word


def spelled_out(name: str) -> str:
    """ "Lin, Y." -> "Lin, Yanliu"; "Chen, J. Y." -> "Chen, Jing Y."; names without initials unchanged."""
    if "," not in name:
        return name
    family, given = (p.strip() for p in name.split(",", 1))
    first = re.match(r"^([A-ZÀ-Þ])\.", given)
    if not first:
        return name
    return f"{family}, {GIVEN.get(strip_accents(first.group(1)), first.group(1))}{given[2:]}".rstrip()


def to_initials(name: str) -> str:
    """ "Adams, Nicholson B." -> "Adams, N. B."."""
    if "," not in name:
        return name
    family, given = (p.strip() for p in name.split(",", 1))
    letters = [w[0] for w in re.split(r"[\s.\-]+", given) if w]
    return f"{family}, {' '.join(c + '.' for c in letters)}" if letters else name


def has_subtitle(title: str) -> bool:
    return ": " in title and len(title.split(": ", 1)[0].split()) >= 3


def typo(title: str, rng: random.Random) -> str | None:
    """One character of one word of five letters or more changed, dropped or doubled."""
    words = title.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return None
    i = rng.choice(long_words)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    how = rng.choice(["substitute", "drop", "double"])
    if how == "substitute":
        word = word[:j] + ("e" if word[j] != "e" else "a") + word[j + 1 :]
    elif how == "drop":
        word = word[:j] + word[j + 1 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)


def test_doi(rec: Rec) -> str:
    """A record's DOI, or one in the 10.5555 test prefix (reserved, never a real work) when it has none."""
    return rec["doi"] or f"10.5555/urbankg-bench.{abs(hash_key(rec['iri'])) % 10**8}"


def hash_key(text: str) -> int:
    # str hash is salted per process; this one is stable across runs
    value = 0
    for ch in text:
        value = (value * 131 + ord(ch)) % (2**61 - 1)
    return value


def vary_same(rec: Rec, kind: str, rng: random.Random) -> tuple[Rec, Rec] | None:
    """(record, variation) for one kind of "same work" variation; None where it does not apply."""
    a, b = dict(rec), dict(rec)
    title, authors = rec["title"], list(rec["authors"])
    if kind == "initials":
        full = [spelled_out(n) for n in authors]
        short = [to_initials(n) for n in authors]
        if full == short:
            return None
        a["authors"], b["authors"] = full, short
    elif kind == "diacritics":
        plain_title, plain_authors = strip_accents(title), [strip_accents(n) for n in authors]
        if plain_title != title or plain_authors != authors:
            b["title"], b["authors"] = plain_title, plain_authors
        elif authors and "," in authors[0]:  # none to drop: the first record has them ("Lefèbvre"/"Lefebvre")
            family, given = authors[0].split(",", 1)
            if add_accent(family) == family:
                return None
            a["authors"] = [f"{add_accent(family)},{given}"] + authors[1:]
            words = title.split(" ")
            k = max(range(len(words)), key=lambda i: len(words[i]))
            words[k] = add_accent(words[k])
            a["title"] = " ".join(words)
        else:
            return None
    elif kind == "and-ampersand":
        if " and " not in title:
            return None
        b["title"] = title.replace(" and ", " & ", 1)
    elif kind == "subtitle-punctuation":
        if ": " not in title:
            return None
        b["title"] = title.replace(": ", rng.choice([". ", " - ", " — "]), 1)
    elif kind == "case":
        b["title"] = rng.choice([title.lower(), title.upper(), title.title()])
        if b["title"] == title:
            b["title"] = title.lower() if title != title.lower() else title.title()
    elif kind == "subtitle-dropped":
        if not has_subtitle(title):
            return None
        b["title"] = title.split(": ", 1)[0]
    elif kind == "year-off-by-one":
        if rec["year"] is None:
            return None
        b["year"] = rec["year"] + 1  # the preprint a year before the print
    elif kind == "doi-one-side":
        a["doi"], b["doi"] = test_doi(rec), None
    elif kind == "doi-prefix":
        doi = test_doi(rec)
        a["doi"], b["doi"] = doi, rng.choice(["https://doi.org/", "http://dx.doi.org/", "doi:"]) + doi.upper()
    elif kind == "trailing-stop":
        b["title"] = title + "."
    elif kind == "markup":
        words = title.split(" ")
        k = rng.randrange(len(words))
        tag = rng.choice([("<i>", "</i>"), ("*", "*"), ("<em>", "</em>")])
        words[k] = tag[0] + words[k] + tag[1]
        b["title"] = " ".join(words)
    elif kind == "typo":
        changed = typo(title, rng)
        if changed is None:
            return None
        b["title"] = changed
    elif kind == "combined":  # a second paper's style: initials, lower case, "&", full stop, prefixed DOI
        b["authors"] = [to_initials(n) for n in authors]
        b["title"] = title.lower().replace(" and ", " & ") + "."
        if rec["doi"]:
            b["doi"] = "https://doi.org/" + rec["doi"]
    else:
        raise ValueError(kind)
    a["iri"], b["iri"] = rec["iri"] + "#a", rec["iri"] + "#b"
    return a, b


def vary_different(rec: Rec, other: Rec, kind: str, rng: random.Random) -> tuple[Rec, Rec] | None:
    """(record, a different work with similar metadata) of one kind; `other` lends a title or
    an author. None where the kind does not apply."""
    a, b = dict(rec), dict(rec)
    a["iri"], b["iri"] = rec["iri"] + "#1", rec["iri"] + "#other"
    a["doi"] = b["doi"] = None  # a DOI would decide; these pairs test the metadata
    if other["title"].lower() == rec["title"].lower():
        return None
    if kind == "same-author-year-other-title":
        b["title"] = other["title"]
    elif kind == "same-title-other-author":  # two reviews titled alike, by other people
        if not other["authors"] or not rec["authors"] or family_of(other["authors"][0]) == family_of(rec["authors"][0]):
            return None
        b["authors"] = other["authors"]
        b["year"] = other["year"]
    elif kind == "series-part":
        first, second = rng.choice([(0, 1), (2, 3), (4, 5)])
        sep = rng.choice([": ", ". ", ", "])
        a["title"] = rec["title"] + sep + SERIES_WORDS[first]
        b["title"] = rec["title"] + sep + SERIES_WORDS[second]
    elif kind == "shared-prefix":  # the same long opening, another case or angle
        words = rec["title"].split()
        if len(words) < 4:
            return None
        ending = rng.choice(OTHER_ENDINGS)
        a["title"] = " ".join(words) + ": " + ending
        b["title"] = " ".join(words) + ": " + rng.choice([e for e in OTHER_ENDINGS if e != ending])
    elif kind == "different-doi":
        a["doi"] = test_doi(rec)
        b["doi"] = a["doi"] + "-2" if not a["doi"].endswith("-2") else a["doi"][:-2]
    elif kind == "same-author-next-year":
        if rec["year"] is None:
            return None
        b["title"], b["year"] = other["title"], rec["year"] + 1
    else:
        raise ValueError(kind)
    return a, b


# ---------------------------------------------------------------- the set


def work_pair(pid: str, label: str, kind: str, source: str, a: Rec, b: Rec) -> dict:
    keep = ("iri", "title", "year", "authors", "doi")
    return {
        "id": pid,
        "type": "work",
        "label": label,
        "kind": kind,
        "source": source,
        "a": {k: a[k] for k in keep},
        "b": {k: b[k] for k in keep},
    }


def person_pair(pid: str, label: str, kind: str, source: str, a: dict, b: dict) -> dict:
    return {"id": pid, "type": "person", "label": label, "kind": kind, "source": source, "a": a, "b": b}


def person(iri: str, name: str, works: list[str], identifiers: list[str] | None = None) -> dict:
    family, _, given = name.partition(",")
    return {
        "iri": iri,
        "family": family.strip(),
        "given": given.strip(),
        "works": sorted(works),
        "identifiers": sorted(identifiers or []),
    }


def orcid(seed: str) -> str:
    digits = f"{hash_key(seed) % 10**15:015d}"
    return f"https://orcid.org/{digits[:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:15]}X"


def positives(records: list[Rec], per_record: int, rng: random.Random, prefix: str) -> list[dict]:
    """Each record gets `per_record` variations, the kinds handed out in turn so each gets its share."""
    pairs, turn = [], 0
    for rec in records:
        given = 0
        for step in range(len(SAME_KINDS)):
            if given == per_record:
                break
            kind = SAME_KINDS[(turn + step) % len(SAME_KINDS)]
            varied = vary_same(rec, kind, rng)
            if varied:
                source = f"generated from {rec['source']}"
                pairs.append(work_pair(f"{prefix}-same-{len(pairs)}", "same", kind, source, *varied))
                given += 1
        turn += per_record
    return pairs


def generated_negatives(records: list[Rec], per_record: int, rng: random.Random, prefix: str) -> list[dict]:
    pairs, turn = [], 0
    for n, rec in enumerate(records):
        given = 0
        for step in range(len(DIFFERENT_KINDS)):
            if given == per_record:
                break
            kind = DIFFERENT_KINDS[(turn + step) % len(DIFFERENT_KINDS)]
            other = records[(n + 1 + rng.randrange(len(records) - 1)) % len(records)]
            varied = vary_different(rec, other, kind, rng)
            if varied:
                source = f"generated from {rec['source']}"
                pairs.append(work_pair(f"{prefix}-diff-{len(pairs)}", "different", kind, source, *varied))
                given += 1
        turn += per_record
    return pairs


def mined_negatives(records: list[Rec], limit: int, rng: random.Random, prefix: str) -> list[dict]:
    """Pairs of different records sharing the first author's family name or their titles'
    first three words. Pairs whose titles are 90% alike or more (difflib, not the matcher's
    measure) are left out: the data holds some works twice ("multilayered" / "mul-tilayered"
    in two styles), and there the label "different" would be a guess."""
    by_author, by_opening = defaultdict(list), defaultdict(list)
    for rec in records:
        if rec["authors"]:
            by_author[strip_accents(family_of(rec["authors"][0])).lower()].append(rec)
        opening = " ".join(re.sub(r"[^\w\s]", " ", rec["title"].lower()).split()[:3])
        if len(opening.split()) == 3:
            by_opening[opening].append(rec)
    candidates = []
    for kind, groups in (("mined-same-first-author", by_author), ("mined-title-opening", by_opening)):
        for group in groups.values():
            for i in range(len(group)):
                for j in range(i + 1, len(group)):
                    a, b = group[i], group[j]
                    alike = difflib.SequenceMatcher(None, _fold(a["title"]), _fold(b["title"])).ratio()
                    if alike < 0.9 and a["iri"] != b["iri"]:
                        candidates.append((kind, a, b))
    candidates.sort(key=lambda c: (c[0], c[1]["iri"], c[2]["iri"]))
    rng.shuffle(candidates)
    seen, pairs = set(), []
    for kind, a, b in candidates:
        if (a["iri"], b["iri"]) in seen or len(pairs) >= limit:
            continue
        seen.add((a["iri"], b["iri"]))
        pairs.append(work_pair(f"{prefix}-mined-{len(pairs)}", "different", kind, a["source"], a, b))
    return pairs


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", strip_accents(text).lower()).split())


def people_pairs(records: list[Rec], rng: random.Random, prefix: str, limit: int) -> list[dict]:
    """Namesakes: authors of different works with one family name and compatible initials
    (the first initials agree), no identifier on both; evidence pairs: the same author in two
    records of one work (initials in one, spelled out in the other), or an ORCID both carry
    (on different works, name forms that need not agree)."""
    authors = []  # (name, work iri) for named people, not organisations
    for rec in records:
        for name in rec["authors"]:
            if "," in name:
                authors.append((name, rec["iri"], rec["source"]))
    by_family = defaultdict(list)
    for name, work, source in authors:
        by_family[strip_accents(family_of(name)).lower()].append((name, work, source))
    namesakes = []
    for group in by_family.values():
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                (na, wa, sa), (nb, wb, sb) = group[i], group[j]
                ga, gb = _initials(na), _initials(nb)
                if wa != wb and ga and gb and (ga.startswith(gb) or gb.startswith(ga)):
                    namesakes.append((na, wa, nb, wb, sa if sa == sb else f"{sa}+{sb}"))
    namesakes.sort()
    rng.shuffle(namesakes)
    pairs = []
    for k, (na, wa, nb, wb, source) in enumerate(namesakes[:limit]):
        # every third one-sided identifier: one record knows an ORCID, the other none; still no shared evidence
        ids = [orcid(na + wa)] if k % 3 == 2 else []
        pairs.append(
            person_pair(
                f"{prefix}-person-{len(pairs)}",
                "namesake",
                "namesake",
                source,
                person(f"person/{k}a", na, [wa], ids),
                person(f"person/{k}b", nb, [wb]),
            )
        )
    # Namesakes with their own, different ORCIDs: the identifiers say "not one person".
    for k, (na, wa, nb, wb, source) in enumerate(namesakes[: max(4, limit // 4)]):
        pairs.append(
            person_pair(
                f"{prefix}-person-{len(pairs)}",
                "namesake",
                "namesake-different-orcid",
                source,
                person(f"person/o{k}a", na, [wa], [orcid(na + wa)]),
                person(f"person/o{k}b", nb, [wb], [orcid(nb + wb)]),
            )
        )
    # Evidence: one author listed by two records of the same work, one spelling out the given name.
    named = [(n, w, s) for n, w, s in authors if _initials(n)]
    named.sort()
    rng.shuffle(named)
    for k, (name, work, source) in enumerate(named[: limit // 2]):
        variant = spelled_out(name) if spelled_out(name) != name else to_initials(name)
        kind = "same-work-initials" if variant != name else "same-work"
        pairs.append(
            person_pair(
                f"{prefix}-person-{len(pairs)}",
                "same",
                kind,
                source,
                person(f"person/w{k}a", name, [work]),
                person(f"person/w{k}b", strip_accents(variant) if k % 2 else variant, [work]),
            )
        )
    # Evidence: the same ORCID on two records of different works, name forms as printed.
    for k, (name, work, source) in enumerate(named[limit // 2 : limit]):
        other = records[hash_key(name + work) % len(records)]["iri"]
        if other == work:
            continue
        shown = spelled_out(name) if k % 2 else name
        if k % 5 == 0:  # the name misprinted (sun-2025 prints Lefebvre as "Henri L"): the ORCID still decides
            shown = f"{family_of(name)[0]}, {GIVEN.get(family_of(name)[0].upper(), 'A')}"
        pairs.append(
            person_pair(
                f"{prefix}-person-{len(pairs)}",
                "same",
                "same-orcid",
                source,
                person(f"person/i{k}a", name, [work], [orcid(name)]),
                person(f"person/i{k}b", shown, [other], [orcid(name)]),
            )
        )
    return pairs


def _initials(name: str) -> str:
    given = name.split(",", 1)[1] if "," in name else ""
    return "".join(w[0] for w in re.split(r"[\s.\-]+", strip_accents(given).lower()) if w)


def build(shared: Path | None = SHARED, seed: int = SEED) -> tuple[list[dict], str]:
    """The labelled pairs and a sentence on where they come from. Without ../shared/data the
    bundled bibliographies get more variations each so the set still reaches MIN_PAIRS."""
    rng = random.Random(seed)
    bib = bibliography_records()
    anystyle_path = shared / ANYSTYLE if shared else None
    have_shared = bool(anystyle_path and anystyle_path.exists())
    per_record = 2 if have_shared else 4
    pairs = positives(bib, per_record, rng, "bib")
    pairs += generated_negatives(bib, per_record - 1, rng, "bib")
    pairs += mined_negatives(bib, 40, rng, "bib")
    pairs += people_pairs(bib, rng, "bib", 24 if have_shared else 40)
    if have_shared:
        strings = anystyle_records(anystyle_path)
        picked = sorted(rng.sample(range(len(strings)), min(400, len(strings))))
        sample = [strings[i] for i in picked]
        pairs += positives(sample, 1, rng, "any")
        pairs += generated_negatives(sample[:200], 1, rng, "any")
        pairs += mined_negatives(strings, 200, rng, "any")
        pairs += people_pairs(strings, rng, "any", 60)
        origin = (
            f"the bundled bibliographies ({len(bib)} records) and {len(strings)} anystyle-core records (the "
            "labelled strings with an author, a title and a year)"
        )
    else:
        origin = (
            f"the bundled bibliographies only ({len(bib)} records; ../shared/data is absent, so each "
            "record gets more generated variations)"
        )
    return pairs, origin


def sample_of(pairs: list[dict], size: int = 30) -> list[dict]:
    """About `size` pairs of the bibliography-only set, every kind represented, in turn."""
    by_kind = defaultdict(list)
    for pair in pairs:
        if "anystyle" not in pair["source"]:
            by_kind[(pair["type"], pair["kind"])].append(pair)
    out, round_ = [], 0
    while len(out) < size and any(len(v) > round_ for v in by_kind.values()):
        for key in sorted(by_kind):
            if len(by_kind[key]) > round_ and len(out) < size:
                out.append(by_kind[key][round_])
        round_ += 1
    return out


# ---------------------------------------------------------------- scoring


def judge(pair: dict) -> tuple[str, str]:
    """The matcher's verdict on one pair, and its evidence."""
    a, b = pair["a"], pair["b"]
    if pair["type"] == "work":
        match = compare_works(_work(a), _work(b))
        return match.verdict, match.evidence
    match = compare_people(_person(a), _person(b))
    return match.verdict, match.evidence


def _work(rec: dict) -> WorkRecord:
    return WorkRecord(
        iri=rec["iri"],
        title=rec["title"],
        year=rec["year"],
        authors=tuple(family_of(n) for n in rec["authors"]),
        doi=rec["doi"],
    )


def _person(rec: dict) -> PersonRecord:
    return PersonRecord(
        iri=rec["iri"],
        family=rec["family"],
        given=rec["given"],
        works=frozenset(rec["works"]),
        identifiers=frozenset(rec["identifiers"]),
    )


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score(pairs: list[dict], verdicts: list[str]) -> dict:
    """Precision and recall of "same" (a pair labelled "same" is truly the same; any other
    label is not), the "possible" counts per label, and per kind the share judged "same"."""
    tp = sum(1 for p, v in zip(pairs, verdicts, strict=True) if v == "same" and p["label"] == "same")
    predicted = sum(1 for v in verdicts if v == "same")
    truly = sum(1 for p in pairs if p["label"] == "same")
    possible = Counter(p["label"] for p, v in zip(pairs, verdicts, strict=True) if v == "possible")
    per_kind = defaultdict(Counter)
    for p, v in zip(pairs, verdicts, strict=True):
        per_kind[p["kind"]][v] += 1
    return {
        "pairs": len(pairs),
        "labels": dict(sorted(Counter(p["label"] for p in pairs).items())),
        "same_predicted": predicted,
        "true_positives": tp,
        "precision": ratio(tp, predicted),
        "recall": ratio(tp, truly),
        "possible_per_label": dict(sorted(possible.items())),
        "per_kind": {
            kind: {
                "label": next(p["label"] for p in pairs if p["kind"] == kind),
                "pairs": sum(c.values()),
                "same": c["same"],
                "possible": c["possible"],
                "different": c["different"],
                "share_same": ratio(c["same"], sum(c.values())),
            }
            for kind, c in sorted(per_kind.items())
        },
    }


def run(pairs: list[dict], progress: bool = True) -> dict:
    verdicts, evidence = [], []
    for pair in tqdm(pairs, desc="judging pairs", unit="pair", disable=not progress):
        verdict, said = judge(pair)
        verdicts.append(verdict)
        evidence.append(said)
    result = {}
    for kind in ("work", "person"):
        chosen = [i for i, p in enumerate(pairs) if p["type"] == kind]
        result[kind] = score([pairs[i] for i in chosen], [verdicts[i] for i in chosen])
        result[kind]["false_merges"] = [
            _listed(pairs[i], verdicts[i], evidence[i])
            for i in chosen
            if verdicts[i] == "same" and pairs[i]["label"] != "same"
        ]
        result[kind]["misses"] = [
            _listed(pairs[i], verdicts[i], evidence[i])
            for i in chosen
            if verdicts[i] != "same" and pairs[i]["label"] == "same"
        ]
    work, people = result["work"], result["person"]
    result["targets"] = {
        "works_precision": TARGETS["works_precision"],
        "works_recall": TARGETS["works_recall"],
        "people_precision": TARGETS["people_precision"],
        "met": {
            "works_precision": (work["precision"] or 0) >= TARGETS["works_precision"],
            "works_recall": (work["recall"] or 0) >= TARGETS["works_recall"],
            # no "same" at all among the people is no false merge: precision counts as met
            "people_precision": people["precision"] is None or people["precision"] >= TARGETS["people_precision"],
        },
    }
    return result


def _listed(pair: dict, verdict: str, evidence: str) -> dict:
    def show(rec: dict) -> str:
        if pair["type"] == "work":
            first = family_of(rec["authors"][0]) if rec["authors"] else "-"
            doi = f" doi:{rec['doi']}" if rec["doi"] else ""
            return f"{first} ({rec['year']}) {rec['title']}{doi}"
        return f"{rec['family']}, {rec['given']} {rec['works']} {rec['identifiers']}"

    return {
        "id": pair["id"],
        "kind": pair["kind"],
        "label": pair["label"],
        "verdict": verdict,
        "evidence": evidence,
        "a": show(pair["a"]),
        "b": show(pair["b"]),
    }


# ---------------------------------------------------------------- output


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(result: dict) -> str:
    lines = []
    for kind, title in (("work", "Works"), ("person", "People")):
        r = result[kind]
        lines.append(
            f"{title}: {r['pairs']} pairs {r['labels']}; P(same) {pct(r['precision'])}, R(same) {pct(r['recall'])}; "
            f"possible per label {r['possible_per_label']}"
        )
        lines.append(f"  {'kind':34} {'label':10} {'pairs':>5} {'same':>5} {'poss.':>5} {'diff.':>5}")
        for name, k in r["per_kind"].items():
            lines.append(
                f"  {name:34} {k['label']:10} {k['pairs']:5d} {k['same']:5d} {k['possible']:5d} {k['different']:5d}"
            )
        for what in ("false_merges", "misses"):
            for item in r[what]:
                lines.append(
                    f"  {what[:-2] if what == 'misses' else 'false merge'} [{item['kind']}] {item['verdict']}:"
                )
                lines.append(f"      {item['a']}")
                lines.append(f"      {item['b']}")
                lines.append(f"      ({item['evidence']})")
    met = result["targets"]["met"]
    lines.append("Targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in met.items()))
    return "\n".join(lines)


def composition(pairs: list[dict]) -> str:
    counts = Counter((p["type"], p["label"]) for p in pairs)
    sources = Counter("anystyle" if "anystyle" in p["source"] else "bibliographies" for p in pairs)
    mined = sum(1 for p in pairs if p["kind"].startswith("mined"))
    return (
        f"{len(pairs)} pairs: {counts[('work', 'same')]} same-work variations ({len(SAME_KINDS)} kinds), "
        f"{counts[('work', 'different')]} different works with similar metadata ({mined} mined from the data, "
        f"the rest generated in {len(DIFFERENT_KINDS)} kinds), {counts[('person', 'namesake')]} namesake people "
        f"and {counts[('person', 'same')]} people with shared evidence; {sources['bibliographies']} from the "
        f"bundled bibliographies, {sources['anystyle']} from anystyle-core"
    )


def clip(text: str, width: int = 90) -> str:
    """A long pair shown in a sentence: its start and end, where the two records differ."""
    return text if len(text) <= width else text[: width // 2 - 2] + " ... " + text[-(width // 2 - 3) :]


def section(result: dict, pairs: list[dict], origin: str, day: str) -> str:
    work, people = result["work"], result["person"]
    weak = [(k, v) for k, v in work["per_kind"].items() if v["label"] == "same" and (v["share_same"] or 0) < 1.0]
    weak_text = ", ".join(f"{k} {v['same']}/{v['pairs']}" for k, v in weak) or "none"
    merges = Counter(m["kind"] for m in work["false_merges"] + people["false_merges"])
    example = {}  # the shortest pair of each kind, to show in a sentence
    for m in sorted(work["false_merges"] + people["false_merges"], key=lambda m: len(m["a"]) + len(m["b"])):
        example.setdefault(m["kind"], m)
    merge_text = (
        "; ".join(
            f'{k} {n} (e.g. "{clip(example[k]["a"])}" / "{clip(example[k]["b"])}")' for k, n in sorted(merges.items())
        )
        or "none"
    )
    paragraphs = [
        f"Measured on {day} with `{COMMAND}` (seed {SEED}), from {origin}.",
        f"The set holds {composition(pairs)}.",
        f'Works: precision of "same" {pct(work["precision"])} (target {TARGETS["works_precision"]}) and recall '
        f"{pct(work['recall'])} (target {TARGETS['works_recall']}); {work['same_predicted']} pairs judged "
        f'"same", {work["possible_per_label"].get("same", 0)} same-work and '
        f'{work["possible_per_label"].get("different", 0)} different-work pairs sent to review as "possible".',
        f'People: precision of "same" {pct(people["precision"])} (target 1.0: no namesake merged without '
        f"shared evidence) and recall {pct(people['recall'])} on the pairs with shared evidence; "
        f"{people['possible_per_label'].get('namesake', 0)} namesake pairs sent to review.",
        f'Misses: {len(work["misses"])} same-work pairs not judged "same" (variations short of full recall, '
        f"judged same / pairs: {weak_text}). False merges by kind: "
        f"{merge_text}; every pair is listed in bench/results/identity.json.",
        "What the figures do not say: the variations are generated from the kinds of difference the "
        "matcher was written for, so a real second bibliography can hold others (a translated title, "
        "a reprint under another year); the first run found 46 series parts (Part I / Part II) merged "
        "(works P 0.921), fixed before this run. The candidate lookups of a load (by DOI, exact title, "
        "an author's exact family name and year) are not measured here: a pair whose title, DOI and "
        "author spellings all differ is never compared.",
    ]
    wrapped = [textwrap.fill(p, width=100, break_long_words=False, break_on_hyphens=False) for p in paragraphs]
    return SECTION + "\n\n" + "\n\n".join(wrapped) + "\n"


def write_section(text: str, path: Path = BENCHMARKS) -> None:
    """Replace the section (up to the next "## " heading) or append it at the end."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    start = current.find(SECTION + "\n")
    if start == -1:
        path.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    end = current.find("\n## ", start + len(SECTION))
    rest = current[end + 1 :] if end != -1 else ""
    path.write_text(current[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def write_jsonl(pairs: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for pair in pairs:
            out.write(json.dumps(pair, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="../shared/data (anystyle-core.xml)")
    parser.add_argument("-o", "--output", type=Path, default=RESULTS_OUT)
    parser.add_argument("--write-sample", action="store_true", help="rewrite the committed test sample")
    parser.add_argument("--no-benchmarks-md", action="store_true", help="leave BENCHMARKS.md as it is")
    args = parser.parse_args(argv)

    pairs, origin = build(args.shared)
    write_jsonl(pairs, PAIRS_OUT)
    print(f"{len(pairs)} pairs from {origin} -> {PAIRS_OUT.relative_to(ROOT)}")
    if args.write_sample:
        sample = sample_of(build(None)[0])
        write_jsonl(sample, SAMPLE_OUT)
        print(f"{len(sample)} sample pairs -> {SAMPLE_OUT.relative_to(ROOT)}")

    result = run(pairs)
    day = datetime.date.today().isoformat()
    result.update({"date": day, "command": COMMAND, "seed": SEED, "origin": origin, "composition": composition(pairs)})
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(result))
    print(f"-> {args.output}")
    if not args.no_benchmarks_md:
        write_section(section(result, pairs, origin, day))
        print(f"-> {BENCHMARKS.relative_to(ROOT)} ({SECTION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
