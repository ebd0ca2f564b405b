"""Reviewing a paper's draft annotation step by step: the operations the review pages
(/papers/<id>/review/...) perform on the draft's YAML files.

The files are the state. Each operation reads them with ruamel.yaml's round trip, changes
one thing and writes them back, so the comments the extractor left, the key order and the
ids stay as they were, and a team keeps the folder in git with readable diffs. Reopening a
review reads the files again: nothing is held elsewhere.

The folder holds ``<slug>.yaml`` (the record: the paper, its authors, concepts the reviewer
defines, claims), ``<slug>-citations.yaml`` (works, references, citations) and, once a fact
or a case is added, ``<slug>-cases.yaml`` (cases, places, measures, observations), as in
corpus/.

A suggestion of the extractor (``suggested_intent:``, ``suggestions:``) becomes an accepted
value (``intent:``, ``concepts:``, ``asserted_by: annotator``) only by :meth:`accept_concept`
or :meth:`set_intent`. Text a reviewer selects becomes a quote only if it occurs in the
paper's full text (:meth:`quote`), so `urbankg verify-quotes` holds by construction.
:meth:`trial` validates the folder as it would be after a change, without writing, and
places each problem at the entity and field it concerns.
"""

from __future__ import annotations

import fcntl
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from urbankg import config
from urbankg.errors import Problem, UrbankgError
from urbankg.identity.matching import fold
from urbankg.intake import Author
from urbankg.quotes import normalise

FULL_TEXT = "fulltext.txt"  # the text the extractor read, kept privately beside the uploaded file
LOCK = ".review.lock"  # held while a change is made (DraftReview.locked); not an annotation file
STANCES = ("supports", "challenges", "qualifies")


