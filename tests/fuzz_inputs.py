"""Grammar-aware generators of hostile input for urbankg's parsers and routes.

Not random bytes: each input is built from the grammar of its language (SPARQL query
and update, Turtle, TriG, N-Triples, JSON-LD, RDF/XML, urbankg's YAML annotations)
plus hostile building blocks: SERVICE and LOAD in every spelling, comments and strings
that hide or reveal tokens, deep nesting, huge literals, NUL and control characters,
invalid UTF-8, IRIs the engine rejects, remote JSON-LD contexts at any depth, XML
entities and DTDs, ``owl:imports``, base IRIs, and mutations of the project's own
canned queries and corpus files. Every URL-shaped value that something could fetch
points at the canary (see canary.py), under a path naming the case (``Case.token``),
so a hit names the input that caused it.

Reproducible: a case is a pure function of (kind, class, seed). ``make_case(kind,
index, seed, canary)`` picks the class round-robin by index, so a short run still
covers every class; ``Case.describe()`` prints what is needed to make it again.

Writes stay in their lane: updates write only into fuzz graphs (``FUZZ_PREFIXES``)
and never name another graph outside a string, so any change elsewhere is the
server's doing. RDF bodies may carry payloads aimed at the bundled graphs
(``PROTECTED_GRAPH``): a body is data and must never act on anything but its target.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from urbankg.config import GRAPH_BASE, ID_BASE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FUZZ_NS = "https://fuzz.example/"
# Graphs the fuzzer may write into: its own namespace, fuzz-* under the graph base, and
# the http-* graphs a POST to /rdf-graphs creates.
FUZZ_PREFIXES = (FUZZ_NS, GRAPH_BASE + "fuzz-", GRAPH_BASE + "http-")
PROTECTED_GRAPH = GRAPH_BASE + "sun-2025"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"

CONTROL_CHARS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\r",
    "\u202e",
]
INVALID_UTF8 = [
    b"\xff",
    b"\xfe\xff",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe4\xb8",
    b"\x80",
    b"\xf8\x88\x80\x80\x80",
]
BAD_IRIS = [
    "http://[x",
    "%zz://x",
    "urn:a b",
    "http://a b/",
    "\x00",
    "urn:\x00x",
    "x",
    "",
    "http://",
    "://x",
    "urn:x>y",
    'urn:x"y',
    "urn:{x}",
    "urn:x|y",
    "urn:x^y",
    "urn:x`y",
    "urn:x\\y",
    "http://[::1",
    "http://a:b:c/",
    "http://a/%zz",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "\u202ehttp://x",
    "urn:" + "a" * 5000,
]


def is_fuzz(iri: str) -> bool:
    # Case-blind: a mutation may swap the case of a fuzz IRI, and it is still the fuzzer's own.
    return iri.lower().startswith(FUZZ_PREFIXES)


@dataclass(frozen=True)
class Case:
    kind: str  # the language: query, update, turtle, trig, ntriples, jsonld, rdfxml, yaml, param, idpath
    label: str  # the input class, e.g. "service-spelling"
    seed: str
    token: str  # this case's canary path segment
    body: str | bytes | dict
    # For updates whose effect is known: the N-Quads the fuzz graphs must hold if accepted.
    expect: frozenset[str] | None = None

    def text(self, limit: int = 400) -> str:
        body = self.body if not isinstance(self.body, dict) else json.dumps(self.body, ensure_ascii=False)
        shown = repr(body[:limit]) + (
            f"... ({len(body)} {'bytes' if isinstance(body, bytes) else 'chars'})" if len(body) > limit else ""
        )
        return shown

    def describe(self) -> str:
        return f"{self.kind}/{self.label} seed={self.seed!r}: {self.text()}"


@dataclass
class Ctx:
    """What a generator may use: its random source and the canary, scoped to one case."""

    seed: str
    canary: str  # http://127.0.0.1:PORT
    rng: random.Random = field(init=False)
    token: str = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.token = "k" + hashlib.sha1(self.seed.encode()).hexdigest()[:10]

    # -- choices ---------------------------------------------------------------------------

    def pick(self, items):
        return self.rng.choice(list(items))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def depth(self) -> int:
        """Mostly shallow, sometimes far past any sane limit (100,000 crashed the engine once)."""
        band = self.rng.random()
        if band < 0.45:
            return self.rng.randint(2, 60)
        if band < 0.8:
            return self.rng.randint(100, 3000)
        return self.rng.choice([10_000, 30_000, 100_000, 200_000])

    def size(self) -> int:
        """A literal's length: small to past the server's 10 MB body limit."""
        return self.pick([1_000, 65_537, 300_000, 1_100_000, 4_000_000, 11_000_000])

    def count(self) -> int:
        """How many statements a long body holds: up to some thousands. More is a load, not an
        attack: the validation gate takes about 8,000 statements a second."""
        return self.pick([10, 1_000, 14_000])

    # -- values ----------------------------------------------------------------------------

    def url(self, tail: str | None = None) -> str:
        return f"{self.canary}/{self.token}/{tail or self.pick(['sparql', 'ctx.jsonld', 'data.ttl', 'x'])}"

    def fuzz_graph(self) -> str:
        return f"{FUZZ_NS}{self.token}/g{self.rng.randint(0, 2)}"

    def fuzz_iri(self, name: str | None = None) -> str:
        return f"{FUZZ_NS}{self.token}/{name or self.pick(['s', 'p', 'o', 'x'])}"

    def hostile_string(self) -> str:
        """Text meant to stay data: it closes strings, blocks and IRIs, and names a graph or the canary."""
        return self.pick(
            [
                f"}} }} ; DROP GRAPH <{PROTECTED_GRAPH}> ; LOAD <{self.url()}> #",
                f'" }} ; LOAD <{self.url()}> #',
                f"' }} ; SERVICE <{self.url()}> {{ ?s ?p ?o }} #",
                '"""',
                "'''",
                "\\",
                "\\u0022",
                "#",
                "<'>",
                "'>",
                "\n#\n",
                "\r",
                "\u2028",
                "\x00",
                "<script>alert(1)</script>",
                "javascript:alert(1)",
                "%00",
                "${x}",
                "{{x}}",
                "a" * self.rng.randint(1, 5000),
                "😀" * 100,
                "\u202e" + "evil",
                "?x",
                "$x",
                "_:b0",
            ]
        )

    def escape_iri(self, iri: str) -> str:
        r"""The IRI with some characters written as \u or \U escapes (legal in SPARQL and Turtle IRIs)."""
        out = []
        for c in iri:
            if self.chance(0.3):
                out.append(f"\\u{ord(c):04X}" if self.chance(0.7) else f"\\U{ord(c):08x}")
            else:
                out.append(c)
        return "".join(out)


GENERATORS: dict[str, list[tuple[str, Callable[[Ctx], object]]]] = {}


def generator(kind: str, label: str):
    def register(fn):
        GENERATORS.setdefault(kind, []).append((label, fn))
        return fn

    return register


def make_case(kind: str, index: int, seed: str, canary: str) -> Case:
    """The case ``index`` of ``kind``: classes are taken in turn, the rest drawn from ``seed``."""
    label, fn = GENERATORS[kind][index % len(GENERATORS[kind])]
    return build(kind, label, seed, canary)


def build(kind: str, label: str, seed: str, canary: str) -> Case:
    fn = dict(GENERATORS[kind])[label]
    ctx = Ctx(seed, canary)
    made = fn(ctx)
    body, expect = made if isinstance(made, tuple) else (made, None)
    return Case(kind, label, seed, ctx.token, body, expect)


# -- text mutations (any language) -----------------------------------------------------------


