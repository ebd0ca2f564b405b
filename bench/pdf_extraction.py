"""Score the extractor on PDFs whose structured full text gives the gold (issue 18 item 5).

    python bench/pdf_extraction.py [--limit N] [-o bench/results/pdf-extraction.json]

1. Gets open-access JATS articles (CC-BY: PLOS, eLife, PeerJ, BMC) into bench/data/pdf-extraction/xml/,
   from a local snapshot of the public GitHub repositories that hold them (URBANKG_MIRROR, default
   /work/.mirror/<owner>+<name>/repo) or, failing that, from raw.githubusercontent.com at a pinned commit.
2. Builds the gold from the XML: every reference (authors' family names, title, container, year, volume,
   pages, DOI) and every in-text citation (`xref ref-type="bibr"`): its sentence and the references it denotes
   (a numbered range "[6]–[9]" denotes 6, 7, 8 and 9).
3. Renders each article to plain text (title, abstract, body paragraphs in reading order, "References" and each
   entry as the journal formats it) and to a PDF of that text (fpdf2: one or two columns, running header,
   page numbers, wrapped entries).
4. Runs the extractor on the text and on the PDF and scores, for each: per-field F1 of reference parsing, the
   share of papers whose reference count is exact, and citation -> reference precision and recall (a link is
   (citing sentence, gold reference); sentences are matched by normalised text).
5. Writes bench/results/pdf-extraction.json and the section "## Extraction from PDFs" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import json
import os
import re
import subprocess
import sys
import unicodedata
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

DATA = ROOT / "bench" / "data" / "pdf-extraction"
RESULTS = ROOT / "bench" / "results" / "pdf-extraction.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "## Extraction from PDFs"
MIRROR = Path(os.environ.get("URBANKG_MIRROR", "/work/.mirror"))

# (repository, commit) -> the articles taken from it. All four publishers license these CC-BY.
SOURCES = {
    ("PLOS/allofplos", "07fdeed848b2816a7fbf7da6418ef6e2076e1960"): [
        # social-science, economics, geography and urban subjects first (the project's field)
        f"allofplos/starter_corpus/journal.{n}.xml"
        for n in (
            "pone.0153152",
            "pone.0042593",
            "pone.0036880",
            "pone.0066742",
            "pone.0111971",
            "pone.0100977",
            "pone.0116201",
            "pone.0160653",
            "pcbi.1004152",
            "pmed.1001186",
        )
    ],
    ("elifesciences/elife-tools", "84894d1628043ea32cda1681ec55388b58ca2e0b"): [
        f"tests/sample-xml/elife{n}.xml" for n in ("00005", "00007", "00133", "02935", "04490", "05031", "06003")
    ],
    ("PeerJ/jats-conversion", "89d74ad9d409c79a8dad1e8516bee0475f528f7b"): [
        "tests/example-jats-1-1.xml",
        "tests/example-jats-1-1-software.xml",
    ],
    ("titipata/pubmed_parser", "155901889597a0b6cd1771c1953ff3968512df50"): [
        "data/1471-2180-11-174.nxml",
        "data/1472-6831-8-11.nxml",
    ],
}
# publisher -> (citation style, columns in the PDF, how a numbered entry starts)
STYLES = {
    "PLOS": ("numbered", 1, "{n}. "),
    "BMC": ("numbered", 2, "[{n}] "),
    "eLife": ("author-year", 1, ""),
    "PeerJ": ("author-year", 2, ""),
}
TARGETS = {"count_exact": 0.90, "link_precision": 0.98, "link_recall": 0.95, "field_f1": 0.95}
FIELDS = ("author", "title", "container", "year", "volume", "pages", "doi")
XLINK = "{http://www.w3.org/1999/xlink}href"


# --------------------------------------------------------------------------- 1. data


def publisher_of(repo: str, xml: str) -> str:
    if repo.startswith("PLOS") or "PLoS" in xml[:3000] or '<journal-id journal-id-type="publisher-id">plos' in xml:
        return "PLOS"
    if repo.startswith("elife"):
        return "eLife"
    if repo.startswith("PeerJ"):
        return "PeerJ"
    return "BMC"


def fetch_article(repo: str, commit: str, path: str) -> str:
    """The article's XML: from a local snapshot of the repository if there is one, else from GitHub."""
    git_dir = MIRROR / repo.replace("/", "+") / "repo"
    if git_dir.is_dir():
        done = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https URL)
        return response.read().decode("utf-8")


def get_articles(limit: int | None = None) -> list[tuple[str, Path]]:
    """(publisher, local XML file) for every article, fetched once into bench/data/pdf-extraction/xml/."""
    out = []
    target = DATA / "xml"
    target.mkdir(parents=True, exist_ok=True)
    items = [(repo, commit, path) for (repo, commit), paths in SOURCES.items() for path in paths]
    for repo, commit, path in tqdm(items[:limit] if limit else items, desc="articles", unit="xml"):
        local = target / (repo.replace("/", "+") + "+" + Path(path).name)
        if not local.is_file():
            local.write_text(fetch_article(repo, commit, path), encoding="utf-8")
        out.append((publisher_of(repo, local.read_text(encoding="utf-8")), local))
    return out


def parse_xml(text: str) -> ET.Element:
    """The article element; the DTD is dropped (not fetched) and named entities are replaced."""
    import html.entities

    text = re.sub(r"<!DOCTYPE[^>\[]*(\[[^\]]*\])?>", "", text, count=1)

    def entity(m: re.Match) -> str:
        name = m.group(1)
        if name in ("amp", "lt", "gt", "quot", "apos"):
            return m.group()
        return html.entities.html5.get(name + ";", m.group())

    text = re.sub(r"&([A-Za-z][A-Za-z0-9]*);", entity, text)
    return ET.fromstring(text)  # noqa: S314 (publishers' article XML, no DTD, no entity expansion)


