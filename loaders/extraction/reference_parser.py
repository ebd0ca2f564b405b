"""Parse one reference-list entry into fields with a trained CRF sequence model.

A reference string is split into whitespace tokens; each token gets a label from a
linear-chain CRF (python-crfsuite) trained on labelled reference strings (see
``reference_training``). Consecutive tokens with the same label form a field, which is
then cleaned (trailing punctuation, "pp.", "vol.") into the values a scholar expects.

The labels the model predicts are the output fields plus a few that are not asked for
but must be told apart from them (where a book was published, editors, series notes):

    author year title container volume pages publisher location editor number doi url other

``issue`` is never labelled on its own in the training data ("14(4)" is one volume
token there), so it is split off the volume field afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pycrfsuite

# The fields a parsed reference offers (the list).
FIELDS = ("author", "year", "title", "container", "volume", "issue", "pages", "publisher", "doi", "url")

# The labels the model predicts; `other` collects notes, genres, editions, ISBNs ...
LABELS = (
    "author",
    "year",
    "title",
    "container",
    "volume",
    "pages",
    "publisher",
    "location",
    "editor",
    "number",
    "doi",
    "url",
    "other",
)

MODEL_NAME = "reference-crf.model"


def default_model_path() -> Path:
    """The model shipped as package data (loaders/extraction/models/reference-crf.model)."""
    return Path(str(resources.files("urbankg.loaders.extraction") / "models" / MODEL_NAME))


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character offsets into the reference string
    end: int


def tokenize(text: str) -> list[Token]:
    """Whitespace tokens: the training data puts a space between every two fields."""
    return [Token(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


# --------------------------------------------------------------------------- features

# Small hand-made dictionaries: words that mark a venue, a publisher, a place or a date.
# They generalise beyond the training strings (a journal never seen still has "Journal").
JOURNAL_WORDS = frozenset(
    """
    journal journals j. review rev. rev studies stud. stud proceedings proc. proc conference conf. conf.,
    symposium workshop transactions trans. annals ann. bulletin bull. letters lett. quarterly magazine
    international int. intl. research res. science sci. sciences geography geogr. urban planning plan. cities
    economics econ. sociology sociol. policy quarterly newsletter archives advances acta anthropology history
    """.split()  # noqa: SIM905 -- a word list reads best as words
)
PUBLISHER_WORDS = frozenset(
    """
    press publishing publishers publisher verlag books university univ. inc. inc ltd. ltd co. company editions
    éditions editore group routledge springer elsevier wiley blackwell sage pergamon academic gallimard harper
    penguin macmillan
    """.split()  # noqa: SIM905 -- a word list reads best as words
)
MONTHS = frozenset(
    """
    jan january feb february mar march apr april may jun june jul july aug august sep sept september oct october
    nov november dec december spring summer autumn fall winter janvier février mars avril mai juin juillet août
    septembre octobre novembre décembre
    """.split()  # noqa: SIM905 -- a word list reads best as words
)
# Words that open an edited volume or a note rather than a title.
MARKERS = {
    "in": "in",
    "in:": "in",
    "eds": "eds",
    "eds.": "eds",
    "(eds.)": "eds",
    "(eds.),": "eds",
    "ed.": "eds",
    "(ed.)": "eds",
    "(ed.),": "eds",
    "(eds),": "eds",
    "(eds)": "eds",
    "editor": "eds",
    "editors": "eds",
    "editor.": "eds",
    "editors.": "eds",
    "pp.": "pp",
    "pp": "pp",
    "p.": "pp",
    "pages": "pp",
    "s.": "pp",
    "vol.": "vol",
    "vol": "vol",
    "volume": "vol",
    "no.": "no",
    "no": "no",
    "nr.": "no",
    "issue": "no",
    "doi:": "doi",
    "doi": "doi",
    "retrieved": "retrieved",
    "available": "retrieved",
    "accessed": "retrieved",
    "[online].": "retrieved",
    "[online]": "retrieved",
    "[cited": "retrieved",
    "et": "etal",
    "al.": "etal",
    "al.,": "etal",
    "and": "and",
    "&": "and",
    "ed": "eds",
    "edn.": "edition",
    "edition": "edition",
    "ed.,": "eds",
    "thesis": "genre",
    "dissertation": "genre",
    "report": "genre",
    "phd": "genre",
}
# Places of publication: the imprint "City: Publisher" is told from a venue by them.
PLACES = frozenset(
    """
    london paris berlin new york oxford cambridge chicago boston amsterdam washington beijing shanghai tokyo
    princeton berkeley los angeles san francisco toronto montreal sydney melbourne delft utrecht leiden zürich
    zurich münchen munich frankfurt wien vienna madrid barcelona rome roma milano milan stockholm copenhagen
    oslo brussels geneva basel hamburg leipzig stuttgart heidelberg baltimore philadelphia stanford ithaca
    minneapolis durham edinburgh manchester singapore guangzhou hong kong nanjing calif. ca ny ma nj il tx pa md
    uk usa england germany france netherlands italy switzerland china haven hoboken thousand oaks newbury park
    mahwah dordrecht heidelberg cheltenham abingdon
    """.split()  # noqa: SIM905 -- a word list reads best as words
)
YEAR = re.compile(r"^[(\[]?(1[5-9]\d\d|20\d\d)[a-z]?[)\]]?[.,;:]?$")
RANGE = re.compile(r"\d+\s*[-–—]+\s*\d+")
INITIALS = re.compile(r"^([A-Z]\.?-?){1,3}[.,;]*$")


def _shape(word: str) -> str:
    """Word shape with runs collapsed: 'Smith,' -> 'Xx,', '1999).' -> 'd).'."""
    out: list[str] = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:8]


def _core(word: str) -> str:
    """The word without surrounding punctuation, lowercased."""
    return re.sub(r"^\W+|\W+$", "", word).lower()


def _token_features(
    tokens: list[Token], i: int, seen_year: bool, seen_quote_close: bool, segment: int, in_paren: bool, seen_comma: bool
) -> list[str]:
    word = tokens[i].text
    low = word.lower()
    core = _core(word)
    n = len(tokens)
    # The first character's class: the character itself if punctuation, else X, x or d.
    first = word[0] if not word[0].isalnum() else ("X" if word[0].isupper() else "x" if word[0].isalpha() else "d")
    f = [
        "bias",
        f"w={low}",
        f"c={core}",
        f"shape={_shape(word)}",
        f"suf3={core[-3:]}",
        f"pre3={core[:3]}",
        f"first={first}",
        f"last={word[-1] if not word[-1].isalnum() else 'a'}",
        # Position in the string, in tenths: authors come first, pages and publishers last.
        f"pos={min(9, 10 * i // n)}",
        f"len={min(len(core), 10)}",
    ]
    if i == 0:
        f.append("BOS")
    if i == n - 1:
        f.append("EOS")
    if YEAR.match(word):
        f.append("year")
        f.append("year_first" if not seen_year else "year_again")
    if seen_year:
        f.append("after_year")
    if seen_quote_close:
        f.append("after_quote")
    # Fields are separated by full stops: which ". "-delimited segment the token is in
    f.append(f"segment={min(segment, 6)}")
    if in_paren:
        f.append("in_paren")
    if not seen_comma:
        f.append("no_comma_yet")
    # "Park S. Platform towns.": a plain capitalised word right after an initial starts a title
    if (
        i > 0
        and INITIALS.match(tokens[i - 1].text)
        and tokens[i - 1].text.endswith(".")
        and re.fullmatch(r"[A-Z][a-z]+", word)
    ):
        f.append("plain_word_after_initial")
    if core in PLACES:
        f.append("dict_place")
    if "/" in word or word.endswith((".html", ".htm", ".pdf", ".php", ".shtml")):
        f.append("slash")
    if RANGE.search(word):
        f.append("range")
    if INITIALS.match(word):
        f.append("initials")
    if re.search(r"\d", word):
        f.append("has_digit")
        if re.fullmatch(r"\W*\d+\W*", word):
            f.append("number")
        if re.search(r"\d+\(\d+", word):
            f.append("vol_issue")
    if word.isupper() and len(core) > 1:
        f.append("allcaps")
    if core in JOURNAL_WORDS:
        f.append("dict_journal")
    if core in PUBLISHER_WORDS or low in PUBLISHER_WORDS:
        f.append("dict_publisher")
    if core in MONTHS:
        f.append("dict_month")
    if low in MARKERS:
        f.append(f"marker={MARKERS[low]}")
    if low.startswith(("http", "www.", "<http", "(http")):
        f.append("url")
    if "doi" in low or re.match(r"^\W*10\.\d{4,}/", word):
        f.append("doi")
    if re.match(r"^\W*\d{1,4}\.?$", word) and i == 0:
        f.append("leading_number")
    if word[0] in "\"“‘'«":
        f.append("open_quote")
    if word[-1] in "\"”’'»" or word.endswith(('",', "”,", "”.", '".', "’,", "’.")):
        f.append("close_quote")
    if word.startswith(("(", "[")):
        f.append("open_paren")
    if word.rstrip(".,;:").endswith((")", "]")):
        f.append("close_paren")
    if word.endswith(":"):
        f.append("colon")
    return f


def features(tokens: list[Token]) -> list[list[str]]:
    """CRF features per token: its own, plus its neighbours' words and shapes."""
    own = []
    seen_year = False
    seen_quote_close = False
    segment = 0
    depth = 0
    year_segment = None
    for i in range(len(tokens)):
        word = tokens[i].text
        depth += word.count("(") + word.count("[")
        own.append(
            _token_features(
                tokens, i, seen_year, seen_quote_close, segment, depth > 0, any("," in t.text for t in tokens[:i])
            )
        )
        # segments since the year: in author-date styles the title is the first, the venue the next
        if year_segment is not None:
            own[-1].append(f"seg_since_year={min(segment - year_segment, 3)}")
        depth = max(0, depth - word.count(")") - word.count("]"))
        if YEAR.match(word):
            seen_year = True
            if year_segment is None:
                year_segment = segment + (1 if word.endswith(".") else 0)
        if "close_quote" in own[-1]:
            seen_quote_close = True
        # a segment ends with a full stop that is not an initial ("J.") or an abbreviation ("pp.")
        if (
            word.endswith((".", '."', ".”")) and not INITIALS.match(word) and len(_core(word)) > 3
        ) or "close_quote" in own[-1]:
            segment += 1
    out = []
    for i, f in enumerate(own):
        row = list(f)
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < len(tokens):
                word = tokens[j].text
                row.append(f"{d}:c={_core(word)}")
                row.append(f"{d}:shape={_shape(word)}")
                if d == -1:
                    row.append(f"bigram={_core(word)}|{_core(tokens[i].text)}")
                for name in (
                    "year",
                    "initials",
                    "dict_journal",
                    "dict_publisher",
                    "open_quote",
                    "close_quote",
                    "range",
                    "url",
                    "doi",
                    "dict_place",
                    "colon",
                    "in_paren",
                ):
                    if name in own[j]:
                        row.append(f"{d}:{name}")
                for g in own[j]:
                    if g.startswith("marker="):
                        row.append(f"{d}:{g}")
        out.append(row)
    return out


