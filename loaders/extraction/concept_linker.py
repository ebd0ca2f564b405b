"""Suggest which concepts a citation is about, and the citation's intent.

Concepts are the skos:Concepts and frameworks, each described by its skos:prefLabel,
skos:altLabels and skos:definition (any language tag). `ConceptLinker.from_store` reads them
from every graph of a store (the ontology and the `concepts:` and `frameworks:` of loaded
sources; queries/concepts.rq) together with the loaded citations' hand annotations
(queries/annotated-citations.rq), leaving out the graphs it is told to: a paper's own, for a
leave-one-out evaluation (bench/concept_suggestions.py). `from_ontology` reads the ontology
file alone and learns nothing. Relation kinds are left out: they type the relations of
cases, not what a work is cited for. Stakeholder roles stay in: the bundled annotators cite
works for them ("rural migrants").

A citation is scored against each concept from these pieces of evidence, combined as a
noisy-or (each can only add to the others):

- a label or alternative label occurs in the citing sentence (whole phrase: 1.0; some of
  its words, weighted by how rare each word is among the concepts: less). A label standing
  inside a longer label another concept has in the same text ("urbanism" in "enclave
  urbanism") is a part of that term and counts little;
- a label occurs in the titles of the sections the sentence stands under (0.4), in the
  sentence before (0.4: "The initiative ..." continues a sentence that named it) or in the
  sentence after (0.3);
- a narrower concept is named in the sentence (0.6 of its evidence): a citation for a
  component is also for what it is a component of; and a framework named in the sentence
  by a phrase (not one word such as "urbanism") passes the same share to its top concepts;
- the sentence shares rare words with the concept's definition (TF-IDF cosine, 0.5);
- learned from the annotations (none for `from_ontology`): a citing sentence of another
  paper much like this one (cosine above 0.3) was annotated with the concept; and each
  label's evidence is weighed by how often scholars annotated the concept where its label
  stood whole in a citing sentence (a framework, by how often named frameworks were: the
  bundled annotators cite a framework's components, not the framework).

Two rules keep weak evidence out of the draft (below its threshold, 0.5): without evidence
in the sentence itself (label, definition, annotated sentences) the section, the neighbours
and the hierarchy are not enough; and a concept is never proposed only because one word of
its label occurs ("urban" of "urban form"): where that one word is all of its labels the
sentence has, and no label stands whole in the sentence or its context, the rest of the
sentence (its definition's words, sentences annotated with it) must give evidence of its own.

Scores are in [0, 1]; the ranking, not the absolute value, is what the draft offers.
The intent is suggested from cue phrases listed in models/intent-cues.yaml.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from ruamel.yaml import YAML

from urbankg import config
from urbankg.store import Store, solutions

# A section title alone stays below the draft threshold (0.5): it only adds to sentence evidence.
WEIGHT_SECTION = 0.4
WEIGHT_PREVIOUS = 0.4
WEIGHT_NEXT = 0.3
WEIGHT_HIERARCHY = 0.6
WEIGHT_ONE_WORD = 0.8
WEIGHT_DEFINITION = 0.5
WEIGHT_ALT_LABEL = 0.95
# A label inside a longer label of another concept in the same text: its match times this.
WEIGHT_INSIDE_LONGER = 0.3
NO_MATCH = (0.0, "", False)
# A label's reliability (the share of annotated sentences naming it that were annotated with
# it) counts this many sentences more at its prior, so that a label seen once keeps most weight.
RELIABILITY_PRIOR = 2.0
# The most alike annotated sentence: its cosine above the floor, rescaled, times the weight.
# Below the floor sentences share only the field's common words.
WEIGHT_LEARNED = 0.7
LEARNED_FLOOR = 0.3
# Scores times these factors stay below the draft's threshold (extractor.CONCEPT_THRESHOLD,
# 0.5) and keep their order: for a concept whose evidence without the one word of its labels
# in the sentence is below SENTENCE_EVIDENCE, and for one with less than SENTENCE_EVIDENCE in
# the sentence itself, whatever its context says.
ONE_WORD_CAP = 0.45
CONTEXT_CAP = 0.45
SENTENCE_EVIDENCE = 0.2
# A citation is usually invoked for a framework's concept; concepts of the controlled
# vocabularies (stakeholder roles, relation kinds, topics, phenomena) are discounted.
WEIGHT_VOCABULARY = 0.8
UKG = config.ONTOLOGY_NS
# Concepts of this class are never suggested for a citation (see the module docstring).
NOT_CITED_FOR = (URIRef(UKG + "RelationKind"),)

STOPWORDS = frozenset(
    """
    a an the of and or in on at to for from by with as is are was were be been being its it this that these
    those which who whom whose into onto than then there their they them such not no nor but also both between
    within about over under more most less much many some any each other can could may might will would should
    has have had do does did so very via i e g ie eg et al s
    """.split()  # noqa: SIM905 -- a word list reads best as words
)


def default_ontology_path() -> Path:
    return Path(str(resources.files("urbankg.ontology") / "urbankg.ttl"))


def default_cues_path() -> Path:
    return Path(str(resources.files("urbankg.loaders.extraction") / "models" / "intent-cues.yaml"))


# --------------------------------------------------------------------------- words


def _stem(word: str) -> str:
    """A light stemmer: enough that 'networks'/'network', 'urbanization'/'urbanisation' meet."""
    word = re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"is\1", word)
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def words(text: str, keep_stopwords: bool = False) -> list[str]:
    """Content words of a text, lowercased, ascii-folded, stemmed, stopwords dropped
    (kept with `keep_stopwords`, for matching whole phrases)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'s ", " ").replace("’s ", " ")
    # "e-commerce", "E-urbanism", "socio-spatial": one word each, however hyphenated
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", "", text)
    return [
        _stem(w)
        for w in re.findall(r"[a-z0-9]+", text)
        if keep_stopwords or (w not in STOPWORDS and (len(w) > 1 or w.isdigit()))
    ]