def mutate(ctx: Ctx, text: str, fragments: list[str], destructive: bool = True) -> str | bytes:
    """Apply one to three mutations. Non-destructive ones only add (updates must keep their graphs)."""
    actions = ["insert", "insert", "control", "case", "repeat", "utf8", "truncate"]
    if destructive:
        actions += ["delete", "duplicate", "swap-iri"]
    out: str | bytes = text
    for _ in range(ctx.rng.randint(1, 3)):
        if isinstance(out, bytes):
            break
        at = ctx.rng.randint(0, len(out))
        action = ctx.pick(actions)
        if action == "insert":
            out = out[:at] + ctx.pick(fragments) + out[at:]
        elif action == "control":
            out = out[:at] + ctx.pick(CONTROL_CHARS) * ctx.rng.randint(1, 3) + out[at:]
        elif action == "case":
            out = re.sub(r"[A-Za-z]+", lambda m: m.group(0).swapcase() if ctx.chance(0.3) else m.group(0), out)
        elif action == "repeat":
            char = ctx.pick("{}()[]<>\"'#;.,")
            out = out[:at] + char * ctx.pick([2, 50, 5000]) + out[at:]
        elif action == "utf8":
            raw = out.encode("utf-8")
            at = ctx.rng.randint(0, len(raw))
            out = raw[:at] + ctx.pick(INVALID_UTF8) + raw[at:]
        elif action == "truncate":
            out = out[: max(at, len(out) // 3)]
        elif action == "delete":
            out = out[:at] + out[at + ctx.rng.randint(1, 40) :]
        elif action == "duplicate":
            span = out[at : at + ctx.rng.randint(1, 200)]
            out = out[:at] + span * ctx.rng.randint(2, 50) + out[at:]
        elif action == "swap-iri":
            iris = list(re.finditer(r"<[^<>\s]*>", out))
            if iris:
                m = ctx.pick(iris)
                out = out[: m.start()] + f"<{ctx.pick([ctx.url(), *BAD_IRIS[:8]])}>" + out[m.end() :]
    return out


def _data_file(*names: str) -> str:
    return (DATA.joinpath(*names)).read_text(encoding="utf-8")


# -- SPARQL building blocks ------------------------------------------------------------------

SERVICE_KEYWORDS = [
    "SERVICE",
    "service",
    "Service",
    "sErViCe",
    "SERVICE SILENT",
    "service silent",
    "SERVICE\tSILENT",
    "SERVICE\n",
    "SERVICE #c\n",
    "\\u0053ERVICE",
    "SERVICE\r\nSILENT",
]
LOAD_KEYWORDS = ["LOAD", "load", "Load", "LOAD SILENT", "load silent", "LOAD\n", "LOAD #c\n", "\\u004cOAD"]


def iri_target(ctx: Ctx, tail: str = "sparql") -> tuple[str, str]:
    """A (prologue, term) pair naming the canary, in one of the ways SPARQL can spell an IRI."""
    url = ctx.url(tail)
    folder = f"{ctx.canary}/{ctx.token}/"
    port = ctx.canary.rsplit(":", 1)[1]
    return ctx.pick(
        [
            ("", f"<{url}>"),
            ("", f"<{ctx.escape_iri(url)}>"),
            (f"PREFIX c: <{folder}>\n", f"c:{tail}"),
            (f"PREFIX : <{folder}>\n", f":{tail}"),
            (f"PREFIX c: <{ctx.escape_iri(folder)}>\n", f"c:{tail}"),
            (f"PREFIX c: <{url}>\n", "c:"),
            (f"BASE <{folder}>\n", f"<{tail}>"),
            (f"BASE <{ctx.escape_iri(folder)}>\n", f"<./{tail}>"),
            ("", f"<//127.0.0.1:{port}/{ctx.token}/{tail}>"),  # network-path reference, against the endpoint's base
            (f"BASE <{folder}x/>\nPREFIX c: <../>\n", f"c:{tail}"),
        ]
    )


def service_pattern(ctx: Ctx) -> tuple[str, str]:
    """(prologue, group pattern) with one SERVICE to the canary in some spelling."""
    keyword = ctx.pick(SERVICE_KEYWORDS)
    inner = ctx.pick(["{ ?s ?p ?o }", "{}", "{ ?s ?p ?o FILTER(true) }", "{ SELECT * WHERE { ?s ?p ?o } }"])
    if ctx.chance(0.15):  # a variable endpoint, bound in the query
        url = ctx.url()
        binder = ctx.pick(
            [
                f"VALUES ?svc {{ <{url}> }}",
                f"BIND(<{url}> AS ?svc)",
                f'BIND(IRI("{url}") AS ?svc)',
                f'BIND(IRI(CONCAT("{ctx.canary}", "/{ctx.token}/sparql")) AS ?svc)',
            ]
        )
        return "", f"{binder} {keyword} ?svc {inner}"
    if ctx.chance(0.1):  # glued to what precedes it: read as `true SERVICE`, `1 SERVICE`
        prologue, target = iri_target(ctx)
        return prologue, f"?s ?p {ctx.pick(['true', '1', '1.5', 'false'])}{keyword.strip()} {target} {inner}"
    prologue, target = iri_target(ctx)
    return prologue, f"{keyword} {target} {inner}"


def query_around(ctx: Ctx, pattern: str) -> str:
    """A query form with ``pattern`` somewhere a group may be."""
    return ctx.pick(
        [
            f"SELECT * WHERE {{ {pattern} }}",
            f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {pattern} }} }} LIMIT 1",
            f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {pattern} }} }} LIMIT 1",
            f"ASK {{ FILTER EXISTS {{ {pattern} }} }}",
            f"ASK {{ FILTER NOT EXISTS {{ {pattern} }} }}",
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}",
            f"DESCRIBE ?s WHERE {{ {pattern} }}",
            f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {pattern} }} }} }}",
            f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} }}",
            f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ {pattern} }} }} LIMIT 1",
            f"SELECT (EXISTS {{ {pattern} }} AS ?e) WHERE {{}}",
            f"SELECT * WHERE {{ ?a ?b ?c . {pattern} }} LIMIT 1",
        ]
    )


def hiding_tail(ctx: Ctx, inside: str, after: str = "") -> str:
    """Text that closes an open group with ``inside`` before its ``}`` and ``after`` it, both
    hidden from a scanner that disagrees with the engine about strings, IRIs and comments
    (issue 21, finding 1: the scanner read ``<'>`` as an IRI and the rest as a string)."""
    q = ctx.pick(["'", '"'])
    return ctx.pick(
        [
            f"FILTER(1 <'> 1) ' || true) {inside} }} {after} #'",
            f"FILTER(?o <'> \"x\") ' || true) {inside} }} {after} #'",
            f"FILTER(1<'>1)'||true){inside}}}{after}#'",
            f"FILTER(?o <'''> 1) ''' || true) {inside} }} {after} #'''",
            f'FILTER(?o <"> 1) " || true) {inside} }} {after} #"',
            f'FILTER("#" != "") {inside} }} {after}',
            f"FILTER('a\\'' != \"\") {inside} }} {after}",
            f"FILTER('\\\\' != \"\") {inside} }} {after}",
            f"FILTER('''a'' ''' != \"\") {inside} }} {after}",
            f'FILTER("""a"" """ != "") {inside} }} {after}',
            f"FILTER(true) # comment\r{inside} }} {after}",
            f"FILTER(STR(<urn:x#>) != {q}#{q}) {inside} }} {after}",
            f"FILTER(?o != <urn:a'b>) {inside} }} {after}",
            f"FILTER(?o != {q}<{q}) {inside} }} {after}",
        ]
    )


# -- SPARQL queries --------------------------------------------------------------------------


@generator("query", "service-spelling")
def _q_service(ctx: Ctx) -> str:
    prologue, pattern = service_pattern(ctx)
    return prologue + query_around(ctx, pattern)


@generator("query", "hidden-tokens")
def _q_hidden(ctx: Ctx) -> str:
    prologue, pattern = service_pattern(ctx)
    return prologue + "SELECT * WHERE { ?s ?p ?o " + hiding_tail(ctx, pattern)


@generator("query", "comments-and-strings")
def _q_strings(ctx: Ctx) -> str:
    """Tokens that only look like SERVICE (in strings and comments: harmless) beside real ones."""
    url = ctx.url()
    harmless = ctx.pick(
        [
            f"# SERVICE <{url}> {{ ?s ?p ?o }}\n",
            f'FILTER(?o != "SERVICE <{url}> {{}}")',
            f"FILTER(?o != '''\nSERVICE <{url}> {{ }}\n''')",
            'FILTER(?o != """#""")',
            f"FILTER(?o != <{url}>)",
            f"BIND(<{url}> AS ?u)",
            f'FILTER(?o != "\\u0022 SERVICE <{url}> {{}} #")',
            f'FILTER(REGEX(STR(?o), "SERVICE|LOAD <{url}>"))',
        ]
    )
    body = f"?s ?p ?o {harmless}"
    if ctx.chance(0.5):
        prologue, pattern = service_pattern(ctx)
        return prologue + query_around(ctx, body + "\n" + pattern)
    return f"SELECT * WHERE {{ {body}\n}} LIMIT 3"


@generator("query", "deep-nesting")
def _q_deep(ctx: Ctx) -> str:
    n = ctx.depth()
    closed = ctx.chance(0.8)

    def nest(opening: str, middle: str, closing: str) -> str:
        return opening * n + middle + (closing * n if closed else "")

    return ctx.pick(
        [
            lambda: "SELECT * WHERE " + nest("{ ", "?s ?p ?o", " }"),
            lambda: "SELECT * WHERE { ?s ?p ?o FILTER" + nest("(", "?o", ")") + " }",
            lambda: "SELECT * WHERE { ?s ?p " + nest("[ <urn:p> ", "?o", " ]") + " }",
            lambda: "SELECT * WHERE { ?s " + nest("(", "<urn:p>", ")") + " ?o }",
            lambda: "SELECT * WHERE { ?s " + nest("^(", "<urn:p>", ")") + " ?o }",
            lambda: "SELECT * WHERE { ?s <urn:p>" + "/<urn:p>" * n + " ?o }",
            lambda: "SELECT * WHERE " + nest("{ SELECT * WHERE ", "{ ?s ?p ?o }", " }"),
            lambda: "SELECT * WHERE { ?s ?p ?o " + nest("OPTIONAL { ?s ?p ?o ", "", "} ") + "}",
            lambda: "ASK { " + nest("FILTER EXISTS { ", "?s ?p ?o", " } ") + " }",
            lambda: "SELECT (" + nest("STR(", "1", ")") + " AS ?x) WHERE {}",
            lambda: "SELECT * WHERE { FILTER(" + "!" * n + "true) }",
            lambda: "SELECT * WHERE { FILTER(" + "-" * n + "1 < 0) }",
            lambda: "SELECT * WHERE { ?s ?p " + nest("( ", "1", " )") + " }",
            lambda: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * min(n, 20_000)) + " }",
            lambda: "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(min(n, 100_000))) + " } }",
            lambda: "".join(f"PREFIX p{i}: <urn:p{i}:>\n" for i in range(min(n, 50_000))) + "ASK {}",
        ]
    )()


