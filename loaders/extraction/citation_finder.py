"""In-text citations: find them in a paper's body and resolve them to reference entries.

Forms found (author–year and numbered styles):

    parenthetical   (Dupuy, 1991, 2008)  (Lin et al., 2011)  (e.g. Marshall, 1920; Porter, 1998)
                    (Dupuy, 2008, p.47)  (based on Internet Live Stats, 2016)  (ibid)
    narrative       Harvey (1973, 251)   Zhu and Qi (2015)   Lin, Xie, and Lv (2016)   Xu et al. (2015)
    numbered        [4]  [4–7]  [1, 11, 12]  [4, p. 12]

Resolution compares the cited family names and year with each parsed reference entry.
Every cited work ends in one of these states, and only `resolved` is ever written as a
plain link: `year-mismatch` (one entry by these authors, another year: linked and
flagged), `no-year` (a source named without a year, "(based on AliResearch)", with one
entry by that author: linked and flagged), `ambiguous` (several entries fit: not linked,
candidates listed) and `unresolved` (no entry fits: not linked, reported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from urbankg.loaders.extraction.fulltext import Document
from urbankg.loaders.extraction.reference_parser import ParsedReference, ascii_key

YEAR = r"(?:1[89]\d\d|20\d\d)[a-z]?|n\.\s?d\.|in press|forthcoming"
# What may stand before the names inside parentheses.
PREFIX = re.compile(
    r"^(?:e\.\s?g\.,?|i\.\s?e\.,?|see also|see,? e\.g\.,?|see|cf\.|compare|also|based on|adapted from|"
    r"for example,?|for instance,?|as cited in|quoted in|following|after|in|from|data from|source:?)\s+",
    re.IGNORECASE,
)
# Prefixes that name a source; after one of them a listed author without a year is a citation.
SOURCE_PREFIX = re.compile(r"^(?:based on|adapted from|data from|source:?)\s", re.IGNORECASE)
LOCATOR = r"(?:p{1,2}\.?\s*|pages?\s+|ch\.\s*|chapter\s+)?[\divxlc]+(?:\s*[-–—]\s*\d+)?f{0,2}\.?"
PARTICLES = {
    "de",
    "van",
    "von",
    "der",
    "den",
    "da",
    "di",
    "du",
    "la",
    "le",
    "del",
    "della",
    "dos",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
    "y",
}
IBID = re.compile(r"^(?:ibid|ibidem|id)\.?(?:,?\s*(?P<loc>" + LOCATOR + r"))?$", re.IGNORECASE)


@dataclass
class CitedWork:
    """One work within an in-text citation."""

    text: str  # the part of the citation naming it: "Lin et al., 2011", "[4]"
    names: list[str] = field(default_factory=list)  # family names as written
    et_al: bool = False
    year: str = ""  # "2011", "2011a"; "" for numbered or ibid
    number: int | None = None
    locator: str = ""
    ibid: bool = False
    # filled by resolve():
    status: str = "unresolved"  # resolved | year-mismatch | no-year | ambiguous | unresolved
    entry: int | None = None  # index into the reference list
    candidates: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class Citation:
    text: str  # as written, whitespace collapsed: "Harvey (1973, 251)"
    start: int  # offsets in the document text
    end: int
    form: str  # parenthetical | narrative | numbered
    works: list[CitedWork]
    prefix: str = ""  # "e.g.", "based on"

    @property
    def locator(self) -> str:
        return "; ".join(w.locator for w in self.works if w.locator)


# --------------------------------------------------------------------------- names

# Lowercase words inside corporate names ("Statistical Office of Lisbon"): accepted only
# when the whole name is a listed author, so "(Interview on December 2015)" stays out.
CORPORATE_WORDS = {"of", "for", "the", "on", "in", "and", "de", "des", "du", "la", "le"}


def _name_tokens(text: str, corporate: bool = False) -> list[str] | None:
    """Split "Lin, De Meulder, & Wang" into ["Lin", "De Meulder", "Wang"]; None if it is not
    a list of names (a lowercase word that is no particle, a digit ...)."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(",")
    if not text:
        return None
    text = re.sub(r",?\s*\bet al\.?,?", "", text)
    parts = re.split(r"\s*(?:,\s*(?:and|&)\s+|,\s*|\s+and\s+|\s*&\s*)", text)
    names = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        words = part.split()
        if not words or len(words) > 6:
            return None
        for w in words:
            core = w.strip("'’.")
            if not core:
                return None
            if core.lower() in PARTICLES or (corporate and core in CORPORATE_WORDS and w is not words[0]):
                continue
            if not (core[0].isupper() and re.fullmatch(r"[\w'’.\-]+", core) and not core[0].isdigit()):
                return None
        if all(w.lower() in PARTICLES for w in words):
            return None
        names.append(part)
    return names or None


