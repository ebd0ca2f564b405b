"""What a resource's page says first, in the scholar's words: a case's places, papers, facts,
stakeholders, relations and claims; a place's coordinates and cases; a work's authors, year
and venue; a person's works; a concept's labels and hierarchy; a claim's stance; an
observation as one sentence. The raw statements follow on the page, below this summary.

Most of it is read from the page's own resource-out and resource-in rows (every statement
with its object's or subject's label); a case, a concept and an observation cost one to
four more of the pages' queries (ui_queries/*.rq, the one resource bound, never text built
from data). Numbers and units are put in words here: a unit's words from units.yaml beside
this file (one and many), else from the unit's rdfs:label in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from ruamel.yaml import YAML

from urbankg import config
from urbankg.server.ui_data import rows
from urbankg.server.ui_display import Row, Term, short, text

UNITS_FILE = Path(__file__).parent / "units.yaml"

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
UKG = config.ONTOLOGY_NS
MP = "http://purl.org/mp/"
FABIO = "http://purl.org/spar/fabio/"
FRBR_PART_OF = "http://purl.org/vocab/frbr/core#partOf"
GEO_WKT = "http://www.opengis.net/ont/geosparql#asWKT"
PROV_ATTRIBUTED = "http://www.w3.org/ns/prov#wasAttributedTo"
STANCES = {MP + "supports": "supports", MP + "challenges": "challenges", UKG + "qualifies": "qualifies"}
POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.IGNORECASE)


# -- numbers, units, periods and coordinates in words -----------------------------------


@cache
def unit_words() -> dict[str, list[str]]:
    return YAML(typ="safe").load(UNITS_FILE.read_text(encoding="utf-8"))


def number(value: str) -> str:
    """A decimal as a reader writes it: 2100 -> "2,100", 12.50 -> "12.5"."""
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def with_unit(value: str, unit: Term | None, label: str = "") -> str:
    """ "38 percent", "2,100 villages", "1 village", "12.5 yuan per month": the words of units.yaml,
    which says one and many, else the unit's label in the store, else its name."""
    shown = number(value)
    if unit is None:
        return shown
    one_many = unit_words().get(text(unit))
    if one_many is not None:
        words = one_many[0] if shown == "1" else one_many[1]
    elif label:
        words = label
    else:
        words = short(text(unit)).split(":")[-1]
    return f"{shown} {words}".strip()


def period(start: str, end: str) -> str:
    """A period as a range when it has an end: 2006–2010; one year alone: 2017."""
    if start and end and end != start:
        return f"{start}–{end}"
    return start or end


def point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT POINT literal, None for any other geometry."""
    m = POINT.match(wkt or "")
    if not m:
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lon, lat


def degrees(wkt: str) -> str:
    """ "POINT(113.26 23.13)" as "23.13° N, 113.26° E"; other WKT as given."""
    p = point(wkt)
    if p is None:
        return wkt
    lon, lat = p
    return f"{abs(lat):g}° {'N' if lat >= 0 else 'S'}, {abs(lon):g}° {'E' if lon >= 0 else 'W'}"


# -- what a summary holds ----------------------------------------------------------------


@dataclass
class Ref:
    """A resource to link to, with its label (the short IRI when it has none)."""

    term: Term | None
    label: str

    @property
    def href(self) -> str:
        from urbankg.server.ui_display import href

        return href(text(self.term)) or ""


@dataclass
class Fact:
    obs: Term | None
    measure: Ref | None
    value: str
    qualifier: str
    period: str
    place: Ref | None
    sources: list[Ref] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    paraphrases: list[tuple[str, str]] = field(default_factory=list)  # (the annotator's words, page): not quotes

    def heading(self) -> str:
        """ "Number of Taobao villages in Guangzhou, 2017"."""
        what = self.measure.label if self.measure else "A value"
        where = f" in {self.place.label}" if self.place else ""
        when = f", {self.period}" if self.period else ""
        return f"{what[:1].upper()}{what[1:]}{where}{when}"

    def sentence(self) -> str:
        """ "Guangzhou had 106 villages (number of Taobao villages) in 2017 (AliResearch and SRN 2017)"."""
        what = self.measure.label if self.measure else "value"
        value = f"{self.qualifier} {self.value}" if self.qualifier else self.value
        where = f" in {self.place.label}" if self.place else ""
        when = f" in {self.period}" if self.period else ""
        by = f" ({'; '.join(s.label for s in self.sources)})" if self.sources else ""
        return f"{what[:1].upper()}{what[1:]}{where}: {value}{when}{by}."


@dataclass
class Summary:
    """Named lists and values for the kind's part of resource.html."""

    kind: str
    values: dict[str, str] = field(default_factory=dict)
    refs: dict[str, list[Ref]] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    groups: dict[str, list[Ref]] = field(default_factory=dict)  # stakeholders by role
    relations: dict[str, list[dict]] = field(default_factory=dict)  # per relation kind
    claims: list[dict] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    points: list[tuple[Ref, float, float]] = field(default_factory=list)
    linked: list[tuple[str, Ref, list[Fact]]] = field(default_factory=list)  # cases linked to a case, with their facts
    title: str = ""  # the page's heading, for a resource whose only label is its id (an observation)


def summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary | None:
    """The summary of the resource's kind (the first segment of its id), None for other kinds."""
    kind = iri.removeprefix(config.ID_BASE).split("/", 1)[0] if iri.startswith(config.ID_BASE) else ""
    make = MAKERS.get(kind)
    return make(iri, outgoing, incoming) if make else None


# -- reading the page's rows -------------------------------------------------------------


def _out(outgoing: list[Row], predicate: str) -> list[Ref]:
    seen, refs = set(), []
    for r in outgoing:
        if text(r["p"]) == predicate and str(r["o"]) not in seen:
            seen.add(str(r["o"]))
            refs.append(_ref(r["o"], r.get("label")))
    return sorted(refs, key=lambda ref: ref.label.lower())


def _in(incoming: list[Row], predicate: str, kind: str = "") -> list[Ref]:
    seen, refs = set(), []
    for r in incoming:
        subject = text(r["s"])
        if text(r["p"]) == predicate and subject not in seen and subject.startswith(config.ID_BASE + kind):
            seen.add(subject)
            refs.append(_ref(r["s"], r.get("label")))
    return sorted(refs, key=lambda ref: ref.label.lower())


def _literal(outgoing: list[Row], predicate: str) -> str:
    return next((text(r["o"]) for r in outgoing if text(r["p"]) == predicate and isinstance(r["o"], ox.Literal)), "")


def _literals(outgoing: list[Row], predicate: str) -> list[str]:
    return sorted({text(r["o"]) for r in outgoing if text(r["p"]) == predicate and isinstance(r["o"], ox.Literal)})


def _ref(term: Term | None, label: Term | str | None) -> Ref:
    shown = label if isinstance(label, str) else text(label)
    return Ref(term, shown or (short(text(term)) if isinstance(term, ox.NamedNode) else text(term)))


def _quotes(outgoing: list[Row]) -> list[str]:
    return sorted({text(r["quote"]) for r in outgoing if r.get("quote") is not None})


# -- facts ------------------------------------------------------------------------------


def facts(found: list[Row]) -> list[Fact]:
    """One fact per observation, its sources and quotes gathered from its rows."""
    by_obs: dict[str, Fact] = {}
    creators: dict[tuple[str, str], dict[str, str]] = {}
    for r in found:
        key = text(r["obs"])
        fact = by_obs.get(key)
        if fact is None:
            unit_label = text(r.get("unit_label"))
            fact = by_obs[key] = Fact(
                obs=r["obs"],
                measure=_ref(r["measure"], r.get("measure_label")) if r.get("measure") else None,
                value=with_unit(text(r["value"]), r.get("unit"), unit_label),
                qualifier=text(r.get("qualifier")),
                period=period(text(r.get("period")), text(r.get("period_end"))),
                place=_ref(r["place"], r.get("place_label")) if r.get("place") else None,
            )
        quote = text(r.get("quote"))
        if quote and quote not in fact.quotes:
            fact.quotes.append(quote)
        paraphrase = (text(r.get("paraphrase")), text(r.get("paraphrase_page")))
        if paraphrase[0] and paraphrase not in fact.paraphrases:
            fact.paraphrases.append(paraphrase)
        if r.get("source") is not None:
            source = text(r["source"])
            names = creators.setdefault((key, source), {})
            if r.get("creator") is not None:
                names[text(r["creator"])] = text(r.get("creator_family")) or text(r.get("creator_name"))
            if all(text(s.term) != source for s in fact.sources):
                fact.sources.append(_ref(r["source"], ""))
            for s in fact.sources:
                if text(s.term) == source:
                    s.label = _author_year(names, text(r.get("source_title")), text(r.get("source_year")), source)
    return sorted(by_obs.values(), key=lambda f: (f.measure.label if f.measure else "", f.period, f.value))


