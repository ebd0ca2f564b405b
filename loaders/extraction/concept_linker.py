"""Suggest which concepts of the ontology a citation is about, and the citation's intent.

Concepts are the ontology's skos:Concepts and frameworks (read with rdflib from
ontology/urbankg.ttl, or any graph given), each described by its skos:prefLabel,
skos:altLabels and skos:definition. Stakeholder roles and relation kinds are left out:
they type the actors and relations of cases, not what a work is cited for. A citation is
scored against each concept from these pieces of evidence, combined as a noisy-or (each
can only add to the others):

- a label or alternative label occurs in the citing sentence (whole phrase: 1.0; some of
  its words, weighted by how rare each word is among the concepts: less);
- a label occurs in the titles of the sections the sentence stands under (0.4), or in the
  sentence before (0.4: "The initiative ..." continues a sentence that named it);
- a narrower concept is named in the sentence (0.6 of its evidence): a citation for a
  component is also for what it is a component of; and a framework named in the sentence
  by a phrase (not one word such as "urbanism") passes the same share to its top concepts;
- the sentence shares rare words with the concept's definition (TF-IDF cosine, 0.5).

The section, the sentence before and the hierarchy alone stay below the draft's threshold
(0.5): they only add to what the sentence itself says.

Scores are in [0, 1]; the ranking, not the absolute value, is what the draft offers.
The intent is suggested from cue phrases listed in models/intent-cues.yaml.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from ruamel.yaml import YAML

from urbankg import config

# A section title alone stays below the draft threshold (0.5): it only adds to sentence evidence.
WEIGHT_SECTION = 0.4
WEIGHT_PREVIOUS = 0.4
WEIGHT_HIERARCHY = 0.6
WEIGHT_ONE_WORD = 0.8
WEIGHT_DEFINITION = 0.5
WEIGHT_ALT_LABEL = 0.95
# A citation is usually invoked for a framework's concept; concepts of the controlled
# vocabularies (stakeholder roles, relation kinds, topics, phenomena) are discounted.
WEIGHT_VOCABULARY = 0.8
UKG = config.ONTOLOGY_NS
# Concepts of these classes are never suggested for a citation (see the module docstring).
NOT_CITED_FOR = (URIRef(UKG + "StakeholderRole"), URIRef(UKG + "RelationKind"))

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
            )
        )
    return concepts


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Suggestion:
    concept: Concept
    score: float
    why: str  # "label in sentence", "alt label 'x' in section", ...
    evidence: tuple[float, ...] = ()  # sentence, section, previous, hierarchy, definition


class ConceptLinker:
    def __init__(self, concepts: list[Concept]):
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

    @classmethod
    def from_ontology(cls, path: Path | str | None = None) -> ConceptLinker:
        return cls(load_concepts(path or default_ontology_path()))

    def _w(self, word: str) -> float:
        return self.idf.get(word, self._idf_unseen)

    def _vector(self, tokens: list[str]) -> dict[str, float]:
        counts = Counter(tokens)
        vec = {w: (1 + math.log(k)) * self._w(w) for w, k in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {w: v / norm for w, v in vec.items()}

    def _label_match(
        self, label: list[str], phrase: list[str], text: list[str], text_set: set[str], text_phrase: list[str]
    ) -> float:
        """The whole label as a phrase: 1.0, or 0.8 for a one-word label ("urbanism", "proximity"
        say less than "splintering urbanism"); else the squared idf-weighted share of its words."""
        if not label:
            return 0.0
        k = len(phrase)
        for i in range(len(text_phrase) - k + 1):
            if text_phrase[i : i + k] == phrase:
                return 1.0 if len(label) > 1 else WEIGHT_ONE_WORD
        total = sum(self._w(w) for w in label)
        present = sum(self._w(w) for w in label if w in text_set)
        share = present / total if total else 0.0
        # one word of a multi-word label is weak evidence; all of them scattered is good evidence
        return 0.8 * share**2

    def _best_label(self, c: Concept, text: tuple[list[str], set[str], list[str]]) -> tuple[float, str]:
        """The best match of the concept's labels in a text, and which label it was."""
        best, which = 0.0, ""
        for j, (lw, lp) in enumerate(zip(c.label_words, c.label_phrases, strict=True)):
            m = self._label_match(lw, lp, *text) * (1.0 if j == 0 else WEIGHT_ALT_LABEL)
            if m > best:
                best, which = m, "label" if j == 0 else f"alt label '{c.alt_labels[j - 1]}'"
        return best, which

    def suggest(
        self, sentence: str, section: str = "", limit: int | None = None, previous: str = ""
    ) -> list[Suggestion]:
        """Concepts ranked by score for a citing sentence, the titles of its sections and the
        sentence before it."""

        def prepared(text: str) -> tuple[list[str], set[str], list[str]]:
            w = words(text)
            return w, set(w), words(text, True)

        sent, sec, prev = prepared(sentence), prepared(section), prepared(previous)
        sent_vec = self._vector(sent[0])
        in_sentence = {c.iri: self._best_label(c, sent) for c in self.concepts}
        # evidence a concept gets from narrower ones named in the sentence
        from_hierarchy: dict[str, tuple[float, str]] = {}
        for c in self.concepts:
            score, _ = in_sentence[c.iri]
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
        out = []
        for c in self.concepts:
            label, which = in_sentence[c.iri]
            section_score = self._best_label(c, sec)[0] * WEIGHT_SECTION if sec[0] else 0.0
            previous_score = self._best_label(c, prev)[0] * WEIGHT_PREVIOUS if prev[0] else 0.0
            hierarchy, via = from_hierarchy.get(c.iri, (0.0, ""))
            definition = sum(v * c.definition_vector.get(w, 0.0) for w, v in sent_vec.items()) * WEIGHT_DEFINITION
            score = 1 - (1 - label) * (1 - section_score) * (1 - previous_score) * (1 - hierarchy) * (1 - definition)
            if not c.in_framework:
                score *= WEIGHT_VOCABULARY
            if score <= 0.01 or c.iri in self.shadowed:
                continue
            reasons = []
            if label > 0.05:
                reasons.append(f"{which} in sentence" if label >= WEIGHT_ALT_LABEL else f"words of {which} in sentence")
            if section_score > 0.05:
                reasons.append("label in section title")
            if previous_score > 0.05:
                reasons.append("label in the sentence before")
            if hierarchy > 0.05:
                reasons.append(via)
            if definition > 0.05:
                reasons.append("words of definition")
            out.append(
                Suggestion(
                    c,
                    round(score, 3),
                    ", ".join(reasons) or "weak overlap",
                    (label, section_score, previous_score, hierarchy, definition),
                )
            )
        out.sort(key=lambda s: (-s.score, s.concept.label))
        return out[:limit] if limit else out


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