# --------------------------------------------------------------------------- concepts


@dataclass
class Concept:
    iri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    definition: str = ""
    schemes: list[str] = field(default_factory=list)  # labels of its concept schemes
    in_framework: bool = True  # False when all its schemes are ukg:Vocabulary
    broader: list[str] = field(default_factory=list)  # IRIs of its skos:broader concepts
    top_concepts: list[str] = field(default_factory=list)  # a framework's top concepts
    is_framework: bool = False  # a ukg:Framework (a concept scheme), not a concept

    # filled by ConceptLinker
    label_words: list[list[str]] = field(default_factory=list, repr=False)  # content words
    label_phrases: list[list[str]] = field(default_factory=list, repr=False)  # every word
    definition_vector: dict[str, float] = field(default_factory=dict, repr=False)


def _text(graph: Graph, subject, predicate) -> list[str]:
    """Literal values, English or untagged first."""
    values = [o for o in graph.objects(subject, predicate)]
    values.sort(key=lambda o: (getattr(o, "language", None) not in (None, "en"), str(o)))
    return [str(v) for v in values]


def load_concepts(*sources: Path | str | Graph) -> list[Concept]:
    """Every skos:Concept (or instance of a subclass of it, or member of a scheme) with a label."""
    graph = Graph()
    for source in sources:
        if isinstance(source, Graph):
            graph += source
        else:
            path = Path(source)
            if not path.is_file():
                raise FileNotFoundError(f"{path}: no ontology to take concepts from")
            graph.parse(path, format="turtle" if path.suffix == ".ttl" else None)
    classes = {SKOS.Concept}
    changed = True
    while changed:  # the subclass closure of skos:Concept
        more = {s for c in classes for s in graph.subjects(RDFS.subClassOf, c) if isinstance(s, URIRef)}
        changed = not more <= classes
        classes |= more
    subjects = {s for c in classes for s in graph.subjects(RDF.type, c)}
    subjects |= set(graph.subjects(SKOS.inScheme, None))
    # a citation may be for a whole framework ("planetary urbanisation [1]")
    subjects |= set(graph.subjects(RDF.type, URIRef(UKG + "Framework")))
    concepts = []
    for s in sorted(subjects, key=str):
        if not isinstance(s, URIRef) or any((s, RDF.type, k) in graph for k in NOT_CITED_FOR):
            continue
        labels = _text(graph, s, SKOS.prefLabel) or _text(graph, s, RDFS.label)
        if not labels:
            continue
        schemes, vocabularies = [], 0
        for scheme in graph.objects(s, SKOS.inScheme):
            schemes.extend(_text(graph, scheme, SKOS.prefLabel)[:1] or _text(graph, scheme, RDFS.label)[:1])
            vocabularies += (scheme, RDF.type, URIRef(UKG + "Vocabulary")) in graph
        definition = (_text(graph, s, SKOS.definition) or [""])[0]
        in_framework = not schemes or vocabularies < len(schemes)
        top = {str(t) for t in graph.subjects(SKOS.topConceptOf, s)} | {
            str(t) for t in graph.objects(s, SKOS.hasTopConcept)
        }
        concepts.append(
            Concept(
                str(s),
                labels[0],
                _text(graph, s, SKOS.altLabel),
                definition,
                schemes,
                in_framework,
                sorted(str(b) for b in graph.objects(s, SKOS.broader)),
                sorted(top),
                (s, RDF.type, URIRef(UKG + "Framework")) in graph,
            )
        )
    return concepts


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class Annotated:
    """A loaded citation whose concepts a scholar accepted: what the linker learns from."""

    sentence: str
    section: str
    concepts: frozenset[str]