# --------------------------------------------------------------------------- 2. gold


@dataclass
class GoldReference:
    rid: str
    number: int  # 1-based position in the list
    text: str  # the entry as rendered
    authors: list[str] = field(default_factory=list)  # family names
    title: str = ""
    container: str = ""
    year: str = ""
    volume: str = ""
    pages: str = ""
    doi: str = ""


@dataclass
class GoldCitation:
    sentence: int  # index into Article.sentences
    text: str  # the citation as written: "[3]", "Baas and Lin, 2011"
    refs: list[str]  # rids


@dataclass
class Article:
    name: str
    publisher: str
    style: str
    title: str
    paragraphs: list[tuple[str, str]]  # ("heading" | "p", text), in reading order
    references: list[GoldReference]
    sentences: list[str]
    citations: list[GoldCitation]

    def gold_json(self) -> dict:
        return {
            "name": self.name,
            "publisher": self.publisher,
            "style": self.style,
            "title": self.title,
            "references": [asdict(r) for r in self.references],
            "citations": [
                {"sentence": self.sentences[c.sentence], "text": c.text, "refs": c.refs} for c in self.citations
            ],
        }


def local(tag) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def clean(text: str) -> str:
    return " ".join((text or "").split())


def all_text(el: ET.Element | None) -> str:
    return clean("".join(el.itertext())) if el is not None else ""


def first(el: ET.Element, name: str) -> ET.Element | None:
    return next((e for e in el.iter() if local(e.tag) == name), None)


# Paragraph parts that are not running text (a PDF puts them elsewhere, or they are not text at all).
SKIP = {"fig", "table-wrap", "fig-group", "supplementary-material", "disp-formula", "graphic", "media", "object-id"}


def inline(el: ET.Element, parts: list[str], xrefs: list[tuple[int, int, str]]) -> None:
    """Append the running text of `el` to parts, recording each bibliographic xref's (start, end, rid)."""
    if el.text:
        parts.append(el.text)
    for child in el:
        name = local(child.tag)
        if name in SKIP:
            pass
        elif name == "xref" and child.get("ref-type") == "bibr":
            # PeerJ's pretty-printed XML drops the space before a citation ("e.g.,Gould, 1977;Alberch"); a
            # typeset page has it, and the extractor should not be scored on the difference
            before = "".join(parts[-2:])
            if before and (before[-1] in ",;" or before[-1].isalpha()) and not (child.text or "").startswith("["):
                parts.append(" ")
            start = sum(len(p) for p in parts)
            inline(child, parts, xrefs)
            for rid in (child.get("rid") or "").split():
                xrefs.append((start, sum(len(p) for p in parts), rid))
        elif name in ("inline-formula", "tex-math"):
            parts.append(all_text(child) or "x")
        else:
            inline(child, parts, xrefs)
        if child.tail:
            parts.append(child.tail)


# Sentence ends for the gold: ". " + capital/bracket, not after an abbreviation.
ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|cf|vs|etc|fig|figs|eq|ref|refs|ca|approx|no|vol|pp?)|\b[A-Z])\.$", re.I
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"[.!?][\"”’)\]]*(?=\s+[\"“‘(\[A-Z0-9])", text):
        if ABBREVIATION.search(text[max(0, m.start() - 8) : m.start() + 1]):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def name_string(name: ET.Element, given_first: bool = False) -> str:
    surname = all_text(first(name, "surname"))
    given = all_text(first(name, "given-names"))
    initials = given if len(given) <= 3 and given.isupper() else "".join(w[0] for w in re.split(r"[\s.-]+", given) if w)
    return f"{initials} {surname}" if given_first else f"{surname} {initials}".strip()


def citation_fields(cit: ET.Element) -> dict:
    """Gold fields of a mixed- or element-citation."""
    authors, printed = [], []  # family names; names as an element-citation prints them
    seen_other = False  # a bare name after the year or title is an editor ("In: Swami V, editor.")
    for child in cit.iter():
        name = local(child.tag)
        if name in ("year", "article-title", "chapter-title", "source"):
            seen_other = True
        if name in ("name", "collab", "string-name"):
            if seen_other and not any(local(p.tag) == "person-group" and child in list(p) for p in cit.iter()):
                continue
            # editors are not authors; a bare name (no person-group) is an author
            parents = [p for p in cit.iter() if child in list(p)]
            parent = parents[0] if parents else cit
            group = parent.get("person-group-type", "author") if local(parent.tag) == "person-group" else "author"
            if group != "author":
                continue
            if name == "collab":
                authors.append(all_text(child))
                printed.append(all_text(child))
            else:
                authors.append(all_text(first(child, "surname")) or (all_text(child).split() or [""])[0])
                printed.append(name_string(child) if name == "name" else all_text(child))
    article_title = all_text(first(cit, "article-title")) or all_text(first(cit, "chapter-title"))
    source = all_text(first(cit, "source"))
    if article_title:
        title, container = article_title, source
    else:
        title, container = source, ""  # a book: its title is the source
    year = re.search(r"\d{4}", all_text(first(cit, "year")))
    fpage, lpage = all_text(first(cit, "fpage")), all_text(first(cit, "lpage"))
    # an article number ("e31295") stands where pages would
    pages = f"{fpage}–{lpage}" if fpage and lpage else fpage or all_text(first(cit, "elocation-id"))
    doi = next((all_text(e) for e in cit.iter() if local(e.tag) == "pub-id" and e.get("pub-id-type") == "doi"), "")
    if not doi and local(cit.tag) == "mixed-citation":
        # PLOS prints it as a link in the entry's text: <comment>doi: <ext-link xlink:href="http://dx.doi.org/10...">
        printed_links = [all_text(e) for e in cit.iter() if local(e.tag) == "ext-link"]
        doi = next((t for t in printed_links if re.fullmatch(r"10\.\d{4,}/\S+", t)), "")
    return {
        "authors": [a for a in authors if a],
        "title": title.rstrip("."),
        "container": container.rstrip("."),
        "year": year.group() if year else "",
        "volume": all_text(first(cit, "volume")),
        "pages": pages,
        "doi": doi,
        "printed": printed,
    }