def _et_al(text: str) -> bool:
    return bool(re.search(r"\bet al\b", text))


def _years(text: str) -> list[str] | None:
    """ "1991, 2008" -> ["1991", "2008"]; "2001a, b" -> ["2001a", "2001b"]."""
    out = []
    for part in re.split(r"\s*,\s*", text.strip()):
        if re.fullmatch(YEAR, part, re.IGNORECASE):
            out.append(part.replace(" ", ""))
        elif re.fullmatch(r"[a-z]", part) and out and re.fullmatch(r"\d{4}[a-z]", out[-1]):
            out.append(out[-1][:4] + part)
        else:
            return None
    return out or None


# --------------------------------------------------------------------------- finding

# "(...)" with no parenthesis inside, at most ~400 characters (it may cross a page break).
PAREN = re.compile(r"\(([^()]{2,400})\)")
# "[Spalding et al., 2005]": some author-year texts bracket their citations.
SQUARE = re.compile(r"\[([^\[\]]{2,400})\]")
# A year, or years, that may close a citation inside a longer part of a group:
# "reviewed in Haloin and Strauss, 2008", "Figure 1A; White et al., 1976", "see Ostrom, 1964, for ...".
YEARS_IN_PROSE = re.compile(
    r"(?<![\w/.-])(?:1[89]\d\d|20\d\d)[a-z]?(?:\s*,\s*(?:(?:1[89]\d\d|20\d\d)[a-z]?|[a-z])(?![\w-]))*(?![\w/-])"
)
BRACKET = re.compile(
    r"\[(\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?(?:\s*,\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?)*"
    r"(?:\s*,\s*p{1,2}\.\s*[\d\-–]+)?\s*)\]"
)
YEAR_PAREN = re.compile(
    r"^\s*(?P<years>(?:" + YEAR + r")(?:\s*,\s*(?:" + YEAR + r"|[a-z]))*)"
    r"(?:\s*[,:]\s*(?P<loc>" + LOCATOR + r"))?\s*$",
    re.IGNORECASE,
)
AUTHOR_YEAR = re.compile(
    r"^(?P<names>.+?),?\s+(?P<years>(?:" + YEAR + r")(?:\s*,\s*(?:" + YEAR + r"|[a-z]))*)"
    r"(?:\s*[,:]\s*(?P<loc>" + LOCATOR + r"))?\s*$",
    re.IGNORECASE,
)


def find_citations(doc: Document, names_known: set[str] | None = None) -> list[Citation]:
    """Every in-text citation in the document's body, in text order.

    `names_known` (ascii keys of the reference list's family names) lets a narrative
    citation take the longest run of words before "(year)" that names a listed author.
    """
    body = doc.body
    found: list[Citation] = []
    if doc.style == "numbered":
        found.extend(_numbered(body))
    found.extend(_parenthetical(body, names_known or set()))
    found.extend(_narrative(body, names_known or set()))
    found.sort(key=lambda c: c.start)
    return found


def _collapse(text: str) -> str:
    return " ".join(text.split())


# "[6]–[9]": a range written across two brackets.
BRACKET_RANGE = re.compile(r"\s*[-–—]\s*")