class ReviewError(UrbankgError):
    """A change the review refuses, said at the form field it concerns."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass
class Located:
    """A problem of the draft placed at an entity (its id) and a field of the form."""

    file: str
    line: int | None
    message: str
    item: str | None = None  # the id of the top-level entity, e.g. observation/x/y
    field: str | None = None  # its key, e.g. value; acts.intent for a nested key
    severity: str = "error"


@dataclass
class Act:
    cites: str
    intent: list[str]
    suggested_intent: str | None
    concepts: list[str]
    suggestions: list[dict] = field(default_factory=list)  # concept, score, reason


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # one line per value: diffs show the value that changed
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def text(value: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(" ".join(str(value).split()))


def flow(values: Iterable) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def slugify(value: str, words: int = 6) -> str:
    return "-".join(fold(value).split()[:words]) or "item"


class DraftReview:
    def __init__(self, folder: Path, slug: str, full_text: Path | None = None):
        self.folder = folder
        self.slug = slug
        self.full_text = full_text
        self.paper = f"work/{slug}"
        self._docs: dict[str, CommentedMap] = {}
        self._changed: set[str] = set()

    # -- files -----------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[DraftReview]:
        """Hold the draft for one change: two reviewers (two requests, two processes) saving at
        once would otherwise each read the files, change them and write them back, and the
        second write would drop the first change. The files are read after the lock is taken."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._docs.clear()
            self._changed.clear()
            try:
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def record_name(self) -> str:
        return f"{self.slug}.yaml"

    @property
    def citations_name(self) -> str:
        return f"{self.slug}-citations.yaml"

    @property
    def cases_name(self) -> str:
        return f"{self.slug}-cases.yaml"

    def doc(self, name: str, *, create: bool = False) -> CommentedMap:
        if name not in self._docs:
            path = self.folder / name
            if path.exists():
                self._docs[name] = _yaml().load(path.read_text(encoding="utf-8")) or CommentedMap()
            elif create:
                doc = CommentedMap()
                doc["paper"] = self.paper
                doc.yaml_set_start_comment(f"Cases, places, measures and facts of {self.paper}, added in its review.")
                self._docs[name] = doc
                self._changed.add(name)
            else:
                self._docs[name] = CommentedMap()
        return self._docs[name]

    def render(self, name: str) -> str:
        out = io.StringIO()
        _yaml().dump(self.doc(name), out)
        return out.getvalue()

    def rendered(self) -> dict[str, str]:
        """Every file of the draft as it would be written now (changed or not)."""
        names = {p.name for p in self.folder.glob("*.yaml")} | set(self._changed)
        return {n: self.render(n) if n in self._docs else (self.folder / n).read_text(encoding="utf-8") for n in names}

    def save(self) -> None:
        for name in sorted(self._changed):
            path = self.folder / name
            tmp = path.with_suffix(".yaml.tmp")
            tmp.write_text(self.render(name), encoding="utf-8")
            tmp.replace(path)  # a reader never sees half a file
        self._changed.clear()

    def _section(self, name: str, key: str, *, create: bool = False) -> CommentedSeq:
        doc = self.doc(name, create=create)
        if not isinstance(doc.get(key), list):
            if not create:
                return CommentedSeq()
            doc[key] = CommentedSeq()
            self._touch(name)
        return doc[key]

    def _touch(self, name: str) -> None:
        self._changed.add(name)

    # -- the record --------------------------------------------------------------------

    def record(self) -> CommentedMap:
        papers = self._section(self.record_name, "papers")
        for item in papers:
            if item.get("id") == self.paper:
                return item
        raise UrbankgError(f"{self.record_name} has no entry {self.paper} under `papers:`")

    def people(self) -> dict[str, CommentedMap]:
        return {p["id"]: p for p in self._section(self.record_name, "people")}

    def set_metadata(self, *, title: str, year: int | None, doi: str, authors: list[Author]) -> None:
        if not title.strip():
            raise ReviewError("title", "a paper needs its title")
        work = self.record()
        work["title"] = text(title)
        for key, value in (("year", year), ("doi", doi.strip() or None)):
            if value:
                work[key] = value if key == "year" else text(str(value))
            elif key in work:
                del work[key]
        people = self._section(self.record_name, "people", create=True)
        known = {p["id"]: p for p in people}
        ids = []
        for author in authors:
            person_id = f"person/{author.slug}"
            ids.append(person_id)
            if person_id not in known:
                entry = CommentedMap()
                entry["id"] = person_id
                entry["name"] = text(f"{author.given} {author.family}".strip())
                entry["family_name"] = text(author.family)
                if author.given:
                    entry["given_name"] = text(author.given)
                people.append(entry)
                known[person_id] = entry
        if ids:
            work["authors"] = flow(ids)
        # people of the record no longer among the authors are dropped with them
        for index in reversed(range(len(people))):
            if people[index]["id"] not in ids:
                del people[index]
        self._touch(self.record_name)

    # -- references ----------------------------------------------------------------------

    def works(self) -> dict[str, CommentedMap]:
        return {w["id"]: w for w in self._section(self.citations_name, "works")}

    def references(self) -> list[CommentedMap]:
        return list(self._section(self.citations_name, "references"))

    def _reference(self, ref_id: str) -> CommentedMap:
        for ref in self.references():
            if ref["id"] == ref_id:
                return ref
        raise ReviewError("reference", f"no reference entry {ref_id} in this draft")

    def set_reference(self, ref_id: str, entry_text: str, fields: dict[str, str]) -> None:
        ref = self._reference(ref_id)
        if not entry_text.strip():
            raise ReviewError("text", "an entry keeps its text as the reference list prints it")
        ref["text"] = text(entry_text)
        work = self.works().get(ref["work"])
        if work is not None:
            for key, value in fields.items():
                value = value.strip()
                if key == "year":
                    if value and not re.fullmatch(r"\d{4}", value):
                        raise ReviewError("year", f"'{value}' is not a year: write four digits, e.g. 2019")
                    if value:
                        work["year"] = int(value)
                    elif "year" in work:
                        del work["year"]
                elif value:
                    work[key] = text(value)
                elif key in work and key != "title":
                    del work[key]
        self._touch(self.citations_name)

    def merge_references(self, ref_id: str) -> None:
        """Join an entry with the next one (a page or column break split it): the text of both,
        parsed again; citations of the second point at the joined entry."""
        refs = self._section(self.citations_name, "references")
        index = next((i for i, r in enumerate(refs) if r["id"] == ref_id), None)
        if index is None or index + 1 >= len(refs):
            raise ReviewError("reference", f"{ref_id} has no next entry to merge with")
        first, second = refs[index], refs[index + 1]
        self._reparse(first, f"{first['text']} {second['text']}")
        self._repoint(second["id"], first["id"])
        del refs[index + 1]
        self._drop_work_if_unused(second["work"])
        self._renumber()

    def split_reference(self, ref_id: str, at: str) -> str:
        """Split an entry where ``at`` begins (two entries a line break joined); the new entry's id."""
        refs = self._section(self.citations_name, "references")
        index = next((i for i, r in enumerate(refs) if r["id"] == ref_id), None)
        if index is None:
            raise ReviewError("reference", f"no reference entry {ref_id} in this draft")
        whole = str(refs[index]["text"])
        cut = whole.find(at.strip()) if at.strip() else -1
        if cut <= 0:
            raise ReviewError("split", "copy the first words of the second entry, as they stand in the text")
        self._reparse(refs[index], whole[:cut])
        parsed = self._parse(whole[cut:])
        from urbankg.loaders.extraction.extractor import work_slug, work_type

        key = self._free_work_key(work_slug(parsed))
        new_ref = CommentedMap()
        new_ref["id"] = f"reference/{self.slug}/{key}"
        new_ref["number"] = 0
        new_ref["text"] = text(whole[cut:])
        new_ref["work"] = f"work/{key}"
        refs.insert(index + 1, new_ref)
        work = CommentedMap()
        work["id"] = f"work/{key}"
        work["type"] = work_type(parsed)
        self._fill_work(work, parsed, whole[cut:])
        self._section(self.citations_name, "works").append(work)
        self._renumber()
        return new_ref["id"]

    def _parse(self, entry_text: str):
        from urbankg.loaders.extraction.reference_parser import default_parser

        return default_parser().parse(" ".join(entry_text.split()))

    def _reparse(self, ref: CommentedMap, entry_text: str) -> None:
        ref["text"] = text(entry_text)
        work = self.works().get(ref["work"])
        if work is not None:
            for key in [k for k in work if k not in ("id", "type")]:
                del work[key]
            self._fill_work(work, self._parse(entry_text), entry_text)
        self._touch(self.citations_name)

    @staticmethod
    def _fill_work(work: CommentedMap, parsed, entry_text: str) -> None:
        from urbankg.loaders.extraction.draft_writer import work_fields

        for key, value in work_fields(parsed, " ".join(entry_text.split())).items():
            work[key] = value if isinstance(value, int) else text(value)

    def _free_work_key(self, key: str) -> str:
        works = self.works()
        candidate, n = key, 1
        while f"work/{candidate}" in works:
            n += 1
            candidate = f"{key}-{n}"
        return candidate

    def _drop_work_if_unused(self, work_id: str) -> None:
        if any(r["work"] == work_id for r in self.references()):
            return
        works = self._section(self.citations_name, "works")
        for index in reversed(range(len(works))):
            if works[index]["id"] == work_id:
                del works[index]

    def _renumber(self) -> None:
        for n, ref in enumerate(self._section(self.citations_name, "references"), 1):
            ref["number"] = n
        self._touch(self.citations_name)

    def _repoint(self, old_ref: str, new_ref: str) -> None:
        for citation in self.citations():
            denotes = list(citation.get("denotes") or [])
            if old_ref in denotes:
                self.set_denotes(citation["id"], [new_ref if r == old_ref else r for r in denotes])

    # -- citations -------------------------------------------------------------------------

    def citations(self) -> list[CommentedMap]:
        return list(self._section(self.citations_name, "citations"))

    def citation(self, citation_id: str) -> CommentedMap:
        for citation in self.citations():
            if citation["id"] == citation_id:
                return citation
        raise ReviewError("citation", f"no citation {citation_id} in this draft")

    def acts(self, citation_id: str) -> list[Act]:
        out = []
        for act in self.citation(citation_id).get("acts") or []:
            intent = act.get("intent") or []
            out.append(
                Act(
                    act["cites"],
                    [intent] if isinstance(intent, str) else list(intent),
                    act.get("suggested_intent"),
                    list(act.get("concepts") or []),
                    [dict(s) for s in act.get("suggestions") or []],
                )
            )
        return out

    def _act(self, citation_id: str, work: str) -> CommentedMap:
        for act in self.citation(citation_id).get("acts") or []:
            if act["cites"] == work:
                return act
        raise ReviewError("act", f"{citation_id} does not cite {work}")

    def set_denotes(self, citation_id: str, ref_ids: list[str]) -> None:
        """Point a citation at other entries; its acts follow (one per cited work), keeping
        what was reviewed for works it still cites."""
        refs = {r["id"]: r for r in self.references()}
        unknown = [r for r in ref_ids if r not in refs]
        if unknown or not ref_ids:
            raise ReviewError("denotes", "choose one or more entries of the reference list")
        citation = self.citation(citation_id)
        old = {a["cites"]: a for a in citation.get("acts") or []}
        suggested = next((a.get("suggested_intent") for a in old.values() if a.get("suggested_intent")), None)
        acts = CommentedSeq()
        for ref_id in dict.fromkeys(ref_ids):
            work = refs[ref_id]["work"]
            if work in old:
                acts.append(old[work])
                continue
            act = CommentedMap()
            act["cites"] = work
            act["suggested_intent"] = suggested or "citesForInformation"
            acts.append(act)
        citation["denotes"] = flow(dict.fromkeys(ref_ids))
        citation["acts"] = acts
        self._touch(self.citations_name)

    def set_intent(self, citation_id: str, work: str, intents: list[str]) -> None:
        if not intents:
            raise ReviewError("intent", "choose what the paper does with the cited work")
        act = self._act(citation_id, work)
        _put(act, "intent", flow(intents))
        act.pop("suggested_intent", None)
        self._accepted(act)

    def accept_concept(self, citation_id: str, work: str, concept: str) -> None:
        """The concept becomes one the work is cited for (a suggestion of it is consumed)."""
        act = self._act(citation_id, work)
        self._drop_suggestion(act, concept)
        concepts = act.get("concepts") or flow([])
        if concept not in concepts:
            concepts.append(concept)
        _put(act, "concepts", concepts)
        self._accepted(act)

    def reject_concept(self, citation_id: str, work: str, concept: str) -> None:
        act = self._act(citation_id, work)
        self._drop_suggestion(act, concept)
        concepts = act.get("concepts")
        if concepts and concept in concepts:
            concepts.remove(concept)
            if not concepts:
                del act["concepts"]
        self._touch(self.citations_name)

    def _drop_suggestion(self, act: CommentedMap, concept: str) -> None:
        suggestions = act.get("suggestions")
        if suggestions:
            for index in reversed(range(len(suggestions))):
                if suggestions[index]["concept"] == concept:
                    del suggestions[index]
            if not suggestions:
                del act["suggestions"]
        self._touch(self.citations_name)

    def _accepted(self, act: CommentedMap) -> None:
        _put(act, "asserted_by", "annotator")
        self._touch(self.citations_name)

    # -- quotes, concepts, claims ------------------------------------------------------------

    def quote(self, selected: str, field_name: str = "evidence") -> str:
        """The selected text, if it occurs in the paper's full text (whitespace aside)."""
        quoted = " ".join(selected.split())
        if len(quoted) < 3:
            raise ReviewError(field_name, "select the words of the paper this rests on")
        if self.full_text is None or not self.full_text.exists():
            raise ReviewError(field_name, "this draft has no full text to quote from: add the paper at /papers/new")
        if normalise(quoted) not in normalise(self.full_text.read_text(encoding="utf-8")):
            raise ReviewError(field_name, "these words are not in the paper as written: select them in the text")
        return quoted

    def define_concept(self, *, label: str, definition: str, broader: str, schemes: list[str], quote: str) -> str:
        """A concept the paper introduces, under a broader concept (or a framework) of the
        graph; its id. ``schemes``: the frameworks the broader concept is in."""
        if not label.strip():
            raise ReviewError("label", "a concept needs its label, as the field writes it")
        if not definition.strip():
            raise ReviewError("definition", "a concept needs a definition, in a sentence")
        if not broader:
            raise ReviewError("broader", "place the concept under a broader concept or a framework")
        evidence = self.quote(quote, "quote")
        concepts = self._section(self.record_name, "concepts", create=True)
        concept_id = f"concept/{slugify(label)}"
        if any(c["id"] == concept_id for c in concepts):
            raise ReviewError("label", f"{concept_id} is defined in this draft already")
        entry = CommentedMap()
        entry["id"] = concept_id
        entry["label"] = text(label)
        entry["definition"] = text(definition)
        if broader.startswith("framework/"):
            entry["scheme"] = flow([broader])
            entry["top_of"] = flow([broader])
        else:
            if not schemes:
                raise ReviewError("broader", f"{broader} is in no framework: choose a concept of a framework")
            entry["scheme"] = flow(schemes)
            entry["broader"] = flow([broader])
        entry["source"] = flow([self.paper])
        entry["evidence"] = CommentedSeq([text(evidence)])
        concepts.append(entry)
        self._touch(self.record_name)
        return concept_id

    def add_claim(self, *, statement: str, quote: str, stance: str, target: str, about: list[str]) -> str:
        if stance and stance not in STANCES:
            raise ReviewError("stance", f"a stance is one of {', '.join(STANCES)}")
        if stance and not target:
            raise ReviewError("target", "name the claim or concept the stance is toward")
        evidence = self.quote(quote)
        statement = statement.strip() or evidence
        claims = self._section(self.record_name, "claims", create=True)
        claim_id = self._free_id(f"claim/{self.slug}/{slugify(statement)}", claims)
        entry = CommentedMap()
        entry["id"] = claim_id
        entry["statement"] = text(statement)
        if about:
            entry["about"] = flow(about)
        if stance:
            entry[stance] = flow([target])
        entry["asserted_by"] = "paper"
        entry["evidence"] = CommentedSeq([text(evidence)])
        claims.append(entry)
        self._touch(self.record_name)
        return claim_id

    @staticmethod
    def _free_id(candidate: str, items: Iterable) -> str:
        taken = {i["id"] for i in items}
        out, n = candidate, 1
        while out in taken:
            n += 1
            out = f"{candidate}-{n}"
        return out

    # -- facts and cases ---------------------------------------------------------------------

    def add_observation(
        self,
        *,
        measure: str,
        new_measure: str,
        value: str,
        unit: str,
        period: str,
        period_end: str,
        place: str,
        case: str,
        original_source: str,
        qualifier: str,
        quote: str,
    ) -> str:
        evidence = self.quote(quote)
        number = value.replace(",", "").strip()
        if not re.fullmatch(r"-?\d+(\.\d+)?", number):
            raise ReviewError("value", f"'{value}' is not a number: write it with digits, e.g. 2100 or 12.5")
        if not unit:
            raise ReviewError("unit", "choose the unit of the number")
        if not measure and not new_measure.strip():
            raise ReviewError("measure", "choose what is measured, or name a new measure")
        for name, year in (("period", period), ("period_end", period_end)):
            if year and not re.fullmatch(r"\d{4}", year.strip()):
                raise ReviewError(name, f"'{year}' is not a year: write four digits, e.g. 2017")
        if new_measure.strip():
            measures = self._section(self.cases_name, "measures", create=True)
            measure = self._free_id(f"measure/{slugify(new_measure)}", measures)
            entry = CommentedMap()
            entry["id"] = measure
            entry["label"] = text(new_measure)
            measures.append(entry)
        observations = self._section(self.cases_name, "observations", create=True)
        stem = measure.rsplit("/", 1)[-1] + (f"-{period.strip()}" if period.strip() else "")
        observation_id = self._free_id(f"observation/{self.slug}/{stem}", observations)
        entry = CommentedMap()
        entry["id"] = observation_id
        entry["measure"] = measure
        entry["value"] = int(number) if re.fullmatch(r"-?\d+", number) else float(number)
        entry["unit"] = unit
        if qualifier.strip():
            entry["qualifier"] = text(qualifier)
        if period.strip():
            entry["period"] = int(period)
        if period_end.strip():
            entry["period_end"] = int(period_end)
        if place:
            entry["place"] = place
        if case:
            entry["case"] = case
        if original_source:
            entry["original_source"] = flow([original_source])
        entry["evidence"] = CommentedSeq([text(evidence)])
        observations.append(entry)
        self._touch(self.cases_name)
        return observation_id

    def attach_case(self, case_id: str) -> None:
        work = self.record()
        studies = work.get("studies") or flow([])
        if case_id not in studies:
            studies.append(case_id)
        work["studies"] = studies
        self._touch(self.record_name)

    def create_case(self, *, label: str, place: str, new_place: str, case_of: str, quote: str) -> str:
        if not label.strip():
            raise ReviewError("label", "a case needs a label, e.g. 'Dongfeng village, Shaji town'")
        if not place and not new_place.strip():
            raise ReviewError("place", "choose the case's place, or name a new one")
        evidence = self.quote(quote)
        if new_place.strip():
            places = self._section(self.cases_name, "places", create=True)
            place = self._free_id(f"place/{slugify(new_place)}", places)
            entry = CommentedMap()
            entry["id"] = place
            entry["name"] = text(new_place)
            places.append(entry)
        cases = self._section(self.cases_name, "cases", create=True)
        case_id = self._free_id(f"case/{slugify(label, 4)}", cases)
        entry = CommentedMap()
        entry["id"] = case_id
        entry["label"] = text(label)
        entry["place"] = flow([place])
        entry["studied_by"] = flow([self.paper])
        if case_of:
            entry["case_of"] = flow([case_of])
        entry["evidence"] = CommentedSeq([text(evidence)])
        cases.append(entry)
        self._touch(self.cases_name)
        return case_id

    # -- checking -----------------------------------------------------------------------------

    def trial(self, kg) -> list[Located]:
        """Every problem the folder would have with the changes made so far, as `urbankg
        validate` reports them, placed at their entities and fields. Writes nothing here."""
        texts = self.rendered()
        with tempfile.TemporaryDirectory(prefix="urbankg-review-") as scratch:
            paths = []
            for name, content in texts.items():
                path = Path(scratch) / name
                path.write_text(content, encoding="utf-8")
                paths.append(path)
            problems = kg.validate(paths)
        return locate(problems, texts)