def render_mixed(cit: ET.Element) -> str:
    """A mixed-citation's text as the journal prints it (punctuation is in the XML)."""
    parts: list[str] = []

    def walk(el: ET.Element) -> None:
        if el.text and local(el.tag) != "name":
            parts.append(el.text)
        for child in el:
            name = local(child.tag)
            if name == "name":
                parts.append(name_string(child))
            elif name == "pub-id" and child.get("pub-id-type") == "doi":
                previous = "".join(parts)[-6:].lower()
                parts.append(("" if "doi" in previous else " doi: ") + all_text(child))
            elif name == "pub-id":
                pass
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(cit)
    return clean("".join(parts))


def render_element(f: dict, publisher: str, cit: ET.Element) -> str:
    """An element-citation formatted in the journal's style (it holds no punctuation)."""
    authors = ", ".join(f["printed"])
    title, container, year = f["title"], f["container"], f["year"]
    volume, pages, doi = f["volume"], f["pages"], f["doi"]
    issue = all_text(first(cit, "issue"))
    publisher_name = all_text(first(cit, "publisher-name"))
    place = all_text(first(cit, "publisher-loc"))
    imprint = ": ".join(x for x in (place, publisher_name) if x)
    if publisher == "PLOS":  # Smith J, Jones K (2010) Title. Journal 5: 123–130. doi:...
        s = f"{authors} ({year}) {title}."
        s += f" {container}" if container else ""
        s += f" {volume}" if volume else ""
        s += f": {pages}." if pages else "."
        s += f" {imprint}." if imprint else ""
        s += f" doi:{doi}" if doi else ""
    elif publisher == "BMC":  # Smith J, Jones K: Title. Journal 2010, 5:123-130.
        s = f"{authors}: {title}."
        s += f" {container}" if container else ""
        s += f" {imprint}" if imprint and not container else ""
        s += f" {year}" + (f", {volume}" if volume else "") + (f":{pages}" if pages else "") + "."
        s += f" doi:{doi}" if doi else ""
    else:  # eLife / PeerJ: Smith J, Jones K. 2010. Title. Journal 5(2):123–130. doi: 10...
        s = f"{authors}. {year}. {title}."
        s += f" {container}" if container else ""
        s += f" {volume}" if volume else ""
        s += f"({issue})" if volume and issue and publisher == "PeerJ" else ""
        s += f":{pages}" if pages else ""
        s += "." if container or pages else ""
        s += f" {imprint}." if imprint else ""
        s += (" DOI " if publisher == "PeerJ" else " doi: ") + doi if doi else ""
    return clean(s)


def build_article(xml_path: Path, publisher: str) -> Article:
    root = parse_xml(xml_path.read_text(encoding="utf-8"))
    style = STYLES[publisher][0]
    front = first(root, "article-meta")
    title = all_text(first(front, "article-title")) if front is not None else xml_path.stem

    # references, in list order (ref-lists of sub-articles are not the paper's)
    back = next((e for e in root if local(e.tag) == "back"), None)
    refs: list[GoldReference] = []
    for ref in (e for e in (back.iter() if back is not None else []) if local(e.tag) == "ref"):
        cit = next((e for e in ref.iter() if local(e.tag) in ("mixed-citation", "element-citation", "citation")), None)
        if cit is None:
            continue
        f = citation_fields(cit)
        printed = f.pop("printed")
        # Some mixed-citations (BMC's) hold no punctuation between their elements: format those as elements.
        between = (cit.text or "") + "".join(c.tail or "" for c in cit)
        mixed = local(cit.tag) in ("mixed-citation", "citation") and len(re.sub(r"\s", "", between)) >= 3
        text = render_mixed(cit) if mixed else render_element({**f, "printed": printed}, publisher, cit)
        refs.append(GoldReference(ref.get("id", ""), len(refs) + 1, text, **f))
    order = {r.rid: i for i, r in enumerate(refs)}

    # paragraphs: abstract (not the eLife digest) and body, skipping figures and tables
    paragraphs: list[tuple[str, str, list]] = []
    abstract = next((e for e in (front.iter() if front is not None else []) if local(e.tag) == "abstract"), None)
    if abstract is not None:
        paragraphs.append(("heading", "Abstract", []))
        for p in (e for e in abstract.iter() if local(e.tag) == "p"):
            paragraphs.append(paragraph(p))
    body = next((e for e in root if local(e.tag) == "body"), None)
    if body is not None:
        walk_body(body, paragraphs)

    sentences: list[str] = []
    citations: list[GoldCitation] = []
    for kind, text, xrefs in paragraphs:
        if kind != "p":
            continue
        spans = sentence_spans(text)
        base = len(sentences)
        sentences.extend(clean(text[a:b]) for a, b in spans)
        groups = group_xrefs(text, xrefs, style, refs, order)
        for start, cited, rids in groups:
            index = next((base + i for i, (a, b) in enumerate(spans) if a <= start < b), base + len(spans) - 1)
            citations.append(GoldCitation(index, cited, rids))
    return Article(
        xml_path.stem, publisher, style, title, [(k, t) for k, t, _ in paragraphs], refs, sentences, citations
    )