def _numbered(body: str) -> list[Citation]:
    out: list[Citation] = []
    for m in BRACKET.finditer(body):
        # "F[1,12] = 8.42", "χ2[3]": a statistic's degrees of freedom, not citations
        if re.search(r"(?:^|\W)\w{1,2}\Z", body[max(0, m.start() - 3) : m.start()]) or re.match(
            r"\s*=", body[m.end() :]
        ):
            continue
        inner = m.group(1)
        locator = ""
        lm = re.search(r",\s*(p{1,2}\.\s*[\d\-–]+)\s*$", inner)
        if lm:
            locator = lm.group(1)
            inner = inner[: lm.start()]
        works: list[CitedWork] = []
        for part in inner.split(","):
            part = part.strip()
            rng = re.fullmatch(r"(\d+)\s*[-–—]\s*(\d+)", part)
            numbers = list(range(int(rng.group(1)), int(rng.group(2)) + 1)) if rng else [int(part)]
            if len(numbers) > 50:  # "[1850-1950]" is a span of years, not citations
                works = []
                break
            works.extend(CitedWork(text=f"[{n}]", number=n) for n in numbers)
        if works:
            if locator:
                works[-1].locator = locator
            previous = out[-1] if out else None
            first = previous.works[-1].number if previous else None
            last = works[0].number
            if (
                previous
                and first is not None
                and last is not None
                and len(works) == 1
                and BRACKET_RANGE.fullmatch(body[previous.end : m.start()])
                and 0 < last - first <= 50
            ):
                # "[6]–[9]" is 6, 7, 8 and 9: one citation from the first bracket to the last
                previous.works.extend(CitedWork(text=f"[{n}]", number=n) for n in range(first + 1, last))
                previous.works.append(works[0])
                previous.text = _collapse(body[previous.start : m.end()])
                previous.end = m.end()
                continue
            out.append(Citation(_collapse(m.group()), m.start(), m.end(), "numbered", works))
    return out


def _in_prose(part: str, names_known: set[str]) -> list[CitedWork]:
    """The works cited within a part of a group that is not only a citation ("reviewed in
    Haloin and Strauss, 2008", "see Ostrom, 1964, for a full explanation", "Figure 1A"): each
    year with the names written just before it, when the first of them is a listed author."""
    works: list[CitedWork] = []
    for m in YEARS_IN_PROSE.finditer(part):
        years = _years(m.group()) or _years(m.group()[:4])
        before = part[: m.start()].rstrip()
        if not years or not before:
            continue
        cut = len(before) - 1 if before.endswith(",") else len(before)
        start, names, et_al = _names_before(before[:cut], cut, names_known)
        if not names or ascii_key(names[0]) not in names_known:
            continue
        text = _collapse(part[start : m.end()])
        works.extend(CitedWork(text=text, names=names, et_al=et_al, year=y) for y in years)
    return works


def _parenthetical(body: str, names_known: set[str]) -> list[Citation]:
    out = []
    groups = list(PAREN.finditer(body)) + list(SQUARE.finditer(body))
    for m in sorted(groups, key=lambda g: g.start()):
        inner = _collapse(m.group(1))
        if YEAR_PAREN.match(inner):
            continue  # "(1973, 251)": the narrative form, names before it
        works: list[CitedWork] = []
        loose: list[CitedWork] = []  # works of a group that holds more than citations
        prefix = ""
        ok = True
        for k, part in enumerate(p.strip() for p in inner.split(";")):
            pm = PREFIX.match(part)
            if pm:
                if k == 0:
                    prefix = pm.group().strip()
                part = part[pm.end() :]
            ib = IBID.match(part)
            if ib:
                works.append(CitedWork(text=part, ibid=True, locator=ib.group("loc") or ""))
                continue
            am = AUTHOR_YEAR.match(part)
            if not am and pm and SOURCE_PREFIX.match(pm.group()):
                # "(based on AliResearch)" under a figure: a source named without a year
                names = _name_tokens(part) or _name_tokens(part, corporate=True)
                if names and ascii_key(names[0]) in names_known:
                    works.append(CitedWork(text=part, names=names, et_al=_et_al(part), year=""))
                    continue
            names = _name_tokens(am.group("names")) if am else None
            if am and not names:
                corporate = _name_tokens(am.group("names"), corporate=True)
                if corporate and ascii_key(corporate[0]) in names_known:
                    names = corporate
            years = _years(am.group("years")) if am else None
            if am is None or not (names and years):
                # a figure, a note or prose beside the citations does not make the group none
                ok = False
                loose.extend(_in_prose(part, names_known))
                continue
            for y in years:
                works.append(
                    CitedWork(
                        text=part, names=names, et_al=_et_al(am.group("names")), year=y, locator=am.group("loc") or ""
                    )
                )
        if not ok:
            # in a group that is not only citations, a work counts when its author is listed
            works = [w for w in works if w.ibid or (w.names and ascii_key(w.names[0]) in names_known)] + loose
            works.sort(key=lambda w: inner.find(w.text))
        if works:
            out.append(Citation(_collapse(m.group()), m.start(), m.end(), "parenthetical", works, prefix))
    return out