def locate(problems: Iterable[Problem], texts: dict[str, str]) -> list[Located]:
    """Each problem at the entity and key of the line it names, in the text it was found in."""
    docs: dict[str, object] = {}
    out = []
    for p in problems:
        name = Path(p.file).name
        item = key = None
        if p.line and name in texts:
            if name not in docs:
                docs[name] = _yaml().load(texts[name])
            item, key = _at(docs[name], p.line)
        out.append(Located(name, p.line, p.message, item, key, p.severity))
    return out


def _at(doc, line: int) -> tuple[str | None, str | None]:
    """The top-level entity and the key at a (1-based) line of a file."""
    if not isinstance(doc, CommentedMap):
        return None, None
    best: tuple[int, CommentedMap] | None = None
    for section in doc.values():
        if not isinstance(section, CommentedSeq):
            continue
        for item in section:
            if not isinstance(item, CommentedMap) or item.lc.line + 1 > line:
                continue
            if best is None or item.lc.line > best[0]:
                best = (item.lc.line, item)
    if best is None:
        return None, None
    item = best[1]
    return item.get("id"), _key_at(item, line)


# The order of an act's keys: what is decided first, what still waits last.
ACT_KEYS = ("cites", "intent", "concepts", "asserted_by", "suggested_intent", "suggestions")