def paragraph(p: ET.Element) -> tuple[str, str, list]:
    parts: list[str] = []
    xrefs: list[tuple[int, int, str]] = []
    inline(p, parts, xrefs)
    raw = "".join(parts)
    # collapse whitespace, keeping the xref offsets in step
    out, mapping, space = [], [], True
    for ch in raw:
        mapping.append(len(out))
        if ch.isspace():
            if not space:
                out.append(" ")
            space = True
        else:
            out.append(ch)
            space = False
    mapping.append(len(out))
    text = "".join(out).rstrip()
    return "p", text, [(mapping[a], mapping[b], rid) for a, b, rid in xrefs]


def walk_body(el: ET.Element, paragraphs: list) -> None:
    for child in el:
        name = local(child.tag)
        if name in SKIP:
            continue
        if name == "title":
            t = all_text(child)
            if t:
                paragraphs.append(("heading", t, []))
        elif name == "p":
            paragraphs.append(paragraph(child))
        else:  # sec, list, list-item, boxed-text, ...
            walk_body(child, paragraphs)


def group_xrefs(text: str, xrefs: list, style: str, refs: list[GoldReference], order: dict) -> list:
    """(offset, citation text, rids) per citation: in a numbered text, "[6]–[9]" and "[6–9]" denote 6 to 9."""
    out: list[tuple[int, str, list[str]]] = []
    for i, (a, b, rid) in enumerate(xrefs):
        if rid not in order:
            continue
        rids = [rid]
        if style == "numbered" and i > 0:
            pa, pb, prid = xrefs[i - 1]
            if prid in order and re.fullmatch(r"\]?\s*[-–—]\s*\[?", text[pb:a]) and order[rid] > order[prid] + 1:
                rids = [r.rid for r in refs[order[prid] + 1 : order[rid] + 1]]
        out.append((a, text[a:b], rids))
    return out


# --------------------------------------------------------------------------- 3. rendering


def render_text(article: Article) -> str:
    """The paper as plain text: title, headings and paragraphs, then the reference list."""
    lines = [article.title, ""]
    for _kind, text in article.paragraphs:
        lines += [text, ""]
    lines += ["References", ""]
    prefix = STYLES[article.publisher][2]
    for r in article.references:
        lines.append((prefix.format(n=r.number) if article.style == "numbered" else "") + r.text)
    return "\n".join(lines) + "\n"


def font_path() -> Path | None:
    """A Unicode TrueType font (the core PDF fonts are Latin-1 only)."""
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")]
    try:
        import matplotlib

        candidates.append(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSerif.ttf")
    except ImportError:
        pass
    return next((p for p in candidates if p.is_file()), None)


def render_pdf(article: Article, text: str, path: Path) -> None:
    """A PDF of the rendered text: running header, page numbers, one or two columns, wrapped lines."""
    from fpdf import FPDF

    columns = STYLES[article.publisher][1]
    header = f"{article.publisher} | {article.title[:70]}"

    class Paper(FPDF):
        def header(self):
            self.set_font(family, size=7)
            self.cell(0, 5, header, align="C")
            self.ln(8)

        def footer(self):
            self.set_y(-12)
            self.set_font(family, size=7)
            self.cell(0, 5, str(self.page_no()), align="C")

    pdf = Paper(format="A4")
    font = font_path()
    family = "Serif" if font else "Times"
    if font:
        pdf.add_font("Serif", "", str(font))
        bold = font.with_name("DejaVuSerif-Bold.ttf")
        pdf.add_font("Serif", "B", str(bold if bold.is_file() else font))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    size = 9 if columns == 2 else 10

    def safe(s: str) -> str:
        return s if font else s.encode("latin-1", "replace").decode("latin-1")

    pdf.set_font(family, "B", 13)
    pdf.multi_cell(0, 6, safe(article.title), align="L")
    pdf.ln(3)
    headings = {t for k, t in article.paragraphs if k == "heading"} | {"References"}
    body = text.split("\n", 2)[2]  # the title is set above
    with pdf.text_columns(ncols=columns, gutter=6, text_align="LEFT") as cols:
        for block in body.split("\n"):
            if not block.strip():
                continue
            if block in headings:
                pdf.set_font(family, "B", size + 1)
                cols.write(text=safe(block))
                cols.ln()
                pdf.set_font(family, "", size)
            else:
                pdf.set_font(family, "", size)
                cols.write(text=safe(block))
                cols.ln()
                cols.ln(0.5)
    pdf.output(str(path))


# --------------------------------------------------------------------------- 4. scoring


def key(text: str) -> str:
    """Lowercase letters and digits only: what survives line breaks, hyphenation and spacing."""
    text = unicodedata.normalize("NFKD", text or "")
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def prf(tp: int, predicted: int, gold: int) -> dict:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "correct": tp,
        "extracted": predicted,
        "gold": gold,
    }