def _author_year(names: dict[str, str], title: str, year: str, iri: str) -> str:
    """ "AliResearch and Southern Rural Newspaper 2017", "Zhou et al. 2018", else the title and year."""
    authors = sorted(n for n in names.values() if n)
    if len(authors) == 1:
        who = authors[0]
    elif len(authors) == 2:
        who = f"{authors[0]} and {authors[1]}"
    elif authors:
        who = f"{authors[0]} et al."
    else:
        who = title or short(iri)
    return f"{who} {year}".strip()


# -- one summary per kind -----------------------------------------------------------------


def case_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("case")  # its description is the page's definition, shown above the summary
    places = _out(outgoing, UKG + "locatedIn")
    s.refs["places"] = places
    s.refs["papers"] = sorted(
        {text(r.term): r for r in _out(outgoing, UKG + "studiedBy") + _in(incoming, UKG + "studiesCase")}.values(),
        key=lambda r: r.label.lower(),
    )
    s.refs["case of"] = _out(outgoing, UKG + "caseOf")
    s.facts = facts(rows("case-facts", iri))
    # Another annotation of the same case, the case it is part of, its parts (case-links.rq):
    # each with the facts recorded on it.
    for r in rows("case-links", iri):
        other = _ref(r["other"], r.get("other_label"))
        s.linked.append((text(r["link"]), other, facts(rows("case-facts", text(r["other"])))))
    for r in rows("case-stakeholders", iri):
        role = text(r.get("role_label")) or (short(text(r["role"])) if r.get("role") else "no role given")
        group = s.groups.setdefault(role, [])
        if all(text(m.term) != text(r["stakeholder"]) for m in group):
            group.append(_ref(r["stakeholder"], r.get("label")))
    s.groups = dict(sorted(s.groups.items(), key=lambda kv: kv[0].lower()))
    s.relations = relations(rows("case-relations", iri))
    s.claims = claims(rows("claims-about", iri))
    s.points = _place_points(places)
    return s


def _place_points(places: list[Ref]) -> list[tuple[Ref, float, float]]:
    """The places' coordinates, each read from its own statements (one small query each)."""
    out = []
    for ref in places:
        wkt = next((text(r["o"]) for r in rows("resource-out", text(ref.term)) if text(r["p"]) == GEO_WKT), "")
        p = point(wkt)
        if p:
            out.append((ref, p[0], p[1]))
    return out


def relations(found: list[Row]) -> dict[str, list[dict]]:
    """Per relation kind, one entry per relation (its quotes gathered), not one per role or quote."""
    by_link: dict[str, dict] = {}
    for r in found:
        link = by_link.setdefault(
            text(r["link"]),
            {
                "kind": text(r.get("relation_label")) or short(text(r["relation"])),
                "from": _ref(r["from"], r.get("from_label")),
                "to": _ref(r["to"], r.get("to_label")),
                "description": text(r.get("description")),
                "asserted_by": "stated by the paper"
                if text(r.get("asserted_by")).endswith("StatedByPaper")
                else "inferred by an annotator"
                if r.get("asserted_by") is not None
                else "",
                "quotes": [],
            },
        )
        quote = text(r.get("quote"))
        if quote and quote not in link["quotes"]:
            link["quotes"].append(quote)
    grouped: dict[str, list[dict]] = {}
    for link in sorted(by_link.values(), key=lambda x: (x["kind"].lower(), x["from"].label, x["to"].label)):
        grouped.setdefault(link["kind"], []).append(link)
    return grouped


def claims(found: list[Row]) -> list[dict]:
    """One entry per claim: its statement, paper and stance toward its targets."""
    by_claim: dict[str, dict] = {}
    for r in found:
        claim = by_claim.setdefault(
            text(r["claim"]),
            {
                "claim": _ref(r["claim"], r.get("statement")),
                "paper": _ref(r["paper"], r.get("paper_title")) if r.get("paper") else None,
                "stances": {},
            },
        )
        if r.get("stance") is not None and r.get("target") is not None:
            targets = claim["stances"].setdefault(STANCES.get(text(r["stance"]), short(text(r["stance"]))), [])
            if all(text(t.term) != text(r["target"]) for t in targets):
                targets.append(_ref(r["target"], r.get("target_label")))
    return sorted(by_claim.values(), key=lambda c: c["claim"].label)