def query_text(name: str) -> str:
    return (resources.files("urbankg.loaders.extraction") / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def _rdflib(term):
    """An engine term as rdflib's: IRIs, blank nodes, literals with their language or datatype."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return BNode(term.value)


def read_annotations(store: Store, graphs: list[str] | None = None) -> list[Annotated]:
    """The hand-annotated citations in ``graphs`` (None: in every graph; an empty list would
    be read as every graph too), one per citation, in a stable order."""
    found: dict[str, tuple[str, str, set[str]]] = {}
    for row in solutions(store.query(query_text("annotated-citations"), default_graph=graphs)):
        section = row["section"].value if row["section"] is not None else ""
        entry = found.setdefault(row["citation"].value, (row["sentence"].value, section, set()))
        entry[2].add(row["concept"].value)
    return [Annotated(sentence, section, frozenset(k)) for _, (sentence, section, k) in sorted(found.items())]


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Suggestion:
    concept: Concept
    score: float
    why: str  # "label in sentence", "alt label 'x' in section", ...
    # sentence, section, previous, hierarchy, definition, next, learned
    evidence: tuple[float, ...] = ()


@dataclass
class _Context:
    """One text a citation is read in (its sentence, a neighbour, its section), as words."""

    words: list[str]
    word_set: set[str]
    phrase: list[str]  # every word, stopwords kept, for whole-phrase matches

    @classmethod
    def of(cls, text: str) -> _Context:
        w = words(text)
        return cls(w, set(w), words(text, True))


class ConceptLinker:
    def __init__(self, concepts: list[Concept], annotated: Sequence[Annotated] = ()):
        self.concepts = concepts
        # A framework that shares its label with a concept ("network urbanism" the scheme and
        # the theory) is suggested as the concept; it still passes evidence to its components.
        concept_labels = {c.label.lower() for c in concepts if not c.top_concepts}
        self.shadowed = {c.iri for c in concepts if c.top_concepts and c.label.lower() in concept_labels}
        documents = []
        for c in concepts:
            c.label_words = [words(c.label)] + [words(a) for a in c.alt_labels]
            c.label_phrases = [words(c.label, True)] + [words(a, True) for a in c.alt_labels]
            documents.append(set(words(" ".join([c.label, *c.alt_labels, c.definition]))))
        n = len(documents) or 1
        df = Counter(w for d in documents for w in d)
        # rarer among the concepts = more telling; unseen words get the highest weight
        self.idf = {w: math.log((n + 1) / (k + 0.5)) for w, k in df.items()}
        self._idf_unseen = math.log((n + 1) / 0.5)
        for c in concepts:
            c.definition_vector = self._vector(words(c.definition))
        self._learn(annotated)

    def _learn(self, annotated: Sequence[Annotated]) -> None:
        """Keep the accepted annotations of concepts this linker knows, each sentence as a
        vector weighted by how rare its words are among the annotated sentences (words every
        citing sentence of the field uses, "Taobao", "village", tell little)."""
        known = {c.iri for c in self.concepts}
        self.annotated = [a for a in annotated if a.concepts & known]
        n = len(self.annotated)
        sentences = [words(a.sentence) for a in self.annotated]
        df = Counter(w for ws in sentences for w in set(ws))
        self.sentence_idf = {w: math.log((n + 1) / (k + 0.5)) for w, k in df.items()}
        self._sentence_vectors = [_unit(_weighted(ws, self.sentence_idf)) for ws in sentences]
        self.by_concept: dict[str, list[int]] = defaultdict(list)
        for j, a in enumerate(self.annotated):
            for k in a.concepts & known:
                self.by_concept[k].append(j)
        self.reliability = self._label_reliability()

    def _label_reliability(self) -> dict[str, float]:
        """How far a label standing whole in a citing sentence is to be trusted, per concept:
        of the annotated sentences that name it whole, the share scholars annotated with it,
        with RELIABILITY_PRIOR sentences more at the prior share (a label seen rarely keeps
        most of its weight). The prior is 1 for a concept, and for a framework the share of
        named frameworks that were annotated, plus one: whether scholars cite a framework or
        its components is their practice, which the annotations show (the bundled ones cite
        components). Concepts no annotated sentence names keep their prior."""
        hits: Counter[str] = Counter()
        mentions: Counter[str] = Counter()
        frameworks = {c.iri for c in self.concepts if c.is_framework}
        for a in self.annotated:
            for iri, (_, _, whole) in self._labels_in(_Context.of(a.sentence)).items():
                if whole:
                    for key in (iri, "framework") if iri in frameworks else (iri,):
                        mentions[key] += 1
                        hits[key] += iri in a.concepts
        framework_prior = (hits["framework"] + 1) / (mentions["framework"] + 1)
        out = {}
        for c in self.concepts:
            prior = framework_prior if c.iri in frameworks else 1.0
            if mentions[c.iri] or prior < 1.0:
                out[c.iri] = (hits[c.iri] + RELIABILITY_PRIOR * prior) / (mentions[c.iri] + RELIABILITY_PRIOR)
        return out

    @classmethod
    def from_ontology(cls, path: Path | str | None = None) -> ConceptLinker:
        return cls(load_concepts(path or default_ontology_path()))

    @classmethod
    def from_store(cls, store: Store, exclude_graphs: Iterable[str] = ()) -> ConceptLinker:
        """Every concept and framework in the store's graphs, and the hand annotations of the
        loaded citations to learn from, leaving out ``exclude_graphs`` (a paper's own graphs,
        for leave-one-out): what they alone say is not read."""
        excluded = set(exclude_graphs)
        # Without exclusions the union default graph is read: a remote store with many graphs
        # is not sent each name.
        graphs = [g for g in store.graphs() if g not in excluded] if excluded else None
        if graphs == []:  # an empty dataset would be read as the union of every graph
            return cls([])
        graph = Graph()
        for row in solutions(store.query(query_text("concepts"), default_graph=graphs)):
            graph.add((_rdflib(row["s"]), _rdflib(row["p"]), _rdflib(row["o"])))
        return cls(load_concepts(graph), read_annotations(store, graphs))

    def _w(self, word: str) -> float:
        return self.idf.get(word, self._idf_unseen)

    def _vector(self, tokens: list[str]) -> dict[str, float]:
        counts = Counter(tokens)
        vec = {w: (1 + math.log(k)) * self._w(w) for w, k in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    def _label_match(self, label: list[str], phrase: list[str], text: _Context) -> tuple[float, tuple[int, int] | None]:
        """The whole label as a phrase: 1.0, or 0.8 for a one-word label ("urbanism", "proximity"
        say less than "splintering urbanism"); else the squared idf-weighted share of its words.
        And where the whole label stands in the text, if it does."""
        if not label:
            return 0.0, None
        k = len(phrase)
        for i in range(len(text.phrase) - k + 1):
            if text.phrase[i : i + k] == phrase:
                return (1.0 if len(label) > 1 else WEIGHT_ONE_WORD), (i, i + k)
        total = sum(self._w(w) for w in label)
        present = sum(self._w(w) for w in label if w in text.word_set)
        share = present / total if total else 0.0
        # one word of a multi-word label is weak evidence; all of them scattered is good evidence
        return 0.8 * share**2, None

    def _best_label(self, c: Concept, text: _Context) -> tuple[float, str, tuple[int, int] | None]:
        """The best match of the concept's labels in a text, which label it was, and where the
        label stands whole in the text (None when only words of it are there)."""
        best, which, where = 0.0, "", None
        for j, (lw, lp) in enumerate(zip(c.label_words, c.label_phrases, strict=True)):
            m, span = self._label_match(lw, lp, text)
            m *= 1.0 if j == 0 else WEIGHT_ALT_LABEL
            if m > best:
                best, which, where = m, "label" if j == 0 else f"alt label '{c.alt_labels[j - 1]}'", span
        return best, which, where

    def _labels_in(self, text: _Context) -> dict[str, tuple[float, str, bool]]:
        """Each concept's best label match in a text, and whether a label stands there whole.
        A label standing inside a longer one that another concept's label fills ("urbanism" in
        "enclave urbanism", "social networks" in "social networks and power relations") is
        part of that term, not a mention of its own: it counts as its words only."""
        if not text.words:
            return {}
        found = {c.iri: self._best_label(c, text) for c in self.concepts}
        spans = {span for _, _, span in found.values() if span is not None}
        out = {}
        for iri, (score, which, span) in found.items():
            if span is not None and any(a <= span[0] and span[1] <= b and b - a > span[1] - span[0] for a, b in spans):
                score, span = score * WEIGHT_INSIDE_LONGER, None
            out[iri] = (score, which, span is not None)
        return out

    def _learned(self, sentence: _Context) -> tuple[dict[str, tuple[float, int]], dict[str, float]]:
        """For each concept of the accepted annotations, how like the sentence is the most alike
        citing sentence annotated with it (cosine), and which that sentence is; and the
        sentence's vector."""
        if not self.annotated:
            return {}, {}
        vector = _unit(_weighted(sentence.words, self.sentence_idf))
        similarity = [sum(v * other.get(w, 0.0) for w, v in vector.items()) for other in self._sentence_vectors]
        out = {}
        for k, rows in self.by_concept.items():
            j = max(rows, key=lambda r: similarity[r])
            if similarity[j] > 0:
                out[k] = (similarity[j], j)
        return out, vector

    def suggest(
        self, sentence: str, section: str = "", limit: int | None = None, previous: str = "", next: str = ""
    ) -> list[Suggestion]:
        """Concepts ranked by score for a citing sentence, the titles of its sections and the
        sentences before and after it."""
        sent, sec, prev, following = (_Context.of(t) for t in (sentence, section, previous, next))
        sent_vec = self._vector(sent.words)
        in_sentence, in_section, in_previous, in_next = (self._labels_in(t) for t in (sent, sec, prev, following))
        learned, learned_vector = self._learned(sent)
        # evidence a concept gets from narrower ones named in the sentence
        from_hierarchy: dict[str, tuple[float, str]] = {}
        # components of a framework the sentence names: their evidence is in the sentence
        of_named_framework: set[str] = set()
        for c in self.concepts:
            score = in_sentence.get(c.iri, NO_MATCH)[0]
            if score < 0.5:
                continue
            for parent in c.broader:
                if score * WEIGHT_HIERARCHY > from_hierarchy.get(parent, (0.0, ""))[0]:
                    from_hierarchy[parent] = (score * WEIGHT_HIERARCHY, f"narrower '{c.label}' in sentence")
            if score < 0.9:  # a framework passes evidence down only when named by a phrase
                continue
            for child in c.top_concepts:
                if score * WEIGHT_HIERARCHY > from_hierarchy.get(child, (0.0, ""))[0]:
                    from_hierarchy[child] = (score * WEIGHT_HIERARCHY, f"its framework '{c.label}' in sentence")
                    of_named_framework.add(child)
        out = []
        for c in self.concepts:
            if c.iri in self.shadowed:
                continue
            label, which, whole = in_sentence.get(c.iri, NO_MATCH)
            section_score, _, whole_section = in_section.get(c.iri, NO_MATCH)
            previous_score, _, whole_previous = in_previous.get(c.iri, NO_MATCH)
            next_score, _, whole_next = in_next.get(c.iri, NO_MATCH)
            trust = self.reliability.get(c.iri, 1.0)
            label *= trust
            section_score *= WEIGHT_SECTION * trust
            previous_score *= WEIGHT_PREVIOUS * trust
            next_score *= WEIGHT_NEXT * trust
            hierarchy, via = from_hierarchy.get(c.iri, (0.0, ""))
            shared = {w: v * c.definition_vector.get(w, 0.0) for w, v in sent_vec.items()}
            definition = sum(shared.values()) * WEIGHT_DEFINITION
            similarity, like = learned.get(c.iri, (0.0, -1))
            learned_score = _learned_weight(similarity)
            parts = (label, section_score, previous_score, hierarchy, definition, next_score, learned_score)
            score = 1 - math.prod(1 - p for p in parts)
            in_itself = 1 - (1 - label) * (1 - definition) * (1 - learned_score)
            if c.iri in of_named_framework:
                in_itself = 1 - (1 - in_itself) * (1 - hierarchy)
            if in_itself < SENTENCE_EVIDENCE:
                # the section, the neighbours and the hierarchy add to what the sentence says,
                # and together are not enough without it (scaled, so that the ranking stays)
                score *= CONTEXT_CAP
            if not c.in_framework:
                score *= WEIGHT_VOCABULARY
            label_words = {w for lw in c.label_words for w in lw if w in sent.word_set}
            if len(label_words) == 1 and not (whole or whole_section or whole_previous or whole_next or hierarchy):
                # Never a concept only because one word of its label occurs ("urban" of "urban
                # form"): the rest of the sentence must speak for it on its own.
                (word,) = label_words
                rest = (sum(shared.values()) - shared.get(word, 0.0)) * WEIGHT_DEFINITION
                if learned_score > 0:
                    like_vector = self._sentence_vectors[like]
                    without = similarity - learned_vector.get(word, 0.0) * like_vector.get(word, 0.0)
                    rest = 1 - (1 - rest) * (
                        1 - max(0.0, without - LEARNED_FLOOR) / (1 - LEARNED_FLOOR) * WEIGHT_LEARNED
                    )
                if rest < SENTENCE_EVIDENCE:
                    score *= ONE_WORD_CAP
            if score <= 0.01:
                continue
            reasons = []
            if label > 0.05:
                reasons.append(f"{which} in sentence" if whole else f"words of {which} in sentence")
            if section_score > 0.05:
                reasons.append("label in section title")
            if previous_score > 0.05:
                reasons.append("label in the sentence before")
            if next_score > 0.05:
                reasons.append("label in the sentence after")
            if hierarchy > 0.05:
                reasons.append(via)
            if definition > 0.05:
                reasons.append("words of definition")
            if learned_score > 0.05:
                reasons.append("like sentences annotated with it")
            out.append(Suggestion(c, round(score, 3), ", ".join(reasons) or "weak overlap", parts))
        out.sort(key=lambda s: (-s.score, s.concept.label))
        return out[:limit] if limit else out