def match_references(gold: list[GoldReference], extracted: list[tuple[int | None, str]], style: str) -> dict:
    """Gold index -> extracted index: by number in a numbered list, else by the most similar entry text
    (one to one, best pairs first, similarity >= 0.6)."""
    out: dict[int, int] = {}
    if style == "numbered":
        by_number = {n: i for i, (n, _) in enumerate(extracted) if n is not None}
        out = {g: by_number[r.number] for g, r in enumerate(gold) if r.number in by_number}
        if len(out) >= len(gold) * 0.5:
            return out
    keys = [key(t) for _, t in extracted]
    pairs = []
    for g, r in enumerate(gold):
        target = key(r.text)
        for i, k in enumerate(keys):
            m = difflib.SequenceMatcher(None, target, k, autojunk=False)
            if m.real_quick_ratio() >= 0.6 and m.quick_ratio() >= 0.6:
                ratio = m.ratio()
                if ratio >= 0.6:
                    pairs.append((ratio, g, i))
    used: set[int] = set()
    out = {}
    for _, g, i in sorted(pairs, reverse=True):
        if g not in out and i not in used:
            out[g] = i
            used.add(i)
    return out


def field_value(name: str, value) -> str:
    if name == "pages":
        return re.sub(r"\s", "", str(value)).replace("–", "-").replace("—", "-").lower()
    if name == "doi":
        return str(value).lower().rstrip(".")
    return key(str(value))


def field_counts(gold: GoldReference | None, fields: dict | None) -> dict[str, tuple[int, int, int]]:
    """field -> (correct, predicted, gold) for one pair of entries; either side may be missing."""
    out = {}
    g_auth = Counter(key(a) for a in (gold.authors if gold else []))
    p_auth = Counter(key(a) for a in (fields or {}).get("author", []))
    out["author"] = (sum((g_auth & p_auth).values()), sum(p_auth.values()), sum(g_auth.values()))
    for name in FIELDS[1:]:
        g = field_value(name, getattr(gold, name)) if gold and getattr(gold, name) else ""
        p = field_value(name, (fields or {}).get(name, "")) if fields and fields.get(name) else ""
        out[name] = (int(bool(g) and g == p), int(bool(p)), int(bool(g)))
    return out


def predicted_fields(parsed) -> dict:
    f = parsed.fields
    return {
        "author": [a.family for a in parsed.authors],
        "title": f.get("title", ""),
        "container": f.get("container", ""),
        "year": str(parsed.year) if parsed.year else "",
        "volume": f.get("volume", ""),
        "pages": f.get("pages", ""),
        "doi": f.get("doi", ""),
    }


def locate_sentence(before: str, citation: str, after: str, sentence: str, gold_keys: list[str]) -> int | None:
    """The gold sentence a citation stands in: the one holding the citation with the text around it (the
    text before, the text after, or both: either may cross into the next sentence when the extractor
    splits sentences otherwise), else the one sharing most of the extractor's sentence."""
    b, c, a = key(before), key(citation), key(after)
    whole = key(sentence)
    for needle in (b[-40:] + c + a[:20], b[-40:] + c, c + a[:30], b[-20:] + c + a[:10], b[-20:] + c, c + a[:15]):
        if len(needle) < 12:
            continue
        hits = [i for i, g in enumerate(gold_keys) if needle in g]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return max(hits, key=lambda i: difflib.SequenceMatcher(None, gold_keys[i], whole).ratio())
    if not whole or not gold_keys:
        return None
    best = max(range(len(gold_keys)), key=lambda i: difflib.SequenceMatcher(None, gold_keys[i], whole).ratio())
    return best if difflib.SequenceMatcher(None, gold_keys[best], whole).ratio() >= 0.6 else None


def score_extraction(article: Article, ex) -> dict:
    """Scores of one extraction against the article's gold."""
    from urbankg.loaders.extraction.citation_finder import LINKED

    extracted = [(r.entry.number, r.entry.text) for r in ex.references]
    mapping = match_references(article.references, extracted, article.style)
    back = {i: g for g, i in mapping.items()}
    fields: dict[str, list[int]] = {f: [0, 0, 0] for f in FIELDS}
    field_errors: list[str] = []
    for g, r in enumerate(article.references):
        i = mapping.get(g)
        pred = predicted_fields(ex.references[i].parsed) if i is not None else None
        for name, (c, p, n) in field_counts(r, pred).items():
            fields[name] = [a + b for a, b in zip(fields[name], (c, p, n), strict=True)]
            if pred is not None and n and c < n and len(field_errors) < 40:
                want = r.authors if name == "author" else getattr(r, name)
                field_errors.append(f"{name}: gold {want!r} got {pred[name]!r} in [{r.number}] {r.text[:80]!r}")
    for i, ref in enumerate(ex.references):  # entries matched to no gold entry: all their fields are wrong
        if i not in back:
            for name, (_, p, _) in field_counts(None, predicted_fields(ref.parsed)).items():
                fields[name][1] += p

    gold_keys = [key(s) for s in article.sentences]
    gold_links = {(c.sentence, rid) for c in article.citations for rid in c.refs}
    rid_of = {i: article.references[g].rid for g, i in mapping.items()}
    pred_links: set[tuple[int | None, str]] = set()
    ambiguous: set[int | None] = set()  # gold sentences where the extractor left a citation ambiguous
    where: dict[tuple, str] = {}  # an extracted link -> the citation with the text before it
    text = ex.document.text
    for c in ex.citations:
        start, end = c.citation.start, c.citation.end
        sentence_index = locate_sentence(
            text[max(0, start - 80) : start], text[start:end], text[end : end + 60], c.sentence, gold_keys
        )
        for w in c.citation.works:
            if w.status in LINKED and w.entry is not None:
                link = (sentence_index, rid_of.get(w.entry, f"unmatched-entry-{w.entry}"))
                pred_links.add(link)
                where.setdefault(link, text[max(0, start - 30) : end])
            elif w.status == "ambiguous":
                ambiguous.add(sentence_index)
    correct = gold_links & pred_links
    kinds = failure_kinds(article, ex, mapping, gold_links - pred_links, ambiguous)
    for link in pred_links - gold_links:
        context = " ".join(where[link].split())
        kind = (
            "a bracket after a letter ('F[1,12] = 8.42') taken for a numbered citation"
            if re.search(r"[A-Za-z]\[[\d,\s]+\]$", context)
            else "link not in the gold (wrong entry, or a citation the XML does not tag)"
        )
        kinds.setdefault(kind, {"count": 0, "example": context[-120:]})["count"] += 1
    number = {r.rid: r.number for r in article.references}

    def show(link) -> str:
        s, rid = link
        where = article.sentences[s][:90] if s is not None else "(no gold sentence)"
        return f"[{number.get(rid, rid)}] <- {where!r}"

    return {
        "gold_references": len(article.references),
        "extracted_references": len(ex.references),
        "count_exact": len(ex.references) == len(article.references),
        "references_matched": len(mapping),
        "style_detected": ex.document.style,
        "fields": {f: prf(*v) for f, v in fields.items()},
        "links": prf(len(correct), len(pred_links), len(gold_links)),
        "failure_kinds": kinds,
        "errors": {
            "fields": field_errors,
            "links_extracted_not_gold": [show(x) for x in sorted(pred_links - gold_links, key=str)][:15],
            "links_gold_not_extracted": [show(x) for x in sorted(gold_links - pred_links, key=str)][:15],
        },
    }


