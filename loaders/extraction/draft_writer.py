"""Write an extraction as a draft annotation in urbankg's YAML format (annotation-mapping.yaml).

The draft is for a scholar to review, then `urbankg validate` and load. Everything the
extractor guessed says so: concepts and intents are suggestions (asserted_by: annotator,
scores and alternatives in comments), citations that did not resolve to exactly one
reference entry are listed at the top and left commented out where they stand, and
year mismatches are written with `mismatch:` and `mismatch_note:`. Nothing unresolved is
linked silently.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

from urbankg.loaders.annotation_mapping import load_mapping
from urbankg.loaders.extraction.citation_finder import LINKED
from urbankg.loaders.extraction.extractor import ExtractedCitation, ExtractedReference, Extraction, written_concepts

# Concept IRIs outside the data base are written with these prefixes of the mapping.
CONCEPT_PREFIXES = ("ukg", "skos")
# The agent the draft's suggestions are attributed to (declared in the ontology).
TOOL = "urbankg-extract"


def q(value: str) -> str:
    """A YAML double-quoted scalar (JSON's escaping is valid YAML; line separators escaped)."""
    text = json.dumps(str(value), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085")


def short_id(iri: str) -> str:
    """A concept IRI as the annotation format writes it: `concept/x`, `ukg:x` or `<iri>`.

    The data base and the prefixes are the annotation mapping's, which reads the draft back
    (its base follows URBANKG_BASE).
    """
    mapping = load_mapping()
    if iri.startswith(mapping.base):
        return iri[len(mapping.base) :]
    for prefix in CONCEPT_PREFIXES:
        namespace = mapping.prefixes[prefix]
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _comment(text: str, indent: str = "") -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in text.splitlines()]


def _is_linked(status: str) -> bool:
    return status in LINKED


def render(ex: Extraction) -> str:
    refs = ex.references
    slug = ex.paper_slug
    lines: list[str] = []
    add = lines.append

    cited = {w.entry for c in ex.citations for w in c.citation.works if _is_linked(w.status)}
    problems = [(c, w) for c in ex.citations for w in c.citation.works if w.status != "resolved"]
    uncited = [r for i, r in enumerate(refs) if i not in cited]

    # ------------------------------------------------------------------ header
    add(f"# DRAFT annotation of {ex.paper}, written by `urbankg extract` from {ex.source.name}")
    add(f"# on {_dt.date.today().isoformat()}. Everything below is a suggestion to review:")
    add("#  - works: fields parsed from the reference list by a CRF; check titles, years and venues;")
    add("#  - citations: in-text citations found in the text and the entries they were resolved to;")
    add("#  - acts: the intent is a `suggested_intent:` (from cue phrases) and the concepts are")
    add("#    `suggestions:` with a score in [0, 1], attributed to urbankg-extract (runners-up in")
    add("#    comments). A suggestion counts for nothing until accepted: write the intent under `intent:`")
    add("#    and the concepts you accept under `concepts:` (with `asserted_by: annotator`), and delete")
    add("#    the suggestions you reject. /papers/<id>/review does this with buttons.")
    add(f"# Then: urbankg validate THIS-FILE.yaml, with the record of {ex.paper} (its own file, e.g. from")
    add("#   `urbankg new paper`, or a BibTeX entry) if the store does not hold it yet: every id must be known.")
    if ex.paper.startswith("work/") and ex.paper == _placeholder(ex):
        add(f"# The paper id {ex.paper} was made from the file name: rename it to work/<author>-<year>.")
    add("#")
    add(f"# {len(refs)} reference entries ({ex.document.style} list), {len(ex.citations)} in-text citations.")
    if not refs:
        add("# NO REFERENCE LIST was found (no 'References' heading): no citation could be resolved.")
    if problems:
        add(f"# TO REVIEW: {len(problems)} cited work(s) not resolved to exactly one entry:")
        for c, w in problems:
            state = {
                "year-mismatch": "linked, YEAR MISMATCH",
                "no-year": "linked, NO YEAR CITED",
                "ambiguous": "NOT LINKED, ambiguous",
                "unresolved": "NOT LINKED, unresolved",
            }[w.status]
            add(f"#   citation/{slug}/{c.number:03d} (line {c.line}) {c.citation.text!s}: {state}: {w.note}")
            for k in w.candidates:
                add(f"#       candidate: reference/{slug}/{refs[k].key}")
    elif ex.citations:
        add("# Every in-text citation resolved to exactly one reference entry.")
    else:
        add("# No in-text citation was found.")
    if uncited:
        add(f"# {len(uncited)} reference entries are never cited in the text (check for missed citations):")
        for r in uncited:
            add(f"#   reference/{slug}/{r.key}")
    add("")
    add(f"paper: {ex.paper}")
    add("")

    # ------------------------------------------------------------------ works
    add("works:")
    if not refs:
        add("  []")
    for r in refs:
        lines.extend(_work(r))
    add("")

    # ------------------------------------------------------------------ references
    add("references:")
    if not refs:
        add("  []")
    for n, r in enumerate(refs, 1):
        add(f"  - id: reference/{slug}/{r.key}")
        add(f"    number: {r.entry.number if r.entry.number is not None else n}")
        add(f"    text: {q(r.entry.text)}")
        add(f"    work: work/{r.key}")
    add("")

    # ------------------------------------------------------------------ citations
    add("citations:")
    written = 0
    for c in ex.citations:
        block = _citation(ex, c)
        written += any(line.startswith("  - ") for line in block)
        lines.extend(block)
    if not written:  # only commented-out entries (or none): an empty list, not null
        add("  []")
    return "\n".join(lines) + "\n"


def _placeholder(ex: Extraction) -> str:
    from urbankg.loaders.extraction.extractor import default_paper_id

    return default_paper_id(ex.source)


def work_fields(parsed, entry_text: str) -> dict[str, str | int]:
    """The fields of a cited work as the draft writes them, from a parsed reference entry
    (the draft writer and the web review's merge and split of entries share it)."""
    f = parsed.fields
    out: dict[str, str | int] = {}
    out["title"] = f.get("title") or f.get("container") or entry_text[:120]
    year = f.get("year", "")
    if year[:4].isdigit() and 1800 <= int(year[:4]) <= 2100:
        out["year"] = int(year[:4])
    for name in ("container", "volume", "issue", "pages", "publisher", "doi"):
        if f.get(name) and not (name == "container" and not f.get("title")):  # a container made title
            out[name] = f[name]
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", f.get("url", "")):
        out["url"] = f["url"]
    if f.get("author"):
        # authors are people (person/... ids) in the format; the parsed names are a note until linked
        out["note"] = "Authors as listed: " + f["author"]
    return out


def _work(r: ExtractedReference) -> list[str]:
    f = r.parsed.fields
    fields = work_fields(r.parsed, r.entry.text)
    out = [f"  - id: work/{r.key}", f"    type: {r.work_type}"]
    for name, value in fields.items():
        check = (
            "   # CHECK: no title recognised; the entry's text"
            if name == "title" and not (f.get("title") or f.get("container"))
            else ""
        )
        out.append(f"    {name}: {value if isinstance(value, int) else q(value)}{check}")
    year = f.get("year", "")
    if year and "year" not in fields:
        out.append(f"    # year: {year}   (outside 1800-2100: check)")
    if f.get("url") and "url" not in fields:
        out.append(f"    # url: {q(f['url'])}   (not a valid IRI: check)")
    unparsed = [k for k in ("title", "year") if not f.get(k)]
    if unparsed:
        out.append(f"    # CHECK: the parser found no {' and no '.join(unparsed)} in this entry")
    return out


def _citation(ex: Extraction, c: ExtractedCitation) -> list[str]:
    refs = ex.references
    slug = ex.paper_slug
    cit = c.citation
    linked = [w for w in cit.works if _is_linked(w.status)]
    not_linked = [w for w in cit.works if not _is_linked(w.status)]
    entries = list(dict.fromkeys(w.entry for w in linked if w.entry is not None))  # linked: resolved to one

    body = []
    body.append(f"id: citation/{slug}/{c.number:03d}")
    body.append(f"text: {q(cit.text)}")
    body.append(
        "denotes: [" + ", ".join(f"reference/{slug}/{refs[e].key}" for e in entries) + "]"
        if entries
        else "denotes: []   # FILL IN: no reference entry found"
    )
    body.append(f"sentence: {q(c.sentence)}")
    if c.section:
        body.append(f"section: {q(c.section)}")
    if cit.locator:
        body.append(f"locator: {q(cit.locator)}")
    mismatches = [w for w in cit.works if w.status != "resolved"]
    if mismatches:
        kinds = {"year-mismatch": "year", "no-year": "other", "unresolved": "missing-entry", "ambiguous": "other"}
        kind = {kinds[w.status] for w in mismatches}
        body.append(f"mismatch: {kind.pop() if len(kind) == 1 else 'other'}")
        body.append("mismatch_note: " + q("; ".join(f"{w.text}: {w.note}" for w in mismatches)))
    notes = [w.note for w in linked if w.note and w.status == "resolved"]  # ibid
    body.append("acts:")
    for e in entries:
        body.extend("  " + line for line in _act(c, refs[e]))
    if not entries:
        body.append("  []")

    lines = [f"  # line {c.line}: {cit.form}" + (f"; {'; '.join(notes)}" if notes else "")]
    if linked:
        lines.append("  - " + body[0])
        lines.extend("    " + b for b in body[1:])
    else:  # nothing to link: leave it commented out where it stands, for the scholar to complete
        lines.append("  # NOT LINKED (" + "; ".join(f"{w.status}: {w.note}" for w in not_linked) + "):")
        lines.append("  # - " + body[0])
        lines.extend("  #   " + b for b in body[1:])
    return lines


def _act(c: ExtractedCitation, r: ExtractedReference) -> list[str]:
    out = [f"- cites: work/{r.key}"]
    intent = c.intent
    if intent and intent.cue:
        comment = f"   # suggested from '{intent.cue}'"
    else:
        comment = "   # suggested (no cue phrase: default)"
    if intent and intent.alternatives:
        comment += "; or " + ", ".join(intent.alternatives)
    out.append(f"  suggested_intent: {intent.intent if intent else 'citesForInformation'}{comment}")
    chosen = written_concepts(c.concepts)
    if chosen:
        out.append("  suggestions:")
        for s in chosen:
            out.append(
                f"    - {{concept: {short_id(s.concept.iri)}, score: {s.score:.2f}, reason: {q(s.why)}, by: {TOOL}}}"
            )
    for s in c.concepts:
        if s not in chosen:
            out.append(f"  #   runner-up {s.score:.2f} {short_id(s.concept.iri)} ({s.concept.label}): {s.why}")
    if not c.concepts:
        out.append("  #   no concept suggested")
    return out


def write_draft(ex: Extraction, out: Path | str) -> Path:
    out = Path(out)
    out.write_text(render(ex), encoding="utf-8")
    return out