def _learned_weight(similarity: float) -> float:
    return max(0.0, similarity - LEARNED_FLOOR) / (1 - LEARNED_FLOOR) * WEIGHT_LEARNED


def _weighted(tokens: list[str], idf: dict[str, float]) -> dict[str, float]:
    """Log term frequency times idf; words no annotated sentence has are left out."""
    return {w: (1 + math.log(k)) * idf[w] for w, k in Counter(tokens).items() if w in idf}


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


# --------------------------------------------------------------------------- intent


@dataclass(frozen=True)
class IntentSuggestion:
    intent: str
    cue: str  # the phrase that suggested it, "" for the default
    alternatives: tuple[str, ...] = ()


class IntentSuggester:
    def __init__(self, cues_path: Path | str | None = None):
        path = Path(cues_path or default_cues_path())
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        self.default = data.get("default", "citesForInformation")
        self.cues: list[tuple[str, str, re.Pattern]] = []
        for intent, phrases in (data.get("intents") or {}).items():
            for phrase in phrases or []:
                phrase = str(phrase).lower()
                pattern = r"\s+".join(r"\S+" if p == "*" else re.escape(p) for p in phrase.split())
                boundary_l = r"(?<![a-z])" if phrase[:1].isalpha() else ""
                boundary_r = r"(?![a-z])" if phrase[-1:].isalpha() or phrase.endswith(".") else ""
                self.cues.append((intent, phrase, re.compile(boundary_l + pattern + boundary_r)))

    def suggest(self, sentence: str, citation_at: int | None = None) -> IntentSuggestion:
        """The intent whose cue is nearest the citation (its offset in the sentence)."""
        text = sentence.lower()
        at = citation_at if citation_at is not None else len(text) // 2
        found: dict[str, tuple[int, str]] = {}
        for intent, phrase, pattern in self.cues:
            for m in pattern.finditer(text):
                distance = 0 if m.start() <= at <= m.end() else min(abs(m.start() - at), abs(m.end() - at))
                if intent not in found or distance < found[intent][0]:
                    found[intent] = (distance, phrase)
        if not found:
            return IntentSuggestion(self.default, "")
        ranked = sorted(found.items(), key=lambda kv: kv[1][0])
        return IntentSuggestion(ranked[0][0], ranked[0][1][1], tuple(i for i, _ in ranked[1:4]))


@lru_cache(maxsize=1)
def default_intent_suggester() -> IntentSuggester:
    return IntentSuggester()