def failure_kinds(article: Article, ex, mapping: dict, missed: set, ambiguous: set) -> dict[str, dict]:
    """Each kind of extractor failure seen in one paper: {kind: {"count": n, "example": "..."}}.
    The kinds are those the first runs showed; what fits none counts as "other"."""
    kinds: dict[str, dict] = {}

    def add(kind: str, example: str) -> None:
        entry = kinds.setdefault(kind, {"count": 0, "example": example[:200]})
        entry["count"] += 1

    if ex.document.style != article.style:
        add("list style misdetected", f"{article.style} list read as {ex.document.style}")
    header = f"{article.publisher} |"
    for r in ex.references:
        if header in r.entry.text:
            add("running header or page number inside an entry", r.entry.text)
    if len(ex.references) > len(article.references):
        add("entries split (more entries than references)", f"{len(ex.references)} for {len(article.references)}")
    elif len(ex.references) < len(article.references):
        add("entries merged (fewer entries than references)", f"{len(ex.references)} for {len(article.references)}")
    for g, i in mapping.items():
        gold, parsed = article.references[g], ex.references[i].parsed
        f = predicted_fields(parsed)
        if not f["year"] and re.search(r"\b(?:1[89]|20)\d\d;\s*\d", parsed.text):
            add("Vancouver 'Journal. 2002;11(3):282' not parsed (no year, volume, pages)", parsed.text)
        elif gold.volume and not f["volume"] and f"{gold.volume}:" in (f["pages"] + " " + f["container"]):
            add("volume:pages written without a space ('157:250–61') is one token, not split", parsed.text)
        if gold.container and key(f["title"]).endswith(key(gold.container)) and key(gold.container):
            add("title runs into the container", parsed.text)
        elif f["title"] and key(gold.title) != key(f["title"]) and key(gold.title).startswith(key(f["title"])):
            add("title cut short at a full stop or quote inside it", parsed.text)
        if any(re.search(r"\s[A-Z](?:-[A-Z])+\.?$", a) for a in f["author"]):
            add("hyphenated initials ('Kim S-G') kept in the family name", parsed.text)
    cites = {}
    for c in article.citations:
        for rid in c.refs:
            cites.setdefault((c.sentence, rid), c)
    in_sentence: dict[int, list[str]] = {}
    for c in article.citations:
        in_sentence.setdefault(c.sentence, []).append(c.text)
    for link in sorted(missed, key=str):
        c = cites.get(link)
        if c is None:
            continue
        sentence = article.sentences[c.sentence]
        at = max(0, sentence.find(c.text))
        opened = max(sentence.rfind("(", 0, at), sentence.rfind("[", 0, at))
        closes = [i for i in (sentence.find(")", at), sentence.find("]", at)) if i >= 0]
        group = sentence[opened + 1 : min(closes)] if opened >= 0 and closes else ""
        rest = group
        for t in in_sentence[c.sentence]:
            rest = rest.replace(t, " ")
        rest = re.sub(r"\bet al\.?|\band\b", " ", rest)
        if article.style == "numbered" and len(c.refs) > 1:
            add("numbered range across brackets '[6]–[9]' not expanded", sentence)
        elif c.sentence in ambiguous:
            add("same first author and year ('et al.' vs two authors, 2004a/b) left ambiguous", sentence)
        elif article.style == "author-year" and opened >= 0 and sentence[opened] == "[":
            add("author-year citation in square brackets '[Spalding et al., 2005]'", group)
        elif re.search(r"\b(?:Fig|Figure|Table|Supplementary|Video)", rest):
            add("a figure or table reference in the citation's parentheses drops the group", group)
        elif re.search(r"\b[a-z]{2,}\b", rest):
            add("prose in the citation's parentheses ('reviewed in', 'see also', 'e.g.') drops the group", group)
        elif link[1] not in {article.references[g].rid for g in mapping}:
            add("cited reference not found in the extracted list", sentence)
        else:
            add("citation missed (other)", f"{c.text!r} in {group or sentence!r}")
    return kinds