# words that open a sentence or clause and are capitalised without being names
_NOT_NAMES = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "as",
    "by",
    "for",
    "from",
    "with",
    "and",
    "according",
    "similarly",
    "recently",
    "however",
    "moreover",
    "furthermore",
    "thus",
    "hence",
    "therefore",
    "also",
    "see",
    "while",
    "whereas",
    "although",
    "but",
    "yet",
    "since",
    "both",
    "following",
    "after",
    "before",
    "like",
    "unlike",
    "besides",
    "nevertheless",
    "consequently",
    "here",
    "there",
    "this",
    "these",
    "that",
    "those",
    "it",
    "its",
    "their",
    "our",
    "we",
    "they",
    "he",
    "she",
    "his",
    "her",
    "when",
    "where",
    "which",
    "who",
    "today",
    "first",
    "second",
    "third",
    "finally",
    "indeed",
    "notably",
    "meanwhile",
    "specifically",
    "accordingly",
    "likewise",
    "nonetheless",
    "i",
    "if",
}


def _narrative(body: str, names_known: set[str]) -> list[Citation]:
    out = []
    for m in PAREN.finditer(body):
        ym = YEAR_PAREN.match(_collapse(m.group(1)))
        if not ym:
            continue
        years = _years(ym.group("years"))
        if not years:
            continue
        start, names, et_al = _names_before(body, m.start(), names_known)
        if not names:
            continue
        text = _collapse(body[start : m.end()])
        works = [CitedWork(text=text, names=names, et_al=et_al, year=y, locator=ym.group("loc") or "") for y in years]
        out.append(Citation(text, start, m.end(), "narrative", works))
    return out


def _names_before(body: str, paren: int, names_known: set[str]) -> tuple[int, list[str] | None, bool]:
    """The author names written just before "(year)".

    Walks back over name-like words (capitalised words, particles, "and", "&", "et al.",
    commas) to the first word that is none of these. Of the runs ending at the
    parenthesis, the longest whose first name is a listed author wins ("Lin, Xie, and Lv"
    rather than "Lv"; "Massey" rather than "Guangzhou, Massey"); when none names a listed
    author, the longest run is reported (it will be unresolved)."""
    window_start = max(0, paren - 200)
    window = body[window_start:paren]
    # "Prieto-Márquez and colleagues (2013)" is "Prieto-Márquez et al. (2013)"
    colleagues = re.search(r"\s+(?:and|&)\s+(?:colleagues|co-?workers)\s*$", window)
    if colleagues:
        window = window[: colleagues.start()]
    tokens = list(re.finditer(r"et al\.?|[\w'’.\-]+,?|&", window))
    tokens.reverse()
    if not tokens or window[tokens[0].end() :].strip():
        return paren, None, False
    starts: list[int] = []  # where a run of names may start, nearest first
    previous_start = len(window)
    for t in tokens:
        if window[t.end() : previous_start].strip():  # ";", ")", ":" ... between two words
            break
        word = t.group().rstrip(",")
        core = word.strip("'’")
        if word in ("et al.", "et al", "&", "and") or core.lower() in PARTICLES:
            pass
        elif (
            re.fullmatch(r"[A-Z\u00C0-\u024F][\w'’\-]*", core)
            and (core.lower() not in _NOT_NAMES or (not starts and ascii_key(core) in names_known))
            and not re.search(r"['’]s$", core)
        ):
            starts.append(t.start())
        else:  # a lowercase word, a sentence end ("growth."), a number
            break
        previous_start = t.start()
    runs = []
    for start in starts:
        names = _name_tokens(window[start:])
        if names:
            runs.append((start, names))
    if not runs:
        return paren, None, False
    listed = [(s, n) for s, n in runs if ascii_key(n[0]) in names_known]
    start, names = listed[-1] if listed else runs[-1]
    return window_start + start, names, _et_al(window[start:]) or bool(colleagues)