# --------------------------------------------------------------------------- parsed result


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    acronym: str = ""  # "RTCAEP" for "Research Team of ... (RTCAEP)"


@dataclass
class ParsedReference:
    """A reference string with its labelled tokens and cleaned field values."""

    text: str
    tokens: list[Token]
    labels: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    authors: list[Name] = field(default_factory=list)
    et_al: bool = False
    year: int | None = None
    year_suffix: str = ""  # the "a" of 2015a

    def raw(self, label: str) -> str:
        """The text of the first run of tokens carrying `label`, as written."""
        spans = _runs(self.labels)
        for lab, a, b in spans:
            if lab == label:
                return self.text[self.tokens[a].start : self.tokens[b - 1].end]
        return ""


def _runs(labels: list[str]) -> list[tuple[str, int, int]]:
    """(label, first token, end token) for each run of equal labels."""
    runs = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            runs.append((labels[start], start, i))
            start = i
    return runs


# --------------------------------------------------------------------------- cleaning


def _strip_punct(value: str) -> str:
    value = value.strip()
    value = re.sub(r"^[\s,;:.(\[]+", "", value)
    value = re.sub(r"[\s,;:.)\]]+$", "", value)
    # keep a closing parenthesis or bracket that has an opening partner inside
    return value


def _balanced(value: str) -> str:
    value = value.strip().strip(",;:").strip()
    for open_, close in ("()", "[]"):
        while value.startswith(open_) and value.count(open_) > value.count(close):
            value = value[1:].strip()
        while value.endswith(close) and value.count(close) > value.count(open_):
            value = value[:-1].strip()
    return value


