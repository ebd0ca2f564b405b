"""Is this the same work, the same person? Verdicts on two records, with their evidence.

Pure functions over plain records, so the load-time resolution, the review commands and
the benchmark (bench/identity.py) judge with one rule.

Works. A DOI decides when both records have one (equal: same; different: not). Otherwise
the normalised title, the year and the first author's family name do:

- titles are compared after normalisation (case, diacritics, "&"/"and", punctuation, the
  markup of italics) and, where one record drops the subtitle, on the main title;
- a year off by one is the preprint and the print, or the online and the issue date;
- the first author's family name, as normalised; a work without authors (a report of an
  organisation) relies on title and year alone.

``same`` needs all three to agree (a title at least 0.93 alike, the years within one, the
same first author); ``possible`` marks pairs a reviewer should see (alike titles with one
of year or first author differing, or titles 0.85–0.93 alike); the rest are ``different``.

People. A family name and initials are not a person: two authors are the ``same`` only on
shared evidence (an external identifier both carry, such as an ORCID; being the author of
one and the same work). Compatible names without it are ``possible``; the review decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz

Verdict = Literal["same", "possible", "different"]

SAME_TITLE = 93.0  # rapidfuzz ratio (0-100) of two normalised titles, at or above which they agree
POSSIBLE_TITLE = 85.0
SUBTITLE = re.compile(r"\s*[:.?!]\s+|\s+[-–—]\s+")
DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
MARKUP = re.compile(r"</?[a-z]+>|[*_]{1,2}")


@dataclass(frozen=True)
class Match:
    verdict: Verdict
    score: float  # 0..1, how alike the two records are
    evidence: str  # what decided, in words a reviewer reads


@dataclass(frozen=True)
class WorkRecord:
    """What matching reads of a work: its IRI (or any key), title, year, authors' family
    names in order (as written; an organisation's name counts as one), DOI."""

    iri: str
    title: str
    year: int | None = None
    authors: tuple[str, ...] = ()
    doi: str | None = None


@dataclass(frozen=True)
class PersonRecord:
    """What matching reads of a person: family and given names as written, the works they
    authored (IRIs after work identity), and the external identifiers (ORCID, Wikidata ...)
    they carry."""

    iri: str
    family: str
    given: str = ""
    works: frozenset[str] = field(default_factory=frozenset)
    identifiers: frozenset[str] = field(default_factory=frozenset)


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits, single spaces: "Ça & co." -> "ca and co"."""
    text = unicodedata.normalize("NFKD", MARKUP.sub(" ", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("ß", "ss").replace("ø", "o").replace("ł", "l")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def normal_doi(doi: str | None) -> str | None:
    """A DOI as compared: prefix (https://doi.org/, doi:) dropped, lowercased (DOIs are
    case-insensitive), trailing punctuation of a reference string dropped."""
    if not doi:
        return None
    value = DOI_PREFIX.sub("", doi.strip()).rstrip(".,;").lower()
    return value if value.startswith("10.") else None


def main_title(title: str) -> str:
    """The title without its subtitle (what follows the first colon, full stop or dash)."""
    return fold(SUBTITLE.split(title.strip(), maxsplit=1)[0])


def family_key(name: str) -> str:
    """A family name as compared: folded, particles kept ("van Oort" -> "van oort")."""
    return fold(name)


def title_score(a: str, b: str) -> float:
    """0-100: how alike two titles are, the subtitle forgiven when one of them lacks it.

    Below SAME_TITLE whatever the characters say when the titles name different parts of a
    series (Part I / Part II, Volume 2 / 3: one character apart), or differ in more than two
    words (a long title with another ending is another work)."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 100.0
    ma, mb = main_title(a), main_title(b)
    # One record dropped the subtitle: its whole title is the other's main title.
    if len(ma.split()) >= 3 and (ma == fb or mb == fa):
        return SAME_TITLE
    score = fuzz.ratio(fa, fb)
    words_a, words_b = set(fa.split()), set(fb.split())
    if _numbering(fa) != _numbering(fb) or len(words_a ^ words_b) > 2:
        score = min(score, SAME_TITLE - 0.5)
    return score


def compare_works(a: WorkRecord, b: WorkRecord) -> Match:
    doi_a, doi_b = normal_doi(a.doi), normal_doi(b.doi)
    if doi_a and doi_b:
        if doi_a == doi_b:
            return Match("same", 1.0, f"same DOI {doi_a}")
        return Match("different", 0.0, f"different DOIs ({doi_a}, {doi_b})")
    title = title_score(a.title, b.title)
    years = _year_gap(a.year, b.year)
    first_a = family_key(a.authors[0]) if a.authors else ""
    first_b = family_key(b.authors[0]) if b.authors else ""
    same_first = first_a == first_b or _one_contains(first_a, first_b)
    score = round(title / 100 * (1.0 if same_first else 0.8) * (1.0 if years in (0, None) else 0.95), 3)
    said = f"titles {title:.0f}% alike, " + (
        "year unknown" if years is None else "same year" if years == 0 else f"years {years} apart"
    )
    said += ", same first author" if same_first and first_a else ", no first author" if not first_a else ""
    if title >= SAME_TITLE and same_first and years is not None and years <= 1:
        if years == 1 and title < 100.0:
            return Match("possible", score, said + " (a year apart needs the same title)")
        return Match("same", score, said)
    if title >= SAME_TITLE and (same_first or (years is not None and years <= 1)):
        return Match("possible", score, said)
    if title >= POSSIBLE_TITLE and same_first and years is not None and years <= 1:
        return Match("possible", score, said)
    return Match("different", score, said)


def compatible_given(a: str, b: str) -> bool:
    """Could two given names be one person's? "Yanliu" ~ "Y." ~ "Y"; "Y. L." ~ "Yan Li" ~ "Y.";
    "J. Y." is not "Y." (the first initials differ); an absent given name is compatible with any."""
    ia, ib = _initials(a), _initials(b)
    if not ia or not ib:
        return True
    if not (ia.startswith(ib) or ib.startswith(ia)):  # "Y." is "Y. L." with the second initial left out
        return False
    wa, wb = _full_names(a), _full_names(b)
    return all(x.startswith(y) or y.startswith(x) for x, y in zip(wa, wb, strict=False))


def compare_people(a: PersonRecord, b: PersonRecord) -> Match:
    shared_ids = a.identifiers & b.identifiers
    if shared_ids:
        return Match("same", 1.0, f"same identifier {sorted(shared_ids)[0]}")
    if a.identifiers and b.identifiers:
        return Match("different", 0.0, "different identifiers")
    if family_key(a.family) != family_key(b.family) or not compatible_given(a.given, b.given):
        return Match("different", 0.0, "different names")
    shared_works = a.works & b.works
    if shared_works:
        # Two authors of one work with compatible names: the same author listed by two
        # records of that work (coauthors of one record are never compared).
        return Match("same", 1.0, f"author of the same work {sorted(shared_works)[0]}")
    full = bool(_full_names(a.given)) and _full_names(a.given) == _full_names(b.given)
    return Match(
        "possible",
        0.7 if full else 0.5,
        "same family name and " + ("given name" if full else "compatible initials") + ", no shared evidence",
    )


NUMBERED = re.compile(r"\b(?:part|vol|volume|book|no|number|chapter|section|issue)\s+([0-9]+|[ivxlc]+)\b")
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def _numbering(folded: str) -> tuple[str, ...]:
    """The numbers a title carries (Part II -> 2, Volume 3, a year, a trailing 2): a series'
    parts differ only there."""
    marks = [str(ROMAN.get(m, m)) for m in NUMBERED.findall(folded)]
    marks += re.findall(r"\b\d+\b", folded)
    last = folded.rsplit(" ", 1)[-1]
    if last in ROMAN:
        marks.append(str(ROMAN[last]))
    return tuple(sorted(set(marks)))


def _year_gap(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else abs(a - b)


def _one_contains(a: str, b: str) -> bool:
    # "AliResearch" vs "AliResearch and Southern Rural Newspaper" as an organisation author
    return bool(a and b) and (a.startswith(b + " ") or b.startswith(a + " "))


def _initials(given: str) -> str:
    parts = [p for p in re.split(r"[\s.\-]+", fold(given)) if p]
    return "".join(p[0] for p in parts)


def _full_names(given: str) -> list[str]:
    """The spelled-out given names (initials dropped): "Yan-liu" -> ["yan", "liu"]."""
    return [p for p in re.split(r"[\s.\-]+", fold(given)) if len(p) > 1]