# --------------------------------------------------------------------------- resolving


@dataclass
class EntryKey:
    """What an in-text citation is matched against, for one reference entry."""

    index: int
    families: list[str]  # ascii keys of the authors' family names, in order
    acronyms: list[str]  # ascii keys of corporate acronyms ("rtcaep")
    head: list[str]  # ascii keys of the words before the entry's first year: a fallback
    year: str  # "2011", "2011a"
    years_in_text: list[str]
    number: int | None


def entry_keys(parsed: list[ParsedReference], numbers: list[int | None]) -> list[EntryKey]:
    keys = []
    for i, (p, number) in enumerate(zip(parsed, numbers, strict=True)):
        families = [ascii_key(n.family) for n in p.authors if ascii_key(n.family)]
        acronyms = [ascii_key(n.acronym) for n in p.authors if n.acronym]
        acronyms += [ascii_key(a) for a in re.findall(r"\(([A-Z][A-Z&]{1,12})\)", p.text[:200])]
        head_m = re.search(r"\(?\b(?:1[89]\d\d|20\d\d)", p.text)
        head = [ascii_key(w) for w in (p.text[: head_m.start()] if head_m else p.text[:80]).split()]
        year = f"{p.year}{p.year_suffix}" if p.year else ""
        keys.append(
            EntryKey(
                i,
                families,
                acronyms,
                head,
                year,
                re.findall(r"(?<!\d)(?:1[89]\d\d|20\d\d)[a-z]?(?!\d)", p.text),
                number,
            )
        )
    return keys


def _first_author_matches(name: str, key: EntryKey) -> bool:
    k = ascii_key(name)
    if not k:
        return False
    if key.families and key.families[0] == k:
        return True
    if k in key.acronyms:
        return True
    # the CRF may cut a corporate author short or long: compare with as many of the entry's
    # opening words as the cited name has ("Statistical Office of Lisbon", not "Lin" ~ "Lindsay")
    n = len(name.split())
    return "".join(key.head[:n]) == k


def _coauthors_score(names: list[str], et_al: bool, key: EntryKey) -> int:
    """How well the other cited names agree with the entry (higher is better, <0 conflicts)."""
    score = 0
    rest = [ascii_key(n) for n in names[1:]]
    others = key.families[1:] + key.acronyms
    for k in rest:
        if k in others or (len(k) >= 3 and k in key.head):  # a co-author's name among the opening words
            score += 1
        else:
            return -1
    if not et_al and len(names) == 1 and len(key.families) == 1:
        score += 1
    if et_al and len(key.families) >= 2:
        # "et al." stands for three or more authors; two are written out ("Allmann and Baldwin")
        score += 2 if len(key.families) >= 3 else 1
    if not et_al and len(names) >= 2 and len(key.families) == len(names):
        score += 1
    return score


LINKED = ("resolved", "year-mismatch", "no-year")  # the states written as links


def resolve(citations: list[Citation], keys: list[EntryKey]) -> None:
    """Set status, entry and candidates of every cited work, in place."""
    by_number = {k.number: k.index for k in keys if k.number is not None}
    previous: list[CitedWork] = []
    for citation in citations:
        for work in citation.works:
            if work.ibid:
                done = [w for w in previous if w.entry is not None]
                if len(done) == 1:
                    work.status, work.entry = "resolved", done[0].entry
                    work.note = f"ibid: the work cited just before ({done[0].text})"
                else:
                    work.status = "ambiguous" if done else "unresolved"
                    work.candidates = [w.entry for w in done if w.entry is not None]
                    work.note = (
                        "ibid after a citation of several works: which one is meant?"
                        if done
                        else "ibid with no resolved citation before it"
                    )
                continue
            if work.number is not None:
                if work.number in by_number:
                    work.status, work.entry = "resolved", by_number[work.number]
                else:
                    work.note = f"[{work.number}] is not a number of the reference list (1–{len(keys)})"
                continue
            _resolve_author_year(work, keys)
        previous = [w for w in citation.works]


