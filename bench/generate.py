"""A synthetic literature graph with the shape of the real one, for benchmarks.

Papers with authors and venues, reference lists, in-text citations with an intent and
the concept they are cited for, claims with stance, cases with places, stakeholders and
the power relations among them, observations and crosswalks — in urbankg's vocabulary,
so the canned queries run on it unchanged.
Citation counts are skewed (a Zipf-like preferential choice of cited works), as in
real bibliographies. Deterministic for a given --seed; written as N-Triples in one
pass, so a million papers never sit in memory.

    python bench/generate.py --papers 10000 -o bench/data/lit-10k.nt
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from tqdm import tqdm

ID = "https://w3id.org/urbankg/id/"
UKG = "https://w3id.org/urbankg/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NS = {
    "fabio": "http://purl.org/spar/fabio/",
    "biro": "http://purl.org/spar/biro/",
    "c4o": "http://purl.org/spar/c4o/",
    "cito": "http://purl.org/spar/cito/",
    "frbr": "http://purl.org/vocab/frbr/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "mp": "http://purl.org/mp/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "schema": "https://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "ukg": UKG,
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "unit": "http://qudt.org/vocab/unit/",
}
XSD = "http://www.w3.org/2001/XMLSchema#"
INTENTS = [
    "citesAsAuthority",
    "extends",
    "usesMethodIn",
    "citesAsDataSource",
    "critiques",
    "citesAsRelated",
    "obtainsBackgroundFrom",
    "usesConclusionsFrom",
    "agreesWith",
    "discusses",
]
WORDS = """
urban rural village migration platform network informal land space market legacy cluster governance planetary
e-commerce transformation everyday territory mobility livelihood production capital
""".split()  # noqa: SIM905 -- a word list reads best as words
FRAMEWORKS = 12
CONCEPTS_PER_FRAMEWORK = 8
# Stakeholder roles and relation kinds of the ontology's own schemes (ontology/urbankg.ttl),
# which give them their labels when it is loaded beside the data.
ROLES = """
indigenous-villagers rural-migrants migrant-entrepreneurs e-tailers village-collective-organisation
town-government municipal-government enterprises platform-firms couriers wholesalers workers
""".split()  # noqa: SIM905
RELATION_KINDS = """
rents-housing-to employs supplies supports regulates obstructs competes-with delivers-for
leases-collective-land-to provides-platform-for collaborates-with trains
""".split()  # noqa: SIM905


def evidence(t, node: str, paper: str, text: str) -> None:
    """Ground a claim, observation or crosswalk in a quote of its paper, as the shapes require."""
    quote = node[:-1] + "/evidence-1>"
    t(node, term("ukg:evidence"), quote)
    t(quote, RDF_TYPE, term("oa:TextQuoteSelector"))
    t(quote, term("oa:exact"), lit(text))
    t(quote, term("dcterms:source"), paper)


def iri(kind: str, slug: object) -> str:
    return f"<{ID}{kind}/{slug}>"


def term(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return f"<{NS[prefix]}{local}>"


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def english(text: str) -> str:
    return lit(text) + "@en"


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Writer:
    def __init__(self, out):
        self.out = out
        self.count = 0

    def __call__(self, s: str, p: str, o: str) -> None:
        self.out.write(f"{s} {p} {o} .\n")
        self.count += 1


def stakeholders(t, rng: random.Random, cases: int, papers: int) -> None:
    """The stakeholders of each case and the power relations among them, as the corpus
    annotates them: a handful of stakeholders of one or two roles per case, a few relations
    among them, about two in three naming their case (relationIn). A stakeholder in one case
    of five acts in the next case too, and the platform firms act in no case, so the relations
    that name no case reach every case their stakeholders share, as in the corpus.

    ``rng`` is the stakeholders' own: the rest of the graph is the same as without them."""
    platforms = [iri("stakeholder", f"platform-{g}") for g in range(max(1, cases // 100))]
    for g, platform in enumerate(platforms):
        t(platform, RDF_TYPE, term("ukg:Stakeholder"))
        t(platform, term("rdfs:label"), english(f"Platform firm {g}"))
        t(platform, term("ukg:hasRole"), iri("concept", "platform-firms"))
        annotated(t, platform, iri("work", f"p-{rng.randrange(papers)}"), "The platform serves the villages.")
    for k in range(cases):
        case = iri("case", f"case-{k}")
        paper = iri("work", f"p-{rng.randrange(papers)}")
        members = [iri("stakeholder", f"case-{k}/s-{s}") for s in range(rng.randint(3, 6))]
        for s, member in enumerate(members):
            roles = rng.sample(ROLES, k=rng.choice((1, 1, 2)))
            t(member, RDF_TYPE, term("ukg:Stakeholder"))
            t(member, term("rdfs:label"), english(f"{roles[0].replace('-', ' ').capitalize()} of village {k} ({s})"))
            for role in roles:
                t(member, term("ukg:hasRole"), iri("concept", role))
            t(member, term("ukg:stakeholderIn"), case)
            if s == 0 and k + 1 < cases and rng.random() < 0.2:
                t(member, term("ukg:stakeholderIn"), iri("case", f"case-{k + 1}"))
            annotated(t, member, paper, f"The {roles[0].replace('-', ' ')} of the village act together.")
        links = [(*rng.sample(members, 2), True) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.2:
            links.append((rng.choice(platforms), rng.choice(members), False))
        for r, (origin, target, own) in enumerate(links):
            relation = iri("relation", f"case-{k}/r-{r}")
            kind = rng.choice(RELATION_KINDS)
            t(relation, RDF_TYPE, term("ukg:PowerRelation"))
            t(relation, term("ukg:relationFrom"), origin)
            t(relation, term("ukg:relationKind"), iri("concept", kind))
            t(relation, term("ukg:relationTo"), target)
            if own and rng.random() < 0.67:
                t(relation, term("ukg:relationIn"), case)
            t(relation, term("dcterms:description"), lit(f"One {kind.replace('-', ' ')} the other in village {k}."))
            status = "ukg:StatedByPaper" if rng.random() < 0.8 else "ukg:InferredByAnnotator"
            t(relation, term("ukg:assertionStatus"), term(status))
            annotated(t, relation, paper, f"They {kind.replace('-', ' ')} them, as the interviews show.")


def annotated(t, node: str, paper: str, text: str) -> None:
    """The paper a stakeholder or relation comes from, and its quote there."""
    t(node, term("prov:wasDerivedFrom"), paper)
    evidence(t, node, paper, text)


def generate(papers: int, seed: int, out, progress: bool = True) -> int:
    rng = random.Random(seed)
    t = Writer(out)
    authors = max(10, papers // 2)
    venues = max(5, papers // 200)
    cases = max(5, papers // 20)
    concepts = [(f, c) for f in range(FRAMEWORKS) for c in range(CONCEPTS_PER_FRAMEWORK)]

    for f in range(FRAMEWORKS):
        scheme = iri("framework", f"fw-{f}")
        t(scheme, RDF_TYPE, term("ukg:Framework"))
        t(scheme, RDF_TYPE, term("skos:ConceptScheme"))
        t(scheme, term("skos:prefLabel"), lit(f"Framework {f}"))
        t(scheme, term("skos:definition"), lit(f"A synthetic framework number {f}."))
        for c in range(CONCEPTS_PER_FRAMEWORK):
            concept = iri("concept", f"c-{f}-{c}")
            t(concept, RDF_TYPE, term("skos:Concept"))
            t(concept, term("skos:inScheme"), scheme)
            t(concept, term("skos:prefLabel"), lit(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {f}.{c}"))
            t(concept, term("skos:definition"), lit("A synthetic concept."))
    for a in range(authors):
        t(iri("person", f"a-{a}"), RDF_TYPE, term("foaf:Person"))
        t(iri("person", f"a-{a}"), term("foaf:name"), lit(f"Author {a}"))
    for v in range(venues):
        t(iri("venue", f"v-{v}"), RDF_TYPE, term("fabio:Journal"))
        t(iri("venue", f"v-{v}"), term("dcterms:title"), lit(f"Journal {v}"))
    for k in range(cases):
        case, place = iri("case", f"case-{k}"), iri("place", f"place-{k}")
        t(place, RDF_TYPE, term("schema:Place"))
        t(place, term("schema:name"), lit(f"Village {k}"))
        t(case, RDF_TYPE, term("ukg:Case"))
        t(case, term("rdfs:label"), lit(f"Case {k}"))
        t(case, term("ukg:locatedIn"), place)
        t(case, term("ukg:studiedBy"), iri("work", "p-0"))
    stakeholders(t, random.Random(f"{seed}-stakeholders"), cases, papers)

    # Preferential attachment: a paper enters `pool` once when published and once more per
    # citation, so a uniform pick from the pool favours the already-cited (a skewed distribution).
    pool: list[int] = []
    steps = tqdm(range(papers), desc="papers", unit="paper", file=sys.stderr, disable=not progress)
    for p in steps:
        paper = iri("work", f"p-{p}")
        year = 1970 + (p * 55) // max(papers, 1)
        t(paper, RDF_TYPE, term("fabio:JournalArticle"))
        t(paper, term("dcterms:title"), lit(" ".join(rng.choice(WORDS) for _ in range(6)).capitalize()))
        t(paper, term("fabio:hasPublicationYear"), typed(year, "gYear"))
        t(paper, term("frbr:partOf"), iri("venue", f"v-{rng.randrange(venues)}"))
        for a in rng.sample(range(authors), k=min(authors, rng.randint(1, 4))):
            t(paper, term("dcterms:creator"), iri("person", f"a-{a}"))
        if p:
            n_refs = min(p, rng.randint(3, 20))
            cited: set[int] = set()
            while len(cited) < n_refs:
                cited.add(rng.choice(pool))
            for n, c in enumerate(sorted(cited), 1):
                ref = iri("reference", f"p-{p}/{c}")
                work = iri("work", f"p-{c}")
                t(ref, RDF_TYPE, term("biro:BibliographicReference"))
                t(ref, term("frbr:partOf"), paper)
                t(ref, term("ukg:referenceNumber"), typed(n, "integer"))
                t(ref, term("c4o:hasContent"), lit(f"Reference to paper {c}."))
                t(ref, term("biro:references"), work)
                pool.append(c)
                if rng.random() < 0.5:  # about half the references are annotated down to the citing sentence
                    continue
                pointer = iri("citation", f"p-{p}/{n}")
                act = iri("citation", f"p-{p}/{n}/act")
                quote = iri("citation", f"p-{p}/{n}/sentence")
                t(pointer, RDF_TYPE, term("c4o:InTextReferencePointer"))
                t(pointer, term("frbr:partOf"), paper)
                t(pointer, term("c4o:hasContent"), lit(f"[{n}]"))
                t(pointer, term("c4o:denotes"), ref)
                t(pointer, term("c4o:hasContext"), quote)
                t(pointer, term("ukg:expressesCitation"), act)
                t(quote, RDF_TYPE, term("oa:TextQuoteSelector"))
                t(quote, term("oa:exact"), lit(f"As paper {c} shows [{n}], {rng.choice(WORDS)} matters."))
                t(quote, term("dcterms:source"), paper)
                t(act, RDF_TYPE, term("cito:Citation"))
                t(act, term("cito:hasCitingEntity"), paper)
                t(act, term("cito:hasCitedEntity"), work)
                t(act, term("cito:hasCitationCharacterization"), term("cito:" + rng.choice(INTENTS)))
                f, c2 = rng.choice(concepts)
                t(act, term("ukg:citedForConcept"), iri("concept", f"c-{f}-{c2}"))
        pool.append(p)
        # Claims, observations and crosswalks on a fraction of the papers.
        if p % 3 == 0:
            claim = iri("claim", f"p-{p}")
            t(claim, RDF_TYPE, term("mp:Claim"))
            t(claim, term("mp:statement"), lit(f"Claim of paper {p}."))
            t(claim, term("prov:wasAttributedTo"), paper)
            t(claim, term("ukg:assertionStatus"), term("ukg:StatedByPaper"))
            evidence(t, claim, paper, f"We find that {rng.choice(WORDS)} shapes {rng.choice(WORDS)}.")
            f, c = rng.choice(concepts)
            t(claim, term("ukg:explains"), iri("concept", "c-0-0"))
            t(claim, term("ukg:explanatoryFactor"), iri("concept", f"c-{f}-{c}"))
            if p >= 3:
                t(claim, term("mp:challenges" if rng.random() < 0.3 else "mp:supports"), iri("claim", f"p-{p - 3}"))
        if p % 5 == 0:
            obs = iri("observation", f"p-{p}")
            t(obs, RDF_TYPE, term("qb:Observation"))
            t(obs, term("ukg:measure"), iri("measure", "taobao-village-count" if p % 10 == 0 else "online-shop-count"))
            t(obs, term("sdmx-measure:obsValue"), typed(rng.randint(1, 8000), "decimal"))
            t(obs, term("sdmx-attribute:unitMeasure"), term("unit:NUM"))
            t(obs, term("sdmx-dimension:refPeriod"), typed(2009 + p % 14, "gYear"))
            t(obs, term("ukg:aboutCase"), iri("case", f"case-{rng.randrange(cases)}"))
            t(obs, term("prov:wasDerivedFrom"), paper)
            evidence(t, obs, paper, f"The count reached a new level in {2009 + p % 14}.")
        if p % 50 == 0:
            link = iri("crosswalk", f"p-{p}")
            fa, fb = rng.sample(range(FRAMEWORKS), 2)
            t(link, RDF_TYPE, term("ukg:Correspondence"))
            t(link, term("ukg:subjectConcept"), iri("concept", f"c-{fa}-{rng.randrange(CONCEPTS_PER_FRAMEWORK)}"))
            t(link, term("ukg:matchPredicate"), term("skos:relatedMatch"))
            t(link, term("ukg:objectConcept"), iri("concept", f"c-{fb}-{rng.randrange(CONCEPTS_PER_FRAMEWORK)}"))
            t(link, term("ukg:assertionStatus"), term("ukg:InferredByAnnotator"))
            t(link, term("prov:wasDerivedFrom"), paper)
            evidence(t, link, paper, "The two frameworks meet here.")
    return t.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        triples = generate(args.papers, args.seed, out)
    print(f"{triples} triples for {args.papers} papers -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
