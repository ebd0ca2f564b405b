"""The paper page's citation network: clustered, filterable, and readable at 200 references.

lin-2019's page is fetched over real HTTP from a bundled store (55 references); a synthetic
paper of 200 references is drawn from rows of the same shape as the page query's, so that
the picture's size and cost are measured where the bundled corpus has no such paper yet.
"""

from __future__ import annotations

import re
import time
import urllib.request

import pyoxigraph as ox
import pytest
from flask import Flask

from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.ui_pictures import citation_network, network_parts

CITO = "http://purl.org/spar/cito/"
FIRST_CHOICE = r'<select name="{}"[^>]*>\s*<option value="">[^<]*</option>\s*<option value="([^"]+)"'
INTENTS = ["extends", "usesMethodIn", "citesAsEvidence", "critiques", "agreesWith"]


CONCEPTS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?concept WHERE { ?concept a skos:Concept ; skos:inScheme ?scheme } ORDER BY ?concept LIMIT 24
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The bundled store, and a synthetic paper of 200 references loaded through the real gate."""
    tmp = tmp_path_factory.mktemp("network")
    kg = KnowledgeGraph.open(tmp / "store")
    kg.ensure_bundled()
    concepts = [r["concept"].value.removeprefix(config.ID_BASE) for r in kg.query(CONCEPTS)]
    path = tmp / "synthetic-200.yaml"
    path.write_text(synthetic_paper(200, concepts), encoding="utf-8")
    kg.load([path])
    with served(create_app(kg)) as url:
        yield url
    kg.close()


def synthetic_paper(references: int, concepts: list[str]) -> str:
    """An annotation file of a paper citing ``references`` works, each once, for one to three
    of ``concepts`` with one or two intents."""
    lines = [
        "paper: work/synthetic-200",
        "people:",
        "  - id: person/synthetic-author",
        "    name: Syn Thetic",
        "papers:",
        "  - id: work/synthetic-200",
        "    type: JournalArticle",
        '    title: "A synthetic paper of 200 references"',
        "    authors: [person/synthetic-author]",
        "    year: 2024",
    ]
    for w in range(references):
        lines += [
            f"  - id: work/synthetic-{w:03d}",
            "    type: JournalArticle",
            f'    title: "A study of urban change number {w} with a long title"',
            "    authors: [person/synthetic-author]",
            f"    year: {1990 + w % 30}",
        ]
    lines.append("references:")
    for w in range(references):
        lines += [
            f"  - id: reference/synthetic-200/{w:03d}",
            f"    number: {w + 1}",
            f'    text: "Thetic, S. ({1990 + w % 30}). A study of urban change number {w}."',
            f"    work: work/synthetic-{w:03d}",
        ]
    lines.append("citations:")
    for w in range(references):
        chosen = sorted({concepts[(w * 7 + k * 5) % len(concepts)] for k in range(1 + w % 3)})
        intents = ", ".join(INTENTS[(w + i) % len(INTENTS)] for i in range(1 + w % 2))
        lines += [
            f"  - id: citation/synthetic-200/{w:03d}",
            f'    text: "(Thetic, {1990 + w % 30})"',
            f"    denotes: [reference/synthetic-200/{w:03d}]",
            f'    sentence: "Sentence {w} of the synthetic paper cites a study (Thetic, {1990 + w % 30})."',
            "    acts:",
            f"      - cites: work/synthetic-{w:03d}",
            f"        intent: [{intents}]",
            f"        concepts: [{', '.join(chosen)}]",
            "        asserted_by: annotator",
        ]
    return "\n".join(lines) + "\n"


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8")


def svg_of(page: str) -> str:
    match = re.search(r'<svg[^>]*id="citation-network".*?</svg>', page, re.S)
    assert match, "the page has no citation network"
    return match.group(0)


def works_in(svg: str) -> int:
    return len(re.findall(r'<g class="work"', svg))


def synthetic_acts(references: int) -> list[dict]:
    """The citation-act rows of a paper citing ``references`` works: 24 concepts in 4
    frameworks, each work cited for one to three of them with one or two intents."""
    rows = []
    for w in range(references):
        work = ox.NamedNode(f"{config.ID_BASE}work/synthetic-{w:03d}")
        for k in range(1 + w % 3):
            c = (w * 7 + k * 5) % 24
            concept = ox.NamedNode(f"{config.ID_BASE}concept/synthetic-{c:02d}")
            for i in range(1 + (w + k) % 2):
                rows.append(
                    {
                        "act": ox.NamedNode(f"{config.ID_BASE}citation/synthetic-{w}-{k}"),
                        "work": work,
                        "work_title": ox.Literal(f"A study of urban change number {w} with a long title"),
                        "year": ox.Literal(str(1990 + w % 30)),
                        "concept": concept,
                        "concept_label": ox.Literal(f"Synthetic concept {c:02d}"),
                        "framework": ox.NamedNode(f"{config.ID_BASE}framework/synthetic-{c % 4}"),
                        "framework_label": ox.Literal(f"Framework {c % 4}"),
                        "intent": ox.NamedNode(CITO + INTENTS[(w + k + i) % len(INTENTS)]),
                        "sentence": ox.Literal(f"Sentence {w}-{k} citing the work for concept {c}."),
                    }
                )
    return rows


def drawn(acts: list[dict], **filters: str) -> str:
    app = Flask(__name__, template_folder=str(config.bundled("server") / "templates"))
    with app.test_request_context("/"):
        return str(citation_network({"title": ox.Literal("A synthetic paper")}, acts, filters))


def test_lin_2019_page_draws_55_references_clustered_with_filters_and_counts(base_url):
    get(base_url + "/papers")  # the server's first page starts its query processes: not timed
    started = time.perf_counter()
    page = get(base_url + "/papers/lin-2019")
    elapsed = time.perf_counter() - started
    svg = svg_of(page)
    works = works_in(svg)
    assert 30 <= works <= 55, works  # the cited works that are linked to a concept
    headings = re.findall(r'data-cluster="[^"]+">([^<]+) — (\d+) works?<', svg)
    assert headings and sum(int(n) for _, n in headings) == works
    assert 'name="concept"' in page and 'name="intent"' in page and 'name="framework"' in page
    assert "network.js" in page
    print(f"lin-2019: page {elapsed * 1000:.0f} ms, SVG {len(svg)} bytes, {works} works, {len(headings)} clusters")


def test_lin_2019_filtered_by_a_concept_or_an_intent_keeps_fewer_works(base_url):
    whole = works_in(svg_of(get(base_url + "/papers/lin-2019")))
    page = get(base_url + "/papers/lin-2019")
    concept = re.search(FIRST_CHOICE.format("concept"), page)
    assert concept
    by_concept = works_in(svg_of(get(f"{base_url}/papers/lin-2019?concept={concept.group(1)}")))
    assert 0 < by_concept < whole
    intent = re.search(FIRST_CHOICE.format("intent"), page)
    assert intent
    by_intent = works_in(svg_of(get(f"{base_url}/papers/lin-2019?intent={intent.group(1)}")))
    assert 0 < by_intent < whole
    nothing = get(base_url + "/papers/lin-2019?concept=concept/no-such-concept")
    assert "No citation of this paper matches these filters" in nothing


def test_a_stored_paper_of_200_references_is_served_readable(base_url):
    started = time.perf_counter()
    page = get(base_url + "/papers/synthetic-200")  # its queries run: nothing cached yet
    cold = time.perf_counter() - started
    started = time.perf_counter()
    get(base_url + "/papers/synthetic-200")
    warm = time.perf_counter() - started
    svg = svg_of(page)
    assert works_in(svg) == 200
    headings = re.findall(r'data-cluster="([^"]+)">[^<]+ — (\d+) works?<', svg)
    assert sum(int(n) for _, n in headings) == 200
    height = float(re.search(r'viewBox="0 0 \d+ ([\d.]+)"', svg).group(1))
    assert height < 2000, f"the picture is {height}px tall"
    by_concept = works_in(svg_of(get(f"{base_url}/papers/synthetic-200?concept={headings[0][0]}")))
    assert 0 < by_concept < 200
    print(
        f"synthetic-200 stored: page {cold * 1000:.0f} ms (cached queries {warm * 1000:.0f} ms), "
        f"SVG {len(svg)} bytes, {height:.0f}px tall, {len(headings)} clusters"
    )


def test_200_references_stay_readable_clusters_count_every_work():
    acts = synthetic_acts(200)
    started = time.perf_counter()
    html = drawn(acts)
    elapsed = time.perf_counter() - started
    svg = svg_of(html)
    assert works_in(svg) == 200
    headings = re.findall(r'data-cluster="([^"]+)">([^<]+) — (\d+) works?<', svg)
    assert 10 <= len(headings) <= 24  # a concept no work is cited for most has no cluster
    assert sum(int(n) for *_, n in headings) == 200
    # Big clusters are grids of dots: titles on hover, no label row per work.
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+" class="node">A study', svg)
    assert len(labels) < 200
    assert len(re.findall(r"<title>A study of urban change number", svg)) >= 200
    # A grid's works are joined to their concept by one bundle; their own lines show on hover.
    grids = [n for *_, n in headings if int(n) > 5]
    assert grids and len(re.findall(r'<path class="bundle"', svg)) == len(grids)
    assert len(re.findall(r'<path class="edge home"', svg)) == sum(int(n) for n in grids)
    height = float(re.search(r'viewBox="0 0 \d+ ([\d.]+)"', svg).group(1))
    assert height < 2000, f"the picture is {height}px tall"
    assert elapsed < 1.0
    print(f"synthetic 200: drawn in {elapsed * 1000:.0f} ms, SVG {len(svg)} bytes, {height:.0f}px tall")


def test_filters_by_concept_framework_and_intent_reduce_the_nodes_of_200_references():
    acts = synthetic_acts(200)
    whole = works_in(svg_of(drawn(acts)))
    by_concept = svg_of(drawn(acts, concept="concept/synthetic-03"))
    works_for_03 = {a["work"].value for a in acts if a["concept"].value.endswith("synthetic-03")}
    assert works_in(by_concept) == len(works_for_03) < whole
    assert 'data-concept="concept/synthetic-04"' not in by_concept
    by_framework = works_in(svg_of(drawn(acts, framework="framework/synthetic-1")))
    assert 0 < by_framework < whole
    by_intent = svg_of(drawn(acts, intent="cito:critiques"))
    assert 0 < works_in(by_intent) < whole
    assert "cito:extends" not in re.sub(r"<select.*?</select>", "", by_intent, flags=re.S)


def test_pairs_merge_an_acts_intents_and_frameworks():
    works, concepts, pairs = network_parts(synthetic_acts(200))
    assert len(works) == 200
    assert len(concepts) == 24
    assert len(pairs) == sum(1 + w % 3 for w in range(200))
    two = [p for p in pairs if len(p.intents) == 2]
    assert two and all(len(p.acts) == 1 for p in two)