def pooled_kinds(papers: list[dict], kind: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for p in papers:
        for name, v in p[kind]["failure_kinds"].items():
            entry = out.setdefault(name, {"count": 0, "papers": 0, "example": f"{p['paper']}: {v['example']}"})
            entry["count"] += v["count"]
            entry["papers"] += 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["count"]))


def pooled(papers: list[dict], kind: str) -> dict:
    scored = [p[kind] for p in papers if kind in p]
    fields = {
        f: prf(*[sum(s["fields"][f][k] for s in scored) for k in ("correct", "extracted", "gold")]) for f in FIELDS
    }
    links = prf(*[sum(s["links"][k] for s in scored) for k in ("correct", "extracted", "gold")])
    return {
        "papers": len(scored),
        "count_exact_share": round(sum(s["count_exact"] for s in scored) / len(scored), 4) if scored else 0.0,
        "fields": fields,
        "links": links,
        "failure_kinds": pooled_kinds(papers, kind),
    }


# --------------------------------------------------------------------------- 5. running and reporting


def run(limit: int | None = None) -> dict:
    from urbankg.loaders.extraction.concept_linker import ConceptLinker
    from urbankg.loaders.extraction.extractor import extract
    from urbankg.loaders.extraction.reference_parser import default_parser

    parser, linker = default_parser(), ConceptLinker([])  # concepts are not scored here
    articles = get_articles(limit)
    (DATA / "gold").mkdir(parents=True, exist_ok=True)
    (DATA / "text").mkdir(parents=True, exist_ok=True)
    (DATA / "pdf").mkdir(parents=True, exist_ok=True)
    papers = []
    for publisher, xml in tqdm(articles, desc="papers", unit="paper"):
        article = build_article(xml, publisher)
        (DATA / "gold" / f"{article.name}.json").write_text(
            json.dumps(article.gold_json(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        text = render_text(article)
        txt = DATA / "text" / f"{article.name}.txt"
        txt.write_text(text, encoding="utf-8")
        pdf = DATA / "pdf" / f"{article.name}.pdf"
        render_pdf(article, text, pdf)
        result = {
            "paper": article.name,
            "publisher": publisher,
            "style": article.style,
            "gold_citations": len(article.citations),
        }
        for kind, path in (("text", txt), ("pdf", pdf)):
            ex = extract(path, f"work/{article.name}", parser=parser, linker=linker, progress=False)
            result[kind] = score_extraction(article, ex)
        papers.append(result)
    return {
        "date": datetime.date.today().isoformat(),
        "command": "python bench/pdf_extraction.py",
        "targets_on_pdf": TARGETS,
        "papers": papers,
        "text": pooled(papers, "text"),
        "pdf": pooled(papers, "pdf"),
        "by_publisher": {
            pub: {kind: pooled([p for p in papers if p["publisher"] == pub], kind) for kind in ("text", "pdf")}
            for pub in sorted({p["publisher"] for p in papers})
        },
    }


def verdicts(pool: dict) -> dict[str, bool]:
    return {
        "count_exact": pool["count_exact_share"] >= TARGETS["count_exact"],
        "link_precision": pool["links"]["precision"] >= TARGETS["link_precision"],
        "link_recall": pool["links"]["recall"] >= TARGETS["link_recall"],
        **{f"{f}_f1": pool["fields"][f]["f1"] >= TARGETS["field_f1"] for f in FIELDS},
    }


def print_table(results: dict) -> None:
    print(f"{'':<12}{'text':>10}{'pdf':>10}   target (PDF)")
    t, p = results["text"], results["pdf"]
    met = verdicts(p)
    ok = lambda good: "met" if good else "NOT met"  # noqa: E731
    exact = ok(met["count_exact"])
    print(f"{'count exact':<12}{t['count_exact_share']:10.3f}{p['count_exact_share']:10.3f}   >= 0.90 {exact}")
    for k, name in (("precision", "link P"), ("recall", "link R")):
        target = TARGETS[f"link_{k}"]
        print(f"{name:<12}{t['links'][k]:10.3f}{p['links'][k]:10.3f}   >= {target:.2f} {ok(met[f'link_{k}'])}")
    for f in FIELDS:
        print(f"{f + ' F1':<12}{t['fields'][f]['f1']:10.3f}{p['fields'][f]['f1']:10.3f}   >= 0.95 {ok(met[f + '_f1'])}")
    print()
    print(f"{'paper':<44}{'pub':<7}{'refs':>5}{'txt':>5}{'pdf':>5}{'link P/R txt':>15}{'link P/R pdf':>15}")
    for r in results["papers"]:
        tx, pd = r["text"], r["pdf"]
        print(
            f"{r['paper'][:43]:<44}{r['publisher']:<7}{tx['gold_references']:>5}{tx['extracted_references']:>5}"
            f"{pd['extracted_references']:>5}{tx['links']['precision']:>8.2f}/{tx['links']['recall']:.2f}"
            f"{pd['links']['precision']:>9.2f}/{pd['links']['recall']:.2f}"
        )


def worst(results: dict, n: int = 5) -> list[str]:
    """The papers furthest from the targets on PDF, and what went wrong in each."""
    lines = []
    ranked = sorted(
        results["papers"],
        key=lambda r: r["pdf"]["links"]["f1"] + (1 if r["pdf"]["count_exact"] else 0),
    )
    for r in ranked[:n]:
        pd = r["pdf"]
        what = [
            f"{pd['extracted_references']} entries for {pd['gold_references']} references",
            f"links P {pd['links']['precision']:.2f} R {pd['links']['recall']:.2f}",
        ]
        example = (pd["errors"]["links_gold_not_extracted"] or pd["errors"]["links_extracted_not_gold"] or [""])[0]
        lines.append(f"- {r['paper']} ({r['publisher']}, {r['style']}): {'; '.join(what)}; e.g. missed {example}")
    return lines


def wrap(text: str) -> list[str]:
    import textwrap

    indent = "  " if text.startswith("- ") else ""  # a list item's lines continue it
    return textwrap.wrap(text, width=104, break_long_words=False, break_on_hyphens=False, subsequent_indent=indent)


def f1_cell(scores: dict) -> str:
    return f"{scores['f1']:.2f}" if scores["gold"] else "n/a"  # no gold value of the field: nothing to score


def markdown(results: dict) -> str:
    t, p = results["text"], results["pdf"]
    met = verdicts(p)
    counts = Counter((r["publisher"], r["style"]) for r in results["papers"])
    yes = lambda good: "yes" if good else "**no**"  # noqa: E731
    out = [SECTION, ""]
    out += wrap(
        f"Measured on {results['date']} with `{results['command']}` (issue 18 item 5). Open-access JATS articles "
        "(CC-BY) give the gold: each reference's family names, title, container, year, volume, pages and DOI, "
        'and each `xref ref-type="bibr"` with its sentence and the references it denotes. Each article is '
        "rendered to plain text (abstract and body in reading order, then the references in the journal's own "
        "style) and to a PDF of that text (fpdf2: running header and page number on each page, one column for "
        "PLOS and eLife, two for BMC and PeerJ, entries wrapped over lines); the extractor runs on both. "
        "Per paper and per error: `bench/results/pdf-extraction.json`."
    )
    out += [""]
    out += wrap(
        f"Papers ({len(results['papers'])}): "
        + ", ".join(f"{pub} {n} ({style})" for (pub, style), n in sorted(counts.items()))
        + "; "
        + f"{sum(r['text']['gold_references'] for r in results['papers'])} references, "
        + f"{sum(r['gold_citations'] for r in results['papers'])} in-text citations."
    )
    out += [
        "",
        "| measure | text | PDF | target on PDF | met |",
        "|---|---|---|---|---|",
        f"| reference count exact (share of papers) | {t['count_exact_share']:.3f} | {p['count_exact_share']:.3f} "
        f"| >= 0.90 | {yes(met['count_exact'])} |",
        f"| citation -> reference P | {t['links']['precision']:.3f} | {p['links']['precision']:.3f} | >= 0.98 "
        f"| {yes(met['link_precision'])} |",
        f"| citation -> reference R | {t['links']['recall']:.3f} | {p['links']['recall']:.3f} | >= 0.95 "
        f"| {yes(met['link_recall'])} |",
    ]
    for f in FIELDS:
        out.append(
            f"| {f} F1 | {t['fields'][f]['f1']:.3f} | {p['fields'][f]['f1']:.3f} | >= 0.95 | {yes(met[f + '_f1'])} |"
        )
    header = "| publisher | count exact | link P | link R | " + " | ".join(FIELDS) + " |"
    out += ["", "On PDF, by publisher:", "", header]
    out += ["|---" * (4 + len(FIELDS)) + "|"]
    for pub, pools in results.get("by_publisher", {}).items():
        q = pools["pdf"]
        out.append(
            f"| {pub} | {q['count_exact_share']:.2f} | {q['links']['precision']:.2f} | {q['links']['recall']:.2f} | "
            + " | ".join(f1_cell(q["fields"][f]) for f in FIELDS)
            + " |"
        )
    missed = [k for k, v in met.items() if not v]
    out += [""]
    out += wrap(
        "Gaps: "
        + (
            ", ".join(missed) + " are below target on PDF; the failure kinds below are what to fix next."
            if missed
            else "none; every target is met on PDF. The failure kinds below are what is left."
        )
    )
    out += ["", "Failure kinds on PDF (occurrences, papers, an example):", ""]
    for name, v in p["failure_kinds"].items():
        out += wrap(f"- {name}: {v['count']} in {v['papers']} papers; e.g. {v['example'][:160]}")
    out += ["", "Worst papers on PDF:", ""]
    for line in worst(results):
        out += wrap(line)
    out += [""]
    out += wrap(
        "What the figures do not say: the PDFs are made from text, so they test line wrapping, columns, running "
        "headers and page breaks, not a publisher's typesetting (ligatures, hyphenation, superscript numbers, "
        "tables); figures, tables and formulas are left out of the text. PeerJ's example XML lacks the space "
        "before some citations ('e.g.,Gould, 1977;Alberch'); the renderer puts it back. The gold is the "
        "publishers' XML as it "
        "is: a few of its errors count against the extractor (an xref pointing to the wrong entry in eLife "
        "00007, an `lpage` holding a whole citation in PLOS ONE 0042593). A DOI counts as gold where the entry "
        "prints it: a `pub-id`, or in a mixed-citation a link whose text is the DOI (PLOS)."
    )
    out += [""]
    return "\n".join(out)


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
    ap.add_argument("--limit", type=int, help="only the first N articles (a quick look)")
    ap.add_argument("-o", "--output", type=Path, default=RESULTS)
    ap.add_argument("--no-markdown", action="store_true", help="leave BENCHMARKS.md alone")
    args = ap.parse_args(argv)
    results = run(args.limit)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print_table(results)
    if not args.no_markdown:
        write_section(markdown(results))
    print(f"\nwrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