@generator("query", "huge-literal")
def _q_huge(ctx: Ctx) -> str:
    n = ctx.size()
    return ctx.pick(
        [
            lambda: 'SELECT * WHERE { ?s ?p ?o FILTER(?o = "' + "a" * n + '") } LIMIT 1',
            lambda: "SELECT * WHERE { ?s ?p ?o FILTER(?o = '''" + "\n" * (n // 2) + "''') } LIMIT 1",
            lambda: "SELECT * WHERE { <urn:" + "a" * n + "> ?p ?o }",
            lambda: "SELECT ?" + "v" * n + " WHERE { ?s ?p ?" + "v" * n + " } LIMIT 1",
            lambda: "PREFIX " + "p" * n + ": <urn:x> ASK {}",
            lambda: "SELECT * WHERE { ?s ?p ?o } # " + "c" * n,
            lambda: 'SELECT (STRLEN("' + "\\u0041" * (n // 6) + '") AS ?n) WHERE {}',
        ]
    )()


@generator("query", "control-chars")
def _q_control(ctx: Ctx) -> str:
    base = ctx.pick(
        [
            "SELECT * WHERE { ?s ?p ?o } LIMIT 2",
            f"ASK {{ <{ID_BASE}case/lirendong> ?p ?o }}",
            'SELECT * WHERE { ?s ?p "x" }',
            f"SELECT * WHERE {{ SERVICE <{ctx.url()}> {{ ?s ?p ?o }} }}",
        ]
    )
    out = list(base)
    for _ in range(ctx.rng.randint(1, 4)):
        out.insert(ctx.rng.randint(0, len(out)), ctx.pick(CONTROL_CHARS))
    return "".join(out)


@generator("query", "invalid-utf8")
def _q_utf8(ctx: Ctx) -> bytes:
    text = ctx.pick(
        [
            'SELECT * WHERE { ?s ?p "',
            "ASK { <urn:",
            "SELECT * WHERE { ?s ?p ?o } # ",
            f"SELECT * WHERE {{ SERVICE <{ctx.url()}",
        ]
    )
    tail = ctx.pick(['" }', "> ?p ?o }", "", "> { ?s ?p ?o } }"])
    return text.encode() + ctx.pick(INVALID_UTF8) + tail.encode()


@generator("query", "bad-iri")
def _q_bad_iri(ctx: Ctx) -> str:
    bad = ctx.pick(BAD_IRIS)
    escaped = ctx.pick([bad, ctx.escape_iri(bad), bad.replace(" ", "\\u0020").replace(">", "\\u003E")])
    return ctx.pick(
        [
            f"SELECT * FROM <{escaped}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{escaped}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ GRAPH <{escaped}> {{ ?s ?p ?o }} }}",
            f'SELECT * WHERE {{ ?s ?p "x"^^<{escaped}> }}',
            'SELECT * WHERE { ?s ?p "x"^^<urn:x\\u003E> }',
            f"BASE <{escaped}> SELECT * WHERE {{ <a> ?p ?o }}",
            f"PREFIX c: <{escaped}> SELECT * WHERE {{ c:a ?p ?o }}",
            f'SELECT (IRI("{bad}") AS ?i) WHERE {{}}',
            f'SELECT (STRDT("x", IRI("{bad}")) AS ?i) WHERE {{}}',
            f'SELECT (IRI("javascript:alert(1)") AS ?i) (URI("{ctx.url()}") AS ?u) WHERE {{}}',
            f"DESCRIBE <{escaped}>",
        ]
    )


CANNED = sorted((ROOT / "queries").glob("*.rq"))


@generator("query", "canned-mutation")
def _q_canned(ctx: Ctx) -> str | bytes:
    text = ctx.pick(CANNED).read_text(encoding="utf-8")
    prologue, pattern = service_pattern(ctx)
    fragments = [
        pattern,
        " } ",
        " { ",
        hiding_tail(ctx, pattern),
        f"<{ctx.url()}>",
        "'",
        '"',
        "'''",
        "#",
        "\\u",
        "(" * 100,
        f"FROM <{ctx.url()}> ",
        ctx.hostile_string(),
    ]
    if ctx.chance(0.4):  # SERVICE after the first open brace: still a valid query
        at = text.index("{", text.index("WHERE")) + 1
        text = prologue + text[:at] + " " + pattern + " " + text[at:]
    return mutate(ctx, text, fragments)


@generator("query", "forms")
def _q_forms(ctx: Ctx) -> str:
    url = ctx.url()
    return ctx.pick(
        [
            f"DESCRIBE <{url}>",
            f"CONSTRUCT {{ <{url}> ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT 5",
            f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
            f"BASE <{ctx.canary}/{ctx.token}/> SELECT * WHERE {{ <x> ?p ?o }}",
            f"SELECT * WHERE {{ <{url}> <{OWL_IMPORTS}> ?o }}",
            'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(a+)+$")) } LIMIT 1',
            "SELECT (SHA512(STR(?o)) AS ?h) WHERE { ?s ?p ?o } LIMIT 5",
            "SELECT (BNODE() AS ?b) (UUID() AS ?u) (NOW() AS ?n) (RAND() AS ?r) WHERE {}",
            "SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(STRLEN(STR(?o))) LIMIT 1",
            "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999",
            "SELECT * WHERE { ?s ?p ?o } OFFSET -1",
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            'JSON { "a": ?s } WHERE { ?s ?p ?o }',
            "SELECT * WHERE { ?s ?p ?o . ?s ?p ?o . ?s ?p ?o } LIMIT 1",
        ]
    )


# -- SPARQL updates ----------------------------------------------------------------------------


def _literal(ctx: Ctx) -> ox.Literal:
    value = ctx.hostile_string()
    return ctx.pick(
        [
            lambda: ox.Literal(value),
            lambda: ox.Literal(value, language=ctx.pick(["en", "zh-Hans-CN", "x-" + "a" * 8])),
            lambda: ox.Literal(value, datatype=ox.NamedNode(ctx.fuzz_iri("dt"))),
            lambda: ox.Literal(str(ctx.rng.randint(-(10**30), 10**30)), datatype=ox.NamedNode(XSD + "integer")),
        ]
    )()


@generator("update", "insert-data")
def _u_insert(ctx: Ctx):
    """Plain INSERT DATA into a fuzz graph with hostile literals; its effect is known."""
    graph = ox.NamedNode(ctx.fuzz_graph())
    quads = set()
    for _ in range(ctx.rng.randint(1, 12)):
        quads.add(ox.Quad(ox.NamedNode(ctx.fuzz_iri()), ox.NamedNode(ctx.fuzz_iri("p")), _literal(ctx), graph))
    triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    keyword = ctx.pick(["INSERT DATA", "insert data", "INSERT\nDATA", "Insert Data"])
    comment = ctx.pick(["", f"# LOAD <{ctx.url()}>\n", "#}\n"])
    return f"{comment}{keyword} {{ GRAPH {graph} {{\n{triples}\n}} }}", frozenset(str(q) for q in quads)


@generator("update", "delete-insert")
def _u_delete_insert(ctx: Ctx):
    graph = ox.NamedNode(ctx.fuzz_graph())
    quad = ox.Quad(ox.NamedNode(ctx.fuzz_iri("s")), ox.NamedNode(ctx.fuzz_iri("p")), _literal(ctx), graph)
    text = ctx.pick(
        [
            f"DELETE {{ GRAPH {graph} {{ {quad.subject} ?p ?o }} }} INSERT {{ GRAPH {graph} {{ {quad.subject} "
            f"{quad.predicate} {quad.object} }} }} WHERE {{ OPTIONAL {{ GRAPH {graph} {{ {quad.subject} ?p ?o }} }} }}",
            f"WITH {graph} INSERT {{ {quad.subject} {quad.predicate} {quad.object} }} WHERE {{}}",
            f"CLEAR SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {quad.subject} {quad.predicate} "
            f"{quad.object} }} }}",
            f"CREATE SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {quad.subject} {quad.predicate} "
            f"{quad.object} }} }} ; DELETE WHERE {{ GRAPH {graph} {{ {quad.subject} <urn:none> ?o }} }}",
        ]
    )
    return text, frozenset([str(quad)])


@generator("update", "load")
def _u_load(ctx: Ctx) -> str:
    prologue, target = iri_target(ctx, ctx.pick(["data.ttl", "x.rdf", "sparql"]))
    keyword = ctx.pick(LOAD_KEYWORDS)
    into = ctx.pick(["", f" INTO GRAPH <{ctx.fuzz_graph()}>", f" into graph <{ctx.fuzz_graph()}>"])
    before = ctx.pick(
        [
            "",
            f"INSERT DATA {{ GRAPH <{ctx.fuzz_graph()}> {{ <{ctx.fuzz_iri()}> <urn:p> 1 }} }} ;\n",
            f"CLEAR SILENT GRAPH <{ctx.fuzz_graph()}>;",
        ]
    )
    return f"{prologue}{before}{keyword} {target}{into}"


@generator("update", "service")
def _u_service(ctx: Ctx) -> str:
    prologue, pattern = service_pattern(ctx)
    graph = ctx.fuzz_graph()
    return prologue + ctx.pick(
        [
            f"INSERT {{ GRAPH <{graph}> {{ <{ctx.fuzz_iri()}> <urn:p> ?o }} }} WHERE {{ {pattern} }}",
            f"DELETE {{ GRAPH <{graph}> {{ <{ctx.fuzz_iri()}> <urn:p> ?o }} }} WHERE {{ {pattern} }}",
            f"WITH <{graph}> INSERT {{ <{ctx.fuzz_iri()}> <urn:p> ?o }} WHERE {{ OPTIONAL {{ {pattern} }} }}",
            f"INSERT {{ GRAPH <{graph}> {{ <{ctx.fuzz_iri()}> <urn:p> 1 }} }} USING <{ctx.url()}> WHERE {{ {pattern} }}",
        ]
    )


@generator("update", "hidden-tokens")
def _u_hidden(ctx: Ctx) -> str:
    graph = ctx.fuzz_graph()
    prologue, target = iri_target(ctx, "data.ttl")
    if ctx.chance(0.5):
        load = f"; {ctx.pick(LOAD_KEYWORDS)} {target} INTO GRAPH <{graph}>"
        return f"{prologue}INSERT {{ GRAPH <{graph}> {{ <{ctx.fuzz_iri()}> <urn:p> 1 }} }} WHERE {{ " + hiding_tail(
            ctx, "", load
        )
    service_prologue, pattern = service_pattern(ctx)
    return (
        f"{service_prologue}INSERT {{ GRAPH <{graph}> {{ <{ctx.fuzz_iri()}> <urn:p> ?o }} }} WHERE {{ ?s ?p ?o "
        + hiding_tail(ctx, pattern)
    )


@generator("update", "deep-nesting")
def _u_deep(ctx: Ctx) -> str:
    n = ctx.depth()
    graph = ctx.fuzz_graph()
    subject = f"<{ctx.fuzz_iri()}>"
    closed = ctx.chance(0.8)

    def nest(opening: str, middle: str, closing: str) -> str:
        return opening * n + middle + (closing * n if closed else "")

    return ctx.pick(
        [
            lambda: f"INSERT {{ GRAPH <{graph}> {{ {subject} <urn:p> 1 }} }} WHERE " + nest("{ ", "", " }"),
            lambda: f"INSERT DATA {{ GRAPH <{graph}> {{ {subject} <urn:p> " + nest("( ", "1", " )") + " } }",
            lambda: f"INSERT DATA {{ GRAPH <{graph}> {{ {subject} <urn:p> " + nest("[ <urn:p> ", "1", " ]") + " } }",
            lambda: (
                f"INSERT {{ GRAPH <{graph}> {{ {subject} <urn:p> ?x }} }} WHERE {{ BIND("
                + nest("(", "1", ")")
                + " AS ?x) }"
            ),
            lambda: f"DELETE WHERE {{ GRAPH <{graph}> {{ {subject} " + nest("(", "<urn:p>", ")") + " ?o } }",
            lambda: nest("{", "", "}"),
            lambda: " ;\n".join([f"CLEAR SILENT GRAPH <{graph}>"] * min(n, 20_000)),
        ]
    )()


@generator("update", "bad-iri")
def _u_bad_iri(ctx: Ctx) -> str:
    bad = ctx.pick(BAD_IRIS)
    escaped = ctx.pick([ctx.escape_iri(bad), bad.replace(" ", "\\u0020").replace(">", "\\u003E"), bad])
    subject = f"<{ctx.fuzz_iri()}>"
    graph = ctx.fuzz_graph()
    return ctx.pick(
        [
            f'INSERT DATA {{ GRAPH <{graph}> {{ {subject} <urn:p> "v"^^<{escaped}> }} }}',
            f"INSERT DATA {{ GRAPH <{graph}> {{ {subject} <urn:p> <{escaped}> }} }}",
            f"INSERT DATA {{ GRAPH <{graph}> {{ {subject} <{escaped}> 1 }} }}",
            f'INSERT DATA {{ GRAPH <{graph}> {{ {subject} <urn:p> "x"^^<urn:x\\u003E> }} }}',
            f"BASE <{escaped}> INSERT DATA {{ GRAPH <{graph}> {{ {subject} <urn:p> <rel> }} }}",
            f'INSERT {{ GRAPH <{graph}> {{ {subject} <urn:p> ?i }} }} WHERE {{ BIND(IRI("{bad}") AS ?i) }}',
            f'INSERT {{ GRAPH <{graph}> {{ {subject} <urn:p> ?i }} }} WHERE {{ BIND(STRDT("v", IRI("{bad}")) AS ?i) }}',
        ]
    )


@generator("update", "mutation")
def _u_mutation(ctx: Ctx) -> str | bytes:
    # A mutation can turn a string's content into code (an inserted quote closes it early),
    # so the strings here name only fuzz graphs: whatever they reveal stays accountable.
    graph = ctx.fuzz_graph()
    base = _u_insert(ctx)[0].replace(PROTECTED_GRAPH, graph)
    prologue, pattern = service_pattern(ctx)
    fragments = [
        "'",
        '"',
        "'''",
        '"""',
        "#",
        "\\u",
        "<",
        ">",
        "{",
        "}",
        "(",
        ";",
        "\\",
        f"<{ctx.url()}>",
        f"; LOAD <{ctx.url()}>",
        " SERVICE ",
        ctx.hostile_string().replace(PROTECTED_GRAPH, graph),
    ]
    if ctx.chance(0.3):
        base = prologue + base.replace(
            "} }",
            "} } ;\nINSERT { GRAPH <%s> { <%s> <urn:p> ?o } } WHERE { %s }"
            % (ctx.fuzz_graph(), ctx.fuzz_iri(), pattern),
            1,
        )
    return mutate(ctx, base, fragments, destructive=False)


@generator("update", "huge-literal")
def _u_huge(ctx: Ctx):
    graph = ox.NamedNode(ctx.fuzz_graph())
    quad = ox.Quad(ox.NamedNode(ctx.fuzz_iri()), ox.NamedNode(ctx.fuzz_iri("p")), ox.Literal("a" * ctx.size()), graph)
    return f"INSERT DATA {{ GRAPH {graph} {{ {quad.subject} {quad.predicate} {quad.object} }} }}", frozenset(
        [str(quad)]
    )


# -- RDF bodies: hostile terms ---------------------------------------------------------------


def injection(ctx: Ctx) -> str:
    """Text that, put unchecked into an ``INSERT DATA`` between <...>, ends it and runs more
    (issue 21, finding 3). The serialiser adds the closing ``>``."""
    return ctx.pick(
        [
            f"urn:x> . }} }} ; DROP GRAPH <{PROTECTED_GRAPH}> ; INSERT DATA {{ GRAPH <{FUZZ_NS}inj> {{ <urn:a> <urn:b> <urn:c",
            f"urn:x> . }} }} ; LOAD <{ctx.url('data.ttl')}> ; INSERT DATA {{ GRAPH <{FUZZ_NS}inj> {{ <urn:a> <urn:b> <urn:c",
            f"urn:x> . }} }} ; CLEAR GRAPH <{PROTECTED_GRAPH}> ; INSERT DATA {{ <urn:a> <urn:b> <urn:c",
            f"urn:x> }} }} ; INSERT {{ GRAPH <{FUZZ_NS}inj> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{ctx.url()}> {{ ?s ?p ?o }} }} #",
            'urn:x> . <urn:a> <urn:b> "injected" . <urn:c',
        ]
    )


def turtle_escape(text: str) -> str:
    r"""``text`` as the inside of a Turtle IRIREF: every character an IRIREF may not hold as \uXXXX."""
    return "".join(f"\\u{ord(c):04X}" if c in '<>"{}|^`\\ ' or ord(c) <= 0x20 else c for c in text)


def hostile_iri_ttl(ctx: Ctx) -> str:
    """An IRI in Turtle/N-Triples syntax that is hostile in some way."""
    bad = ctx.pick(BAD_IRIS)
    return ctx.pick(
        [
            f"<{turtle_escape(injection(ctx))}>",
            f"<{turtle_escape(bad)}>",
            f"<{bad}>",
            f"<{ctx.escape_iri(ctx.url())}>",
            f"<{ctx.url()}>",
            "<urn:x\\u003E>",
            "<urn:a\\u0020b>",
            "<\\u0000>",
            "<http://[x>",
        ]
    )


def ttl_literal(ctx: Ctx) -> str:
    value = ctx.hostile_string()
    simple = str(ox.Literal(value))
    return ctx.pick(
        [
            simple,
            f"{simple}^^{hostile_iri_ttl(ctx)}",
            f"{simple}@{ctx.pick(['en', 'en-', '123', 'en--a', 'a-' * 50 + 'b', 'zh-Hans', ''])}",
            '"""' + value.replace("\\", "\\\\").replace('"', '\\"') + '"""',
            "'''" + value.replace("\\", "\\\\").replace("'", "\\'") + "'''",
            ctx.pick(["1e99999", "0x10", "+-1", "1.", ".5", "true", "TRUE", "1.e", "00001", "-0.0e-0"]),
        ]
    )


TTL_PREFIXES = f"@prefix ex: <{FUZZ_NS}> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"


def ttl_triples(ctx: Ctx) -> str:
    """A few Turtle statements, each hostile in one way."""
    lines = []
    for _ in range(ctx.rng.randint(1, 4)):
        lines.append(
            ctx.pick(
                [
                    lambda: f"ex:s ex:p {ttl_literal(ctx)} .",
                    lambda: f"ex:s ex:p {hostile_iri_ttl(ctx)} .",
                    lambda: f"{hostile_iri_ttl(ctx)} ex:p 1 .",
                    lambda: f"ex:s {hostile_iri_ttl(ctx)} 1 .",
                    lambda: f"<> owl:imports <{ctx.url('onto.ttl')}> .",
                    lambda: f'ex:s owl:imports <{ctx.url("onto.ttl")}> ; ex:p "#" # {ctx.url()}\n .',
                    lambda: 'ex:s ex:p """a"" #\n""" .',
                    lambda: "ex:s ex:p \"x\", 'y', '''z''', 1, 2.5, true, ( 1 2 ), [ ex:p 3 ] .",
                    lambda: "_:b ex:p _:b .",
                ]
            )()
        )
    return "\n".join(lines)


@generator("turtle", "hostile-terms")
def _t_terms(ctx: Ctx) -> str:
    return TTL_PREFIXES + ttl_triples(ctx) + "\n"


@generator("turtle", "injection-datatype")
def _t_injection(ctx: Ctx) -> str:
    payload = turtle_escape(injection(ctx))
    return TTL_PREFIXES + ctx.pick(
        [
            f'ex:s ex:p "x"^^<{payload}> .\n',
            f"ex:s ex:p <{payload}> .\n",
            f"<{payload}> ex:p 1 .\n",
            f"ex:s <{payload}> 1 .\n",
            f'ex:s ex:p "x"^^<urn:x\\U0000003E . }} }} ; DROP GRAPH <{PROTECTED_GRAPH}> ; #> .\n',
        ]
    )


@generator("turtle", "base-and-prefixes")
def _t_base(ctx: Ctx) -> str:
    folder = f"{ctx.canary}/{ctx.token}/"
    return ctx.pick(
        [
            f"@base <{folder}> .\n<a> <b> <c> .\n<> <{OWL_IMPORTS}> <onto.ttl> .\n",
            f"BASE <{folder}>\nPREFIX : <#>\n:a :b :c .\n",
            f"@prefix : <{folder}> .\n:a :b :c .\n@base <{turtle_escape('urn:a b')}> .\n<x> :b 1 .\n",
            f"@prefix c: <{ctx.pick(BAD_IRIS)}> .\nc:a c:b c:c .\n",
            f"@prefix : <{FUZZ_NS}> .\n@prefix : <{folder}> .\n:a :b :c .\n",
            f"@base <{ctx.escape_iri(folder)}> .\n<../../x> <b> <../c> .\n",
            f"@prefix ex: <{FUZZ_NS}> .\nex:s <{OWL_IMPORTS}> <{ctx.url('onto.owl')}>, <file:///etc/passwd> .\n",
        ]
    )


def _ttl_deep(ctx: Ctx) -> str:
    n = ctx.depth()
    closed = ctx.chance(0.8)
    opening, middle, closing = ctx.pick(
        [("[ ex:p ", "1", " ]"), ("( ", "1", " )"), ("( [ ex:p ", "1", " ] )"), ("[ ex:p ( ", "1", " ) ]")]
    )
    return TTL_PREFIXES + "ex:s ex:p " + opening * n + middle + (closing * n if closed else "") + " .\n"


@generator("turtle", "deep-nesting")
def _t_deep(ctx: Ctx) -> str:
    return _ttl_deep(ctx)


@generator("turtle", "huge-literal")
def _t_huge(ctx: Ctx) -> str:
    n = ctx.size()
    return (
        TTL_PREFIXES
        + ctx.pick(
            [
                lambda: f'ex:s ex:p "{"a" * n}" .\n',
                lambda: f'ex:s ex:p """{"a" * (n - 1)}\n""" .\n',
                lambda: f"<urn:{'a' * n}> ex:p 1 .\n",
                lambda: "ex:s ex:p " + ", ".join(str(i) for i in range(ctx.count())) + " .\n",
                lambda: 'ex:s ex:p "' + "\\u0041" * (n // 6) + '" .\n',
            ]
        )()
    )


@generator("turtle", "strings-and-comments")
def _t_strings(ctx: Ctx) -> str:
    url = ctx.url()
    return TTL_PREFIXES + ctx.pick(
        [
            f'ex:s ex:p "#" . # ex:s ex:q <{url}> .\n',
            f"ex:s ex:p '''a '' \"\"\" # <{url}>''' .\n",
            f'ex:s ex:p """{url}"""" .\n',
            'ex:s ex:p "a\\" . ex:s ex:q "b" .\n',
            "ex:s ex:p '\\\\' . ex:s ex:q '\\'' .\n",
            f'# """\nex:s ex:p <{url}> . # """\n',
            'ex:s ex:p "line\rbreak" .\n',
            'ex:s ex:p "\\uD800" .\n',
            'ex:s ex:p "\\U0010FFFF\\U00110000" .\n',
        ]
    )


def _control(ctx: Ctx, text: str) -> str:
    out = list(text)
    for _ in range(ctx.rng.randint(1, 4)):
        out.insert(ctx.rng.randint(0, len(out)), ctx.pick(CONTROL_CHARS))
    return "".join(out)


def _utf8(ctx: Ctx, text: str) -> bytes:
    raw = text.encode("utf-8")
    at = ctx.rng.randint(0, len(raw))
    return raw[:at] + ctx.pick(INVALID_UTF8) + raw[at:]


@generator("turtle", "control-chars")
def _t_control(ctx: Ctx) -> str:
    return _control(ctx, TTL_PREFIXES + 'ex:s ex:p "value" ; ex:q <urn:x> .\n')


@generator("turtle", "invalid-utf8")
def _t_utf8(ctx: Ctx) -> bytes:
    return _utf8(ctx, TTL_PREFIXES + 'ex:s ex:p "日本語" .\n')


RDF_SEEDS = {
    "turtle": [
        "rdf/good.ttl",
        "rdf/good-v2.ttl",
        "server/villages.ttl",
        "ui/mini.ttl",
        "rdf/unlabelled.ttl",
        "annotations/bad/observation-turtle.ttl",
    ],
    "trig": ["rdf/good.trig"],
    "ntriples": ["rdf/good.nt", "w3c-protocol/data1.nt"],
    "jsonld": ["rdf/good.jsonld"],
    "rdfxml": ["rdf/good.rdf"],
}


@generator("turtle", "corpus-mutation")
def _t_corpus(ctx: Ctx) -> str | bytes:
    text = _data_file(ctx.pick(RDF_SEEDS["turtle"]))
    return mutate(
        ctx,
        text,
        [
            f"<{ctx.url()}>",
            hostile_iri_ttl(ctx),
            ttl_literal(ctx),
            " . ",
            " ; ",
            "[",
            "(",
            "@base <" + ctx.url() + "/> .\n",
            '"""',
            "#",
            "\\u003E",
        ],
    )


# -- TriG --------------------------------------------------------------------------------------


@generator("trig", "graph-names")
def _g_names(ctx: Ctx) -> str:
    name = ctx.pick(
        [
            f"<{PROTECTED_GRAPH}>",
            f"<{ctx.url()}>",
            hostile_iri_ttl(ctx),
            "_:g",
            "ex:g",
            "",
            f"<{turtle_escape(injection(ctx))}>",
            "<urn:g\\u003E>",
        ]
    )
    keyword = ctx.pick(["GRAPH ", "graph ", ""]) if name else ""
    return TTL_PREFIXES + f"{keyword}{name} {{ {ttl_triples(ctx)} }}\n" + ctx.pick(["", "ex:d ex:p 1 .\n"])


@generator("trig", "deep-nesting")
def _g_deep(ctx: Ctx) -> str:
    n = ctx.depth()
    return ctx.pick(
        [
            lambda: TTL_PREFIXES + "{" * n + " ex:s ex:p 1 . " + "}" * n,
            lambda: TTL_PREFIXES + "ex:g { " + _ttl_deep(ctx).split("\n", 2)[2] + " }",
            lambda: TTL_PREFIXES + "ex:g { ex:h { ex:s ex:p 1 } }",
        ]
    )()


@generator("trig", "mutation")
def _g_mutation(ctx: Ctx) -> str | bytes:
    text = _data_file("rdf/good.trig") + f'\n<{PROTECTED_GRAPH}> {{ <urn:s> <urn:p> "x" . }}\n'
    return mutate(ctx, text, [f"<{ctx.url()}>", hostile_iri_ttl(ctx), " { ", " } ", "GRAPH", '"', "#"])


# -- N-Triples ---------------------------------------------------------------------------------


@generator("ntriples", "hostile-terms")
def _n_terms(ctx: Ctx) -> str:
    s, p = f"<{ctx.fuzz_iri('s')}>", f"<{ctx.fuzz_iri('p')}>"
    lines = []
    for _ in range(ctx.rng.randint(1, 5)):
        lines.append(
            ctx.pick(
                [
                    lambda: f"{s} {p} {str(ox.Literal(ctx.hostile_string()))} .",
                    lambda: f'{s} {p} "x"^^{hostile_iri_ttl(ctx)} .',
                    lambda: f"{s} {p} {hostile_iri_ttl(ctx)} .",
                    lambda: f'{hostile_iri_ttl(ctx)} {p} "x" .',
                    lambda: f'{s} {p} "x"@{ctx.pick(["en", "", "-", "en-", "1"])} .',
                    lambda: f'_:{ctx.pick(["a", "a.b", "a.", "0", "-a", "a" * 5000, "é"])} {p} "x" .',
                    lambda: f'{s} {p} "x"',
                    lambda: f'<relative> {p} "x" .',
                    lambda: f'{s} {p} "x" . # <{ctx.url()}>',
                    lambda: f'{s} {p} "a\\" . {s} {p} "b" .',
                    lambda: f'{s} {p} "x" <{FUZZ_NS}g> .',
                ]
            )()
        )
    return "\n".join(lines) + ctx.pick(["\n", "", "\r\n"])


@generator("ntriples", "injection-datatype")
def _n_injection(ctx: Ctx) -> str:
    return f'<{ctx.fuzz_iri("s")}> <{ctx.fuzz_iri("p")}> "x"^^<{turtle_escape(injection(ctx))}> .\n'


@generator("ntriples", "huge-and-control")
def _n_huge(ctx: Ctx) -> str | bytes:
    s, p = f"<{ctx.fuzz_iri('s')}>", f"<{ctx.fuzz_iri('p')}>"
    return ctx.pick(
        [
            lambda: f'{s} {p} "{"a" * ctx.size()}" .\n',
            lambda: _control(ctx, f'{s} {p} "value" .\n'),
            lambda: _utf8(ctx, f'{s} {p} "value" .\n'),
            lambda: "".join(f'{s} {p} "{i}" .\n' for i in range(ctx.count())),
        ]
    )()


@generator("ntriples", "mutation")
def _n_mutation(ctx: Ctx) -> str | bytes:
    text = _data_file(ctx.pick(RDF_SEEDS["ntriples"]))
    return mutate(ctx, text, [f"<{ctx.url()}>", hostile_iri_ttl(ctx), " . ", '"', "\\u003E", "_:b", "#"])


# -- JSON-LD -----------------------------------------------------------------------------------


def remote_context(ctx: Ctx):
    """A @context value that names the canary, possibly deep inside lists, objects and scopes."""
    url = ctx.url("ctx.jsonld")
    port = ctx.canary.rsplit(":", 1)[1]
    reference = ctx.pick(
        [
            url,
            f"//127.0.0.1:{port}/{ctx.token}/ctx.jsonld",
            url.replace("/ctx", "/%63tx"),
            url.upper().replace("HTTP://", "hTtP://"),
            f"{url}#frag",
            f"{url}?a=1",
        ]
    )
    forms = [
        lambda: reference,
        lambda: [reference],
        lambda: [[reference]],
        lambda: [[[reference]]],
        lambda: [{"ex": FUZZ_NS}, [reference]],
        lambda: [None, reference],
        lambda: {"@import": reference},
        lambda: [{"@import": reference}],
        lambda: {"@version": 1.1, "@import": reference, "@propagate": True},
        lambda: {"term": {"@id": FUZZ_NS + "term", "@context": reference}},
        lambda: {"term": {"@id": FUZZ_NS + "term", "@context": [[reference]]}},
        lambda: {"Type": {"@id": FUZZ_NS + "Type", "@context": {"@import": reference}}},
        lambda: {"@base": ctx.url() + "/", "ctx": {"@id": "ctx", "@context": "ctx.jsonld"}},
        lambda: [{"@base": f"{ctx.canary}/{ctx.token}/"}, "ctx.jsonld"],
        lambda: {"@context": reference},
    ]
    value = ctx.pick(forms)()
    for _ in range(ctx.pick([0, 0, 1, 3, 20])):  # deeper still
        value = ctx.pick([[value], {"t": {"@id": FUZZ_NS + "t", "@context": value}}, [{"ex": FUZZ_NS}, value]])
    return value


def jsonld_node(ctx: Ctx) -> dict:
    return {"@id": ctx.fuzz_iri("s"), FUZZ_NS + "p": ctx.hostile_string()}


def place_context(ctx: Ctx, node: dict, context) -> dict:
    """``context`` on the top node, or on a node nested some levels down, in @graph, @list or @reverse."""
    where = ctx.pick(["top", "nested", "graph", "list", "reverse", "included"])
    if where == "top":
        return {"@context": context, **node}
    inner = {"@context": context, **jsonld_node(ctx)}
    for _ in range(ctx.rng.randint(0, 5)):
        inner = {"@id": ctx.fuzz_iri(), FUZZ_NS + "p": inner}
    if where == "nested":
        return {**node, FUZZ_NS + "q": inner}
    if where == "graph":
        return {"@id": ctx.fuzz_iri("g"), "@graph": [node, inner]}
    if where == "list":
        return {**node, FUZZ_NS + "q": {"@list": [1, inner]}}
    if where == "reverse":
        return {**node, "@reverse": {FUZZ_NS + "q": inner}}
    return {**node, "@included": [inner]}


@generator("jsonld", "remote-context")
def _j_remote(ctx: Ctx) -> str:
    return json.dumps(place_context(ctx, jsonld_node(ctx), remote_context(ctx)))


@generator("jsonld", "local-files")
def _j_files(ctx: Ctx) -> str:
    reference = ctx.pick(
        [
            "file:///etc/passwd",
            "file:///etc/hostname",
            "/etc/passwd",
            "../../../../etc/passwd",
            "body.jsonld",
            "file:///dev/zero",
            "file:///proc/self/environ",
            "ctx.jsonld",
        ]
    )
    context = ctx.pick([reference, [[reference]], {"@import": reference}])
    return json.dumps(place_context(ctx, jsonld_node(ctx), context))


@generator("jsonld", "injection-datatype")
def _j_injection(ctx: Ctx) -> str:
    payload = injection(ctx)
    node = ctx.pick(
        [
            {"@id": ctx.fuzz_iri("s"), FUZZ_NS + "p": {"@value": "x", "@type": payload}},
            {"@id": payload, FUZZ_NS + "p": "x"},
            {"@id": ctx.fuzz_iri("s"), payload: "x"},
            {"@id": ctx.fuzz_iri("s"), "@type": payload},
            {"@id": ctx.fuzz_iri("s"), FUZZ_NS + "p": {"@id": payload}},
            {"@id": payload, "@graph": [{"@id": ctx.fuzz_iri("s"), FUZZ_NS + "p": "x"}]},
            {"@context": {"@vocab": payload.split(">")[0] + ">"}, "@id": ctx.fuzz_iri("s"), "p": "x"},
            {"@context": {"d": {"@id": FUZZ_NS + "d", "@type": payload}}, "@id": ctx.fuzz_iri("s"), "d": "x"},
        ]
    )
    return json.dumps(node)


@generator("jsonld", "bad-iri")
def _j_bad_iri(ctx: Ctx) -> str:
    bad = ctx.pick(BAD_IRIS)
    return json.dumps(
        ctx.pick(
            [
                {"@id": bad, FUZZ_NS + "p": "x"},
                {"@id": ctx.fuzz_iri(), FUZZ_NS + "p": {"@id": bad}},
                {"@id": ctx.fuzz_iri(), FUZZ_NS + "p": {"@value": "v", "@type": bad}},
                {"@context": {"@base": bad}, "@id": "rel", FUZZ_NS + "p": "x"},
                {"@context": {"@vocab": bad}, "@id": ctx.fuzz_iri(), "p": "x"},
                {"@context": {"ex": bad}, "@id": "ex:a", "ex:p": "x"},
                {
                    "@id": ctx.fuzz_iri(),
                    FUZZ_NS + "p": {"@value": "v", "@language": ctx.pick(["", "-", "en-", "1" * 100])},
                },
            ]
        )
    )


@generator("jsonld", "deep-nesting")
def _j_deep(ctx: Ctx) -> str:
    n = ctx.depth()
    kind = ctx.pick(["array", "object", "node", "list", "graph", "context", "unclosed"])
    if kind == "array":
        return '{"@id": "%s", "%sp": ' % (ctx.fuzz_iri(), FUZZ_NS) + "[" * n + "1" + "]" * n + "}"
    if kind == "object":
        return '{"@id": "%s", "%sp": ' % (ctx.fuzz_iri(), FUZZ_NS) + '{"a": ' * n + "1" + "}" * n + "}"
    if kind == "node":
        return ('{"@id": "%s", "%sp": ' % (ctx.fuzz_iri(), FUZZ_NS)) * n + "1" + "}" * n
    if kind == "list":
        return '{"@id": "%s", "%sp": ' % (ctx.fuzz_iri(), FUZZ_NS) + '{"@list": [' * n + "1" + "]}" * n + "}"
    if kind == "graph":
        return '{"@graph": [' * n + "{}" + "]}" * n
    if kind == "context":
        return ('{"@context": {"t": {"@id": "%st", "@context": ' % FUZZ_NS) * n + "{}" + "}}}" * n + "}"
    return "[" * n


@generator("jsonld", "huge-and-control")
def _j_huge(ctx: Ctx) -> str | bytes:
    node = jsonld_node(ctx)
    return ctx.pick(
        [
            lambda: json.dumps({**node, FUZZ_NS + "q": "a" * ctx.size()}),
            lambda: json.dumps({**node, FUZZ_NS + "q": "\u0000\u0001\u001f\ud7ff\ufffe"}),
            lambda: _control(ctx, json.dumps(node)),
            lambda: _utf8(ctx, json.dumps(node)),
            lambda: json.dumps({**node, FUZZ_NS + "q": list(range(ctx.count()))}),
            lambda: '{"@id": "%s", "%sp": "\\ud800"}' % (ctx.fuzz_iri(), FUZZ_NS),
            lambda: '{"@id": "%s", "%sp": 1e999999}' % (ctx.fuzz_iri(), FUZZ_NS),
            lambda: '{"@id": "%s", "%sp": NaN, "a": 1, "a": 2,}' % (ctx.fuzz_iri(), FUZZ_NS),
            lambda: json.dumps(node)[: ctx.rng.randint(1, 20)],
            lambda: "\ufeff" + json.dumps(node),
        ]
    )()


@generator("jsonld", "keywords")
def _j_keywords(ctx: Ctx) -> str:
    base = {"@id": ctx.fuzz_iri("s")}
    return json.dumps(
        ctx.pick(
            [
                {**base, FUZZ_NS + "p": {"@value": {"a": [1, {"b": None}]}, "@type": "@json"}},
                {"@context": {"@version": 1.1, "t": {"@id": FUZZ_NS + "t", "@protected": True}}, **base, "t": 1},
                {"@context": {"n": "@nest"}, **base, "n": {FUZZ_NS + "p": 1}},
                {**base, FUZZ_NS + "p": {"@value": "x", "@direction": "rtl", "@language": "ar"}},
                {"@context": {"m": {"@id": FUZZ_NS + "m", "@container": "@index"}}, **base, "m": {"a": "x", "b": "y"}},
                {"@context": {"@version": 2.0}, **base},
                {"@context": {"@type": FUZZ_NS + "T"}, **base},
                {"@context": {"@id": FUZZ_NS + "x"}, **base},
                {**base, "@type": ["@json", "@id", "@vocab"]},
                {**base, "@reverse": "x"},
                [base, [base], None, 1, "x"],
            ]
        )
    )


@generator("jsonld", "mutation")
def _j_mutation(ctx: Ctx) -> str | bytes:
    text = _data_file("rdf/good.jsonld")
    return mutate(
        ctx,
        text,
        [
            f'"{ctx.url()}"',
            f'[["{ctx.url()}"]]',
            "{",
            "[",
            '"@context": ',
            '"@import"',
            ",",
            '"\\u0000"',
            '"@base": "' + ctx.url() + '/",',
        ],
    )


# -- RDF/XML -----------------------------------------------------------------------------------

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def rdfxml(body: str, doctype: str = "", prolog: str = '<?xml version="1.0"?>\n', attributes: str = "") -> str:
    return (
        f'{prolog}{doctype}<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{FUZZ_NS}" '
        f'xmlns:owl="http://www.w3.org/2002/07/owl#"{attributes}>\n{body}\n</rdf:RDF>\n'
    )


def xml_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@generator("rdfxml", "entities-and-dtds")
def _x_entities(ctx: Ctx) -> str:
    url = xml_attr(ctx.url("x.dtd"))
    description = f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p>&e;</ex:p></rdf:Description>'
    plain = f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p>x</ex:p></rdf:Description>'
    return ctx.pick(
        [
            lambda: rdfxml(description, f'<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{url}">]>\n'),
            lambda: rdfxml(description, f'<!DOCTYPE rdf:RDF [<!ENTITY e PUBLIC "-//x//EN" "{url}">]>\n'),
            lambda: rdfxml(plain, f'<!DOCTYPE rdf:RDF [<!ENTITY % p SYSTEM "{url}"> %p;]>\n'),
            lambda: rdfxml(plain, f'<!DOCTYPE rdf:RDF SYSTEM "{url}">\n'),
            lambda: rdfxml(plain, f'<!DOCTYPE rdf:RDF PUBLIC "-//x//EN" "{url}">\n'),
            lambda: rdfxml(
                '<rdf:Description rdf:about="&e;"><ex:p>x</ex:p></rdf:Description>',
                f'<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{url}">]>\n',
            ),
            lambda: rdfxml(
                description,
                '<!DOCTYPE rdf:RDF [<!ENTITY e0 "lol">'
                + "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, ctx.rng.randint(3, 6)))
                + '<!ENTITY e "&e1;">]>\n',
            ),
            lambda: rdfxml(description, '<!DOCTYPE rdf:RDF [<!ENTITY e "' + "a" * 100_000 + '">]>\n'),
            lambda: rdfxml(f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}"/>{plain}'),
            lambda: rdfxml(plain, prolog=f'<?xml version="1.0"?>\n<?xml-stylesheet href="{url}"?>\n'),
            lambda: rdfxml(
                plain,
                attributes=f' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{FUZZ_NS} {url}"',
            ),
            lambda: rdfxml(description, '<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'),
        ]
    )()


@generator("rdfxml", "base-and-imports")
def _x_base(ctx: Ctx) -> str:
    folder = xml_attr(f"{ctx.canary}/{ctx.token}/")
    return ctx.pick(
        [
            rdfxml(
                '<rdf:Description rdf:about="a"><ex:p rdf:resource="b"/></rdf:Description>',
                attributes=f' xml:base="{folder}"',
            ),
            rdfxml(f'<owl:Ontology rdf:about=""><owl:imports rdf:resource="{folder}onto.owl"/></owl:Ontology>'),
            rdfxml(
                f'<rdf:Description rdf:about="{FUZZ_NS}s" xml:base="{folder}"><ex:p rdf:resource="x"/>'
                f"</rdf:Description>"
            ),
            rdfxml(
                f'<rdf:Description rdf:ID="{ctx.pick(["a b", "1", "#", "a:b", ""])}"><ex:p>x</ex:p></rdf:Description>'
            ),
        ]
    )


@generator("rdfxml", "injection-datatype")
def _x_injection(ctx: Ctx) -> str:
    payload = xml_attr(injection(ctx))
    return rdfxml(
        ctx.pick(
            [
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p rdf:datatype="{payload}">x</ex:p></rdf:Description>',
                f'<rdf:Description rdf:about="{payload}"><ex:p>x</ex:p></rdf:Description>',
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p rdf:resource="{payload}"/></rdf:Description>',
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><rdf:type rdf:resource="{payload}"/></rdf:Description>',
            ]
        )
    )


@generator("rdfxml", "bad-iri")
def _x_bad_iri(ctx: Ctx) -> str:
    bad = xml_attr(ctx.pick(BAD_IRIS).replace("\x00", "&#0;"))
    return rdfxml(
        ctx.pick(
            [
                f'<rdf:Description rdf:about="{bad}"><ex:p>x</ex:p></rdf:Description>',
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p rdf:resource="{bad}"/></rdf:Description>',
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p rdf:datatype="{bad}">1</ex:p></rdf:Description>',
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p xml:lang="{ctx.pick(["", "-", "en-", "a" * 100])}">x</ex:p>'
                f"</rdf:Description>",
            ]
        )
    )


@generator("rdfxml", "deep-nesting")
def _x_deep(ctx: Ctx) -> str:
    n = min(ctx.depth(), 100_000)
    closed = ctx.chance(0.8)
    opening, middle, closing = ctx.pick(
        [
            ("<ex:p><rdf:Description>", "<ex:q>1</ex:q>", "</rdf:Description></ex:p>"),
            ('<ex:p rdf:parseType="Resource">', "<ex:q>1</ex:q>", "</ex:p>"),
            ('<ex:p rdf:parseType="Collection"><rdf:Description>', "", "</rdf:Description></ex:p>"),
            ('<ex:p rdf:parseType="Literal"><a>', "x", "</a></ex:p>"),
            ("<a>", "", "</a>"),
        ]
    )
    inner = opening * n + middle + (closing * n if closed else "")
    return rdfxml(f'<rdf:Description rdf:about="{FUZZ_NS}s">{inner}</rdf:Description>')


@generator("rdfxml", "encoding-and-bytes")
def _x_bytes(ctx: Ctx) -> str | bytes:
    plain = f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p>日本語</ex:p></rdf:Description>'
    return ctx.pick(
        [
            lambda: rdfxml(
                plain,
                prolog=f'<?xml version="1.0" encoding="{ctx.pick(["UTF-16", "bogus", "ebcdic-cp-us", "utf-7", "UTF-32"])}"?>\n',
            ),
            lambda: rdfxml(plain, prolog='<?xml version="1.1"?>\n'),
            lambda: rdfxml(plain, prolog=""),
            lambda: _utf8(ctx, rdfxml(plain)),
            lambda: _control(ctx, rdfxml(plain)),
            lambda: rdfxml(
                f'<rdf:Description rdf:about="{FUZZ_NS}s"><ex:p>{"a" * ctx.size()}</ex:p></rdf:Description>'
            ),
            lambda: rdfxml(plain).encode("utf-16"),
            lambda: rdfxml(plain)[: ctx.rng.randint(1, 200)],
        ]
    )()


@generator("rdfxml", "mutation")
def _x_mutation(ctx: Ctx) -> str | bytes:
    text = _data_file("rdf/good.rdf")
    return mutate(
        ctx,
        text,
        [
            f'<!ENTITY x SYSTEM "{xml_attr(ctx.url())}">',
            "&x;",
            "<",
            "</",
            "&",
            "]]>",
            "<![CDATA[",
            f' xml:base="{xml_attr(ctx.url())}/"',
            "<!--",
            "-->",
        ],
    )


# -- YAML annotations --------------------------------------------------------------------------

YAML_SEEDS = sorted((DATA / "annotations" / "good").glob("*.yaml"))
CORPUS_YAML = sorted((ROOT / "corpus").glob("*/*.yaml"))


def _yaml_seed(ctx: Ctx) -> str:
    if ctx.chance(0.7):
        return ctx.pick(YAML_SEEDS).read_text(encoding="utf-8")
    # A corpus file, cut after an entry so that it stays cheap to validate.
    lines = ctx.pick(CORPUS_YAML).read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("  - id:")]
    end = ctx.pick(starts[1:12]) if len(starts) > 1 else len(lines)
    return "\n".join(lines[:end]) + "\n"


def yaml_value(ctx: Ctx) -> str:
    """A value as it would be written after `key: `, hostile in a YAML or urbankg way."""
    url = ctx.url()
    payload = injection(ctx)
    return ctx.pick(
        [
            f"<{url}>",
            f"[<{url}>]",
            f'"<{url}>"',
            f"<{payload}>",
            json.dumps(f"<{payload}>"),
            f"case/x{payload}",
            json.dumps("case/" + payload),
            "evil:x",
            "wd:",
            "wd:Q1 Q2",
            "<http://[x>",
            "<urn:a b>",
            "<>",
            "<javascript:alert(1)>",
            json.dumps(ctx.hostile_string()),
            "'\\x00'",
            '"\\0"',
            '"\\uD800"',
            "*undefined_alias",
            "&anchor x",
            '!!python/object/apply:os.system ["true"]',
            f'!!python/object/apply:urllib.request.urlopen ["{url}"]',
            "!!binary aGVsbG8=",
            f"!include {url}",
            "!!str",
            "!!map {a: 1}",
            "1e999",
            ".nan",
            "-.inf",
            "0x1F",
            "2019-13-45",
            "yes",
            "~",
            "null",
            "",
            "|\n    a\n    b",
            ">-\n    folded",
            '"unterminated',
            "'single ''quoted''",
            "[a, [b, [c]]]",
            "{a: {b: c}}",
            '"' + "a" * ctx.pick([1000, 100_000, 2_000_000]) + '"',
            "\t",
            "- - - x",
        ]
    )


@generator("yaml", "value-swap")
def _y_value(ctx: Ctx) -> str:
    lines = _yaml_seed(ctx).splitlines()
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[a-z_]+: \S", line)]
    for i in ctx.rng.sample(candidates, min(len(candidates), ctx.rng.randint(1, 3))):
        key = lines[i].split(": ", 1)[0]
        lines[i] = f"{key}: {yaml_value(ctx)}"
    return "\n".join(lines) + "\n"


@generator("yaml", "add-key")
def _y_add(ctx: Ctx) -> str:
    lines = _yaml_seed(ctx).splitlines()
    entries = [i for i, line in enumerate(lines) if line.startswith("  - id:")] or [len(lines) - 1]
    at = ctx.pick(entries) + 1
    key = ctx.pick(
        [
            "same_as",
            "see_also",
            "owl:imports",
            "imports",
            "type",
            "within",
            "source",
            "id",
            "<<",
            "@context",
            "x" * 300,
            "'quoted key'",
            "? complex",
        ]
    )
    lines.insert(at, f"    {key}: {yaml_value(ctx)}")
    return "\n".join(lines) + "\n"


@generator("yaml", "ids")
def _y_ids(ctx: Ctx) -> str:
    ident = ctx.pick(
        [
            f"case/{turtle_escape(injection(ctx))}",
            "case/" + injection(ctx),
            "case/../../x",
            "case/a b",
            "case/é",
            "case/",
            "/",
            "case//x",
            "case/" + "a" * 5000,
            "case/%00",
            "case/\u202e",
            f"<{ctx.url()}>",
            "case/x#y",
            "case/x?y",
            "case/x>y",
        ]
    )
    return (
        f"paper: work/example-2019\ncases:\n  - id: {json.dumps(ident)}\n    label: Fuzz case\n"
        f"    place: [place/example-village]\n    studied_by: [work/example-2019]\n"
    )


@generator("yaml", "alias-bomb")
def _y_bomb(ctx: Ctx) -> str:
    # At most a million leaves once expanded: enough to show an expansion, not enough to take the machine.
    width, levels = ctx.pick([(2, 10), (9, 5), (10, 6), (2, 20)])
    lines = ["paper: work/example-2019", "x0: &a0 [lol]"]
    for level in range(1, levels):
        lines.append(f"x{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    lines.append(f"cases:\n  - id: case/bomb\n    label: *a{levels - 1}")
    return "\n".join(lines) + "\n"


@generator("yaml", "deep-nesting")
def _y_deep(ctx: Ctx) -> str:
    n = ctx.depth()
    closed = ctx.chance(0.8)
    head = "paper: work/example-2019\ncases:\n  - id: case/deep\n    label: "
    return ctx.pick(
        [
            lambda: head + "[" * n + "x" + ("]" * n if closed else "") + "\n",
            lambda: head + "{a: " * n + "x" + ("}" * n if closed else "") + "\n",
            lambda: head + "\n" + "- " * n + "x\n",
            lambda: "cases:\n" + "".join(" " * i + f"k{i}:\n" for i in range(min(n, 3000))) + "\n",
            lambda: head + "&a [" * min(n, 5000) + "x" + "]" * min(n, 5000) + "\n",
        ]
    )()


@generator("yaml", "structure")
def _y_structure(ctx: Ctx) -> str | bytes:
    seed = _yaml_seed(ctx)
    return ctx.pick(
        [
            lambda: "- just\n- a list\n",
            lambda: "just a scalar\n",
            lambda: "",
            lambda: "---\n" + seed + "---\n" + seed,
            lambda: seed + "...\n" + seed,
            lambda: seed.replace("  ", "\t"),
            lambda: "\ufeff" + seed,
            lambda: seed.replace("\n", "\r\n"),
            lambda: seed.replace("\n", "\r"),
            lambda: "cases: 5\n",
            lambda: "cases:\n  - 5\n  - [1, 2]\n",
            lambda: "cases:\n  - id: case/a\n  - id: case/a\n",
            lambda: "paper: work/a\npaper: work/b\n",
            lambda: "%YAML 1.1\n%TAG ! tag:evil.example,2000:\n---\n" + seed,
            lambda: "%YAML 9.9\n---\n" + seed,
            lambda: seed.encode("utf-16"),
            lambda: _utf8(ctx, seed),
            lambda: _control(ctx, seed),
        ]
    )()


@generator("yaml", "corpus-mutation")
def _y_corpus(ctx: Ctx) -> str | bytes:
    return mutate(
        ctx,
        _yaml_seed(ctx),
        [yaml_value(ctx), "\n  - ", ": ", "- id: ", "&a ", "*a ", "!!", "{", "[", "#", "'", '"', "\t", "\n" + " " * 3],
    )


# -- parameters of the catalogue API and paths under /id/ ----------------------------------------


def hostile_parameter(ctx: Ctx) -> str:
    return ctx.pick(
        [
            ctx.url(),
            *BAD_IRIS[:12],
            ctx.hostile_string(),
            injection(ctx),
            "lirendong",
            "case/lirendong",
            f"{ID_BASE}case/lirendong",
            "lin-2019",
            "e-urbanism",
            "a" * ctx.pick([300, 10_000]),
            "%00",
            "%zz",
            "..",
            "../../etc",
            "?x",
            "<urn:x>",
            '"x"',
            "'",
            "\\",
            "\u202e",
            "😀",
            "1e999",
            "-1",
            "",
            " ",
            "\n",
        ]
    )


@generator("param", "hostile-value")
def _p_value(ctx: Ctx) -> dict:
    return {
        "value": hostile_parameter(ctx),
        "extra": ctx.chance(0.2),
        "suffix": ctx.pick([".json", ".csv", ""]),
        "format": ctx.pick([None, None, "json", "csv", "xml", "%00", "a" * 300]),
    }


@generator("param", "hostile-name")
def _p_name(ctx: Ctx) -> dict:
    name = ctx.pick(
        [
            "../sparql",
            "..%2F..%2Fetc",
            "a" * 300,
            "%00",
            "case-evidence%00",
            "case-evidence.json.csv",
            "CASE-EVIDENCE",
            "case evidence",
            "\u202e",
            ".json",
            "",
            "%ff%fe",
        ]
    )
    return {"name": name, "value": hostile_parameter(ctx), "suffix": ctx.pick([".json", ".csv", "", ".xml"])}


@generator("idpath", "hostile-path")
def _i_path(ctx: Ctx) -> dict:
    # Up to 30,000 characters: the app's redirects echo the path in Location, and a client reads
    # header lines of at most 64 KB.
    segment = ctx.pick(
        [
            "%00",
            "%ff%fe",
            "%C0%AF",
            "..",
            "%2e%2e",
            "%2F",
            "a" * ctx.pick([300, 5000, 30_000]),
            "%E2%80%AE",
            "<script>",
            "%3Cscript%3E",
            "'",
            "%22",
            "%5C",
            "%7B%7D",
            "x%20y",
            "%0d%0aX: y",
            "%u0041",
            "%",
            "%zz",
            "😀",
        ]
    )
    kind = ctx.pick(["case", "work", "concept", "framework", "place", "claim", "graph", "x", ""])
    path = ctx.pick(
        [
            f"{kind}/{segment}",
            segment,
            f"{kind}/lirendong/{segment}",
            f"{segment}/{segment}",
            "case/lirendong",
            "framework/e-urbanism",
            f"{kind}/{ctx.token}",
        ]
    )
    params = ctx.pick(
        [
            {},
            {"format": ctx.pick(["ttl", "nt", "jsonld", "html", "xml", "%00", "a" * 300])},
            {"iri": ctx.pick([ctx.url(), *BAD_IRIS[:10], f"{ID_BASE}case/lirendong"])},
        ]
    )
    if params.get("iri") is not None:
        path = "graph"
    accept = ctx.pick(
        [
            None,
            "text/turtle",
            "application/ld+json",
            "application/n-triples",
            "text/html",
            "*/*",
            "text/turtle;q=x",
            "application/x-" + "a" * 200,
            "",
        ]
    )
    return {"path": path, "params": params, "accept": accept}