def _resolve_author_year(work: CitedWork, keys: list[EntryKey]) -> None:
    authors = [k for k in keys if _first_author_matches(work.names[0], k)]
    if not work.year:  # a source named without a year: linked only when the author has one entry
        fitting = [k for k in authors if _coauthors_score(work.names, work.et_al, k) >= 0] or authors
        if len(fitting) == 1:
            work.status, work.entry = "no-year", fitting[0].index
            work.note = f"cited without a year; the only entry by {work.names[0]} is of {fitting[0].year or 'no year'}"
        else:
            work.status, work.candidates = ("ambiguous", [k.index for k in fitting]) if fitting else ("unresolved", [])
            work.note = f"cited without a year: {len(fitting)} entries by {work.names[0]}"
        return
    same_year = [k for k in authors if k.year == work.year]
    if not same_year and len(work.year) == 4:  # "2011" for "2011a"/"2011b": which one?
        same_year = [k for k in authors if k.year[:4] == work.year]
    if not same_year and len(work.year) == 5:  # "2004a" where the list prints "2004"
        same_year = [k for k in authors if k.year == work.year[:4]]
    scored = sorted(((_coauthors_score(work.names, work.et_al, k), k) for k in same_year), key=lambda sk: -sk[0])
    scored_fitting = [(s, k) for s, k in scored if s >= 0]
    if scored_fitting:
        best = [k for s, k in scored_fitting if s == scored_fitting[0][0]]
        if len(best) == 1:
            work.status, work.entry = "resolved", best[0].index
            return
        suffix = work.year[4:]
        unsuffixed = sorted((k for k in best if len(k.year) == 4), key=lambda k: k.index)
        if suffix and len(unsuffixed) == len(best) and ord(suffix) - ord("a") < len(unsuffixed):
            # "2004a", "2004b" against a list that prints the year alone: the letters follow the
            # list's order, as they are given
            work.status, work.entry = "resolved", unsuffixed[ord(suffix) - ord("a")].index
            work.note = f"'{suffix}' taken as the list's order among {len(best)} entries of {work.year[:4]}"
            return
        work.status, work.candidates = "ambiguous", [k.index for k in best]
        work.note = f"{len(best)} entries fit '{work.text}'"
        return
    if scored:  # same first author and year, other co-authors
        work.status, work.candidates = "ambiguous", [k.index for _, k in scored]
        work.note = f"the co-authors of '{work.text}' differ from the reference list's"
        return
    other_years = [k for k in authors if _coauthors_score(work.names, work.et_al, k) >= 0] or authors
    if len(other_years) == 1:
        k = other_years[0]
        work.status, work.entry = "year-mismatch", k.index
        also = " (the year does appear later in the entry)" if work.year in k.years_in_text else ""
        work.note = f"cited as {work.year}; the reference list gives {k.year or 'no year'}{also}"
        return
    if other_years:
        work.status, work.candidates = "ambiguous", [k.index for k in other_years]
        work.note = f"no entry by {work.names[0]} in {work.year}; entries by that author in other years"
        return
    work.status = "unresolved"
    work.note = f"no entry in the reference list for {work.names[0]} ({work.year})"


def known_families(parsed: list[ParsedReference]) -> set[str]:
    """Ascii keys of every family name and acronym in the reference list, and of the
    entries' opening words (for corporate authors the parser may have cut short)."""
    out = set()
    for p in parsed:
        for n in p.authors:
            out.add(ascii_key(n.family))
            if n.acronym:
                out.add(ascii_key(n.acronym))
        out.update(ascii_key(a) for a in re.findall(r"\(([A-Z][A-Z&]{1,12})\)", p.text[:200]))
        head = re.split(r"[,(.]", p.text, maxsplit=1)[0]
        out.add(ascii_key(head))
    out.discard("")
    return out