def _put(act: CommentedMap, key: str, value) -> None:
    """Set ``key`` at its place in ACT_KEYS. Appending would put it after the comments
    ruamel keeps with the act's last key (the runners-up, the next citation's heading)."""
    if key in act:
        act[key] = value
        return
    later = ACT_KEYS[ACT_KEYS.index(key) + 1 :]
    position = next((i for i, k in enumerate(act) if k in later), len(act))
    act.insert(position, key, value)


def _key_at(item: CommentedMap, line: int, prefix: str = "") -> str | None:
    """The key of ``item`` (nested keys joined by dots) whose entry holds ``line``."""
    found = None
    for key in item:
        key_line = item.lc.key(key)[0] + 1
        if key_line <= line:
            found = key
    if found is None:
        return None
    value = item[found]
    if isinstance(value, CommentedSeq):
        for element in reversed(value):
            if isinstance(element, CommentedMap) and element.lc.line + 1 <= line:
                inner = _key_at(element, line)
                return f"{prefix}{found}.{inner}" if inner else f"{prefix}{found}"
    return f"{prefix}{found}"


def full_text_of(annotations: Path, slug: str) -> Path:
    """Where the paper's full text is kept (privately) for a draft in ``annotations``."""
    return annotations / ".sources" / slug / FULL_TEXT


def short(iri: str) -> str:
    return iri.removeprefix(config.ID_BASE)