def _clean_title(value: str) -> str:
    value = value.strip().rstrip(",;:").strip()
    value = value.strip('"“”‘’«» ').rstrip(",.;:").strip('"“”‘’«» ')
    return value.rstrip(",;").rstrip(".") if not value.endswith("..") else value


def _clean_container(value: str) -> str:
    value = re.sub(r"^(in|In|IN)\s*:?\s+", "", value.strip())
    return _clean_title(value)


# A journal locator written without spaces, as biomedical styles print it: "157:250–61",
# "54(3):1741–4", Vancouver "1964;54:1741–4", "2012;7:e42593". The CRF keeps it as one token,
# so it lands in the container or the volume; it is split here.
LOCATOR = re.compile(
    r"(?:^|[\s.,;])(?:(?P<year>(?:1[5-9]|20)\d\d)[a-z]?\s*;\s*)?(?P<volume>\d+)(?:\s*\((?P<issue>[\w-]+)\))?"
    r"\s*:\s*(?P<pages>e?\d+(?:\s*[–-]\s*\d+)?)\.?$"
)


def _split_locator(out: dict[str, str], parsed: ParsedReference) -> None:
    for source in ("volume", "container"):
        value = out.get(source, "")
        m = LOCATOR.search(value)
        if not m or ("pages" in out and source == "container"):
            continue
        rest = value[: m.start()].rstrip(" .,;")
        if source == "container":
            if not rest:
                continue  # a container that is only numbers is no container
            out["container"] = rest
        else:
            del out["volume"]
        out.setdefault("volume", m.group("volume"))
        if m.group("issue"):
            out.setdefault("issue", m.group("issue"))
        out.setdefault("pages", re.sub(r"\s+", "", m.group("pages")))
        if m.group("year") and "year" not in out:
            out["year"] = m.group("year")
            parsed.year = int(m.group("year"))
        return