def place_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("place")
    s.values["names"] = ", ".join(_literals(outgoing, SCHEMA + "alternateName"))
    s.values["level"] = _literal(outgoing, UKG + "adminLevel")
    wkt = _literal(outgoing, GEO_WKT)
    s.values["coordinates"] = degrees(wkt) if wkt else ""
    s.values["coordinates source"] = _literal(outgoing, UKG + "coordinatesSource")
    s.refs["within"] = _out(outgoing, SCHEMA + "containedInPlace")
    s.refs["places within"] = _in(incoming, SCHEMA + "containedInPlace")
    s.refs["cases"] = _in(incoming, UKG + "locatedIn")
    s.facts = facts(rows("place-facts", iri))
    p = point(wkt)
    if p:
        s.points = [(Ref(ox.NamedNode(iri), _literal(outgoing, SCHEMA + "name") or short(iri)), p[0], p[1])]
    return s


def work_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("work")
    s.values["title"] = _literal(outgoing, DCTERMS + "title")
    s.values["year"] = _literal(outgoing, FABIO + "hasPublicationYear")
    s.values["container"] = _literal(outgoing, UKG + "containerTitle")
    s.values["doi"] = _literal(outgoing, "http://prismstandard.org/namespaces/basic/2.0/doi")
    s.refs["authors"] = _out(outgoing, DCTERMS + "creator")
    s.refs["venue"] = _out(outgoing, FRBR_PART_OF)
    s.refs["claims"] = _in(incoming, PROV_ATTRIBUTED, "claim/")
    s.refs["frameworks proposed"] = _out(outgoing, UKG + "proposesFramework")
    s.refs["frameworks used"] = _out(outgoing, UKG + "usesFramework")
    s.refs["cases studied"] = sorted(
        {text(r.term): r for r in _out(outgoing, UKG + "studiesCase") + _in(incoming, UKG + "studiedBy")}.values(),
        key=lambda r: r.label.lower(),
    )
    return s


def person_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("person")
    s.values["name"] = _literal(outgoing, FOAF + "name")
    s.refs["works"] = _in(incoming, DCTERMS + "creator")
    s.refs["affiliations"] = _out(outgoing, SCHEMA + "affiliation")
    return s


def concept_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("concept")
    s.values["alt labels"] = ", ".join(_literals(outgoing, SKOS + "altLabel"))
    s.refs["framework"] = _out(outgoing, SKOS + "inScheme")
    s.refs["broader"] = _out(outgoing, SKOS + "broader")
    s.refs["narrower"] = _in(incoming, SKOS + "broader")
    s.refs["related"] = _out(outgoing, SKOS + "related")
    s.refs["cases of it"] = _in(incoming, UKG + "caseOf")
    works: dict[str, Ref] = {}
    for r in rows("concept-works", iri):
        title = text(r.get("title")) or short(text(r["work"]))
        year = text(r.get("year"))
        works.setdefault(text(r["work"]), Ref(r["work"], f"{title} ({year})" if year else title))
    s.refs["works cited for it"] = sorted(works.values(), key=lambda r: r.label.lower())
    s.claims = claims(rows("claims-about", iri))
    return s


def claim_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("claim")
    s.values["statement"] = _literal(outgoing, MP + "statement")
    s.refs["paper"] = _out(outgoing, PROV_ATTRIBUTED)
    s.refs["about"] = _out(outgoing, UKG + "about")
    for predicate, stance in STANCES.items():
        s.groups[stance] = _out(outgoing, predicate)
    s.groups["supported by"] = _in(incoming, MP + "supports")
    s.groups["challenged by"] = _in(incoming, MP + "challenges")
    s.groups["qualified by"] = _in(incoming, UKG + "qualifies")
    s.groups = {k: v for k, v in s.groups.items() if v}
    s.values["asserted"] = (
        "stated by the paper"
        if any(text(r["o"]).endswith("StatedByPaper") for r in outgoing)
        else "inferred by an annotator"
        if any(text(r["o"]).endswith("InferredByAnnotator") for r in outgoing)
        else ""
    )
    s.quotes = _quotes(outgoing)
    return s


def observation_summary(iri: str, outgoing: list[Row], incoming: list[Row]) -> Summary:
    s = Summary("observation")
    s.facts = facts(rows("observation-fact", iri))
    if s.facts:
        s.title = s.facts[0].heading()
    s.refs["case"] = _out(outgoing, UKG + "aboutCase")
    s.refs["reported by"] = _out(outgoing, "http://www.w3.org/ns/prov#wasDerivedFrom")
    return s


MAKERS = {
    "case": case_summary,
    "place": place_summary,
    "work": work_summary,
    "person": person_summary,
    "concept": concept_summary,
    "claim": claim_summary,
    "observation": observation_summary,
}