# The same locator as one whitespace token anywhere in the entry: "157:250–61.", "2002;11(3):282;",
# "2005;(1):CD001497.", "7:e31295.".
LOCATOR_TOKEN = re.compile(
    r"^(?:(?P<year>(?:1[5-9]|20)\d\d)[a-z]?;)?(?P<volume>\d+)?(?:\((?P<issue>[\w–-]+)\))?"
    r":(?P<pages>[A-Za-z]{0,3}\d+(?:[–-][A-Za-z]{0,3}\d+)?)[.,;]?$"
)


def _ends_segment(word: str) -> bool:
    """A token that ends a sentence of the entry ("smoking.", "programmes?", "HIV."), not an initial ("J.")."""
    return word.rstrip('"”’)').endswith((".", "?", "!")) and not re.fullmatch(r"[A-Z]\.", word)


# A book's title glued to the chapter's pages, as author-date styles print an edited volume:
# "Plant resistance to herbivores and pathogens:426–449. Chicago: University of Chicago Press."
BOOK_PAGES_TOKEN = re.compile(r"^[^\W\d][\w'’)-]*:(?P<pages>\d+[–-]\d+)[.,;]?$")


def _quote_inside_title(labels: list[str], words: list[str]) -> None:
    """A title that ends at a closing quote it opened inside ("Shared signals—‘alarm calls’ from
    plants ... in nature.") goes on to the end of its sentence: the CRF takes the quote for the
    end of a quoted title."""
    for i in range(1, len(words) - 1):
        if labels[i] != "title" or labels[i + 1] not in ("container", "other"):
            continue
        if not re.search(r"[’”\"']$", words[i]):
            continue
        start = i
        while start > 0 and labels[start - 1] == "title":
            start -= 1
        if re.match(r"^[‘“\"']", words[start]) or not any(re.search(r"(?:^|\W)[‘“]", w) for w in words[start : i + 1]):
            continue  # a quoted title, or no opening quote inside the title
        j = i + 1
        while j < len(words) and labels[j] in ("container", "other"):
            labels[j] = "title"
            if _ends_segment(words[j]):
                break
            j += 1


def _journal_before(labels: list[str], words: list[str], before: int) -> bool:
    """Relabel as container the sentence ending at token `before` when the title ends just before it;
    whether it did."""
    while before >= 0 and labels[before] == "year":
        before -= 1
    if before > 0 and labels[before] in ("title", "other", "container"):
        start = before
        while start > 0 and labels[start - 1] in ("title", "other") and not _ends_segment(words[start - 1]):
            start -= 1
        if start > 0 and labels[start - 1] == "title" and _ends_segment(words[start - 1]):
            for i in range(start, before + 1):
                labels[i] = "container"
            return True
    return False


def _locator_labels(parsed: ParsedReference) -> tuple[list[str], dict[str, str]]:
    """The labels with a compact locator token taken into account, and the locator's values.

    The CRF knows the locator only as spaced tokens ("54: 1741–4."), so the compact one lands
    in the container or the title, with what follows it ("Epub 1964/10/01. 14240497"), or the
    title runs on through the journal's name up to it. The journal is the sentence just before the
    locator; a container run is cut there and what follows in it is no part of it. A book's
    title glued to a chapter's pages ("herbivores and pathogens:426–449.") is that sentence itself."""
    labels = list(parsed.labels)
    words = [t.text for t in parsed.tokens]
    _quote_inside_title(labels, words)
    for k, word in enumerate(words):
        if k == 0 or labels[k] in ("doi", "url", "author"):
            continue
        m = LOCATOR_TOKEN.match(word)
        if m and (m.group("volume") or m.group("issue")):
            labels[k] = "locator"
            j = k + 1
            while j < len(labels) and labels[j] in ("container", "title"):  # "Epub 2002/06/04. 12042547"
                labels[j] = "other"
                j += 1
            # "Youth access interventions do not affect youth smoking. Pediatrics. 2002;109(6):1088–92.",
            # "... the spread of HIV. AIDS 11:641–648."
            _journal_before(labels, words, k - 1)
            return labels, {name: m.group(name) or "" for name in ("year", "volume", "issue", "pages")}
        book = BOOK_PAGES_TOKEN.match(word)
        if book and labels[k] in ("title", "container", "other"):
            read_as_container = labels[k] == "container"
            if _journal_before(labels, words, k) or read_as_container:
                return labels, {"pages": book.group("pages")}
    return labels, {}


def clean_fields(parsed: ParsedReference) -> None:
    """Fill `fields`, `authors`, `year` of a labelled reference."""
    text, tokens = parsed.text, parsed.tokens
    labels, locator = _locator_labels(parsed)
    values: dict[str, str] = {}
    for label, a, b in _runs(labels):
        value = text[tokens[a].start : tokens[b - 1].end]
        if label in values:  # a second run of the same field: keep the first (a later date is a reprint ...)
            if label in ("title", "container", "publisher", "other"):
                values[label] += " " + value
            continue
        values[label] = value
    out: dict[str, str] = {}
    if "author" in values:
        # keep the final full stop of an initial ("Wang, S. F.") but not a sentence one
        author = _balanced(values["author"]).rstrip(",;: ")
        out["author"] = author if re.search(r"\b[A-Z]\.$", author) else author.rstrip(".")
    if "year" in values:
        m = re.search(r"(1[5-9]\d\d|20\d\d)([a-z]?)(?![\d])", values["year"])
        if m:
            out["year"] = m.group(1) + m.group(2)
            parsed.year = int(m.group(1))
            parsed.year_suffix = m.group(2)
    if "title" in values:
        out["title"] = _clean_title(values["title"])
    if "container" in values:
        out["container"] = _clean_container(values["container"])
    if "volume" in values:
        vol = _balanced(values["volume"])
        vol = re.sub(r"^(vol\.?|volume|Vol\.?|Volume|Bd\.?)\s*", "", vol).strip()
        # "14(4)" -> volume 14, issue 4; "No. 3" alone is an issue
        m = re.match(r"^([\w.-]*?)\s*,?\s*\(([^)]+)\)\s*$", vol)
        m_no = re.match(r"^(?:no\.?|No\.?|nr\.?|issue)\s*([\w-]+)$", vol)
        if m and m.group(1):
            out["volume"], out["issue"] = m.group(1).strip(" ,"), m.group(2).strip()
        elif m:
            out["issue"] = m.group(2).strip()
        elif m_no:
            out["issue"] = m_no.group(1)
        else:
            m2 = re.match(r"^([\w.-]+)\s*,?\s*(?:no\.?|No\.?|nr\.?|issue)\s*([\w-]+)$", vol)
            if m2:
                out["volume"], out["issue"] = m2.group(1), m2.group(2)
            elif vol:
                out["volume"] = vol.rstrip(".,")
    if "pages" in values:
        pages = _balanced(values["pages"])
        pages = re.sub(r"^(pp?\.?|pages|S\.)\s*", "", pages).strip().rstrip(".,;")
        out["pages"] = pages
    if "volume" in locator:
        for name in ("volume", "issue", "pages"):
            if locator[name]:
                out[name] = locator[name]
            else:
                out.pop(name, None)
        if locator["year"] and "year" not in out:
            out["year"] = locator["year"]
            parsed.year = int(locator["year"])
    elif "pages" in locator:
        out["pages"] = locator["pages"]
        if "container" in out:
            out["container"] = re.sub(r":\d+[–-]\d+$", "", out["container"])
    else:
        _split_locator(out, parsed)
    publisher = values.get("publisher")
    if publisher:
        out["publisher"] = _strip_punct(publisher)
        if "location" in values:  # "London: Routledge" is how a scholar writes it
            out["publisher"] = f"{_strip_punct(values['location'])}: {out['publisher']}"
    elif "location" in values:
        out["publisher"] = _strip_punct(values["location"])
    if "doi" in values:
        m = re.search(r"10\.\d{4,}/\S+", values["doi"])
        if m:
            out["doi"] = m.group().rstrip(".,;)>")
    if "url" in values:
        m = re.search(r"(https?://|www\.)\S+", values["url"])
        if m:
            url = m.group().rstrip(".,;)>")
            out["url"] = url if url.startswith("http") else "http://" + url
            dm = re.search(r"doi\.org/(10\.\d{4,}/\S+)", url)
            if dm and "doi" not in out:
                out["doi"] = dm.group(1)
    if "doi" not in out:
        # a DOI is a DOI wherever the CRF put it (after a locator it may have been read as a note)
        m = re.search(r"(?:\bdoi:?\s*|doi\.org/)(10\.\d{4,}/\S+)", text, re.IGNORECASE)
        if m:
            out["doi"] = m.group(1).rstrip(".,;)>")
    if "number" in values:
        m = re.search(r"\d+", values["number"])
        if m:
            out["number"] = m.group()
    parsed.fields = out
    if "author" in values:
        parsed.authors, parsed.et_al = split_authors(values["author"])
    elif "editor" in values and parsed.labels and parsed.labels[0] in ("editor", "number"):
        # "Smith, J. (ed.) 1999 ...": the editor stands in the author's place
        parsed.authors, parsed.et_al = split_authors(re.sub(r"\(?eds?\.?\)?,?", "", values["editor"]))


# --------------------------------------------------------------------------- authors

_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "ter", "ten"}


def _is_initials(part: str) -> bool:
    """'Y. L.', 'J.', 'G.-H.', 'CL', 'N' — given names written as initials."""
    part = part.strip()
    if not part:
        return False
    if re.fullmatch(r"(?:[A-Z][a-z]?\.\s*-?\s*)+[A-Z]?", part):  # "S. F." with its last stop cut
        return True
    # "CL", "N", and hyphenated given names: "K-M" (Karl-Martin), "S-G"
    return bool(re.fullmatch(r"[A-Z]{1,3}|[A-Z]{1,2}(?:-[A-Z]{1,2})+", part))


def split_authors(value: str) -> tuple[list[Name], bool]:
    """Split an author field into names; return (names, et_al).

    Handles "Lin, Y. L., De Meulder, B., & Wang, S. F.", "Brenner N, Schmid C.",
    "W. E. Howard", corporate authors "Alibaba Group" and acronyms "... (RTCAEP)".
    """
    value = value.strip()
    et_al = bool(re.search(r"\bet\s*al\b", value))
    value = re.sub(r",?\s*\bet\s*al\.?,?", "", value)
    value = re.sub(r"\s*\((?:eds?|Hrsg|coord)\.?\)\s*", " ", value)
    value = value.strip().rstrip(".,;:").strip()
    if not value:
        return [], et_al
    acronyms = {}

    # "(RTCAEP)" after a corporate name is its acronym
    def take_acronym(m: re.Match) -> str:
        acronyms[m.start()] = m.group(1)
        return f" \x00{m.group(1)}\x00"

    value = re.sub(r"\s*\(([A-Z][A-Z&]{1,12})\)", take_acronym, value)
    value = re.sub(r"\s+(?:and|&|und|et|y)\s+", ", ", value)
    value = value.replace(";", ",")
    parts = [p.strip() for p in value.split(",") if p.strip()]
    names: list[Name] = []
    pending_given = ""
    for part in parts:
        acronym = ""
        am = re.search(r"\x00(.+?)\x00", part)
        if am:
            acronym = am.group(1)
            part = part.replace(am.group(0), "").strip()
        if not part and acronym:
            if names:
                names[-1] = Name(names[-1].family, names[-1].given, acronym)
            continue
        if _is_initials(part):
            if names and not names[-1].given:
                names[-1] = Name(names[-1].family, part, names[-1].acronym)
            else:
                pending_given = part
            continue
        words = part.split()
        # Vancouver "Choguill CL": trailing initials
        if len(words) >= 2 and _is_initials(words[-1]) and not _is_initials(words[0]):
            names.append(Name(" ".join(words[:-1]), words[-1], acronym))
            continue
        # "W. E. Howard": leading initials
        lead = 0
        while lead < len(words) - 1 and _is_initials(words[lead]):
            lead += 1
        if lead:
            names.append(Name(" ".join(words[lead:]), " ".join(words[:lead]), acronym))
            continue
        # "Nicholson B." after "Adams": a given name written out, attach to the name before
        if names and not names[-1].given and len(words) <= 3 and _is_initials(words[-1]) and len(words) > 1:
            names[-1] = Name(names[-1].family, part, names[-1].acronym)
            continue
        if pending_given:
            names.append(Name(part, pending_given, acronym))
            pending_given = ""
        else:
            names.append(Name(part, "", acronym))
    return names, et_al


def ascii_key(text: str) -> str:
    """'Lü' -> 'lu', 'De Meulder' -> 'demeulder': for matching names and making ids."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text.lower())


# --------------------------------------------------------------------------- the parser


class ReferenceParser:
    """A trained CRF that labels reference strings. Load once, parse many."""

    def __init__(self, model_path: Path | str | None = None):
        path = Path(model_path) if model_path else default_model_path()
        if not path.is_file():
            raise FileNotFoundError(
                f"{path}: no reference-parser model; train one with "
                "`python -m urbankg.loaders.extraction.reference_training`"
            )
        self.model_path = path
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))

    def label(self, tokens: list[Token]) -> list[str]:
        if not tokens:
            return []
        return list(self._tagger.tag(features(tokens)))

    def parse(self, text: str) -> ParsedReference:
        text = " ".join(text.split())
        tokens = tokenize(text)
        parsed = ParsedReference(text=text, tokens=tokens, labels=self.label(tokens))
        clean_fields(parsed)
        return parsed


@lru_cache(maxsize=2)
def default_parser() -> ReferenceParser:
    return ReferenceParser()
