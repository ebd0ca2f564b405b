"""The guided review over real HTTP, on a store holding the bundled corpus: the session a
token opens, every step's page, one change of each kind, a fact the gate refuses shown at its
field with nothing written, and the load's problems placed at their step, entity and field."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from ruamel.yaml import YAML

from endpoint import TOKEN
from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.settings import Settings

DATA = Path(__file__).parent / "data" / "review"
SLUG = "huang-2023"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    kg = KnowledgeGraph.open(folder / "store")
    kg.ensure_bundled()
    app = create_app(kg, Settings(token=TOKEN, workers=1, annotations=folder / "annotations"))
    with served(app) as url:
        reviewer = requests.Session()
        with (DATA / "county-shops.txt").open("rb") as paper, (DATA / "county-shops.ris").open("rb") as record:
            response = reviewer.post(
                url + "/papers/new",
                files={"paper": ("county-shops.txt", paper), "metadata": ("county-shops.ris", record)},
                data={"token": TOKEN},
                allow_redirects=False,
                timeout=30,
            )
        for _ in range(240):
            job = requests.get(url + response.headers["Location"], headers={"Accept": "application/json"}).json()
            if job["state"] != "running":
                break
            time.sleep(0.25)
        assert job["state"] == "done" and job["slug"] == SLUG, job
        yield url, kg, folder / "annotations" / SLUG, reviewer
    kg.close()


def citations(folder: Path) -> list[dict]:
    return YAML(typ="safe").load((folder / f"{SLUG}-citations.yaml").read_text(encoding="utf-8"))["citations"]


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")}


def test_a_session_is_opened_by_a_token_only(server):
    url, _, _, _ = server
    stranger = requests.Session()
    refused = stranger.post(url + "/papers/review/session", data={"token": "guess", "next": f"/papers/{SLUG}/review"})
    assert refused.status_code == 401 and "not a write token" in refused.text
    assert stranger.get(url + f"/papers/{SLUG}/review/citations").status_code == 401
    forged = requests.get(url + f"/papers/{SLUG}/review", cookies={"urbankg_review": "eyJhZ2VudCI6ImFkbWluIn0.x.y"})
    assert forged.status_code == 401
    signed = stranger.post(url + "/papers/review/session", data={"token": TOKEN, "next": "https://elsewhere.example/"})
    assert signed.status_code == 200 and signed.url == url + "/papers/new"  # no redirect off the server
    assert stranger.get(url + f"/papers/{SLUG}/review/citations").status_code == 200


def test_every_step_shows_the_draft(server):
    url, _, _, reviewer = server
    overview = reviewer.get(url + f"/papers/{SLUG}/review")
    assert overview.status_code == 200 and "waiting for review" in overview.text
    pages = {
        step: reviewer.get(url + f"/papers/{SLUG}/review/{step}")
        for step in ("record", "references", "citations", "claims", "facts", "cases")
    }
    assert all(p.status_code == 200 for p in pages.values())
    assert "Online shops and the county town" in pages["record"].text
    assert "Logistics parks and county towns in inland China" in pages["references"].text
    # the citation highlighted in its sentence; each intent with its gloss; scores shown
    assert "inland counties <mark>(Lin, 2019)</mark>." in pages["citations"].text
    assert "the paper takes figures or data from the cited work" in pages["citations"].text
    assert re.search(r'class="score"[^>]*>0\.\d\d<', pages["citations"].text)
    assert "38 percent in 2019" in pages["facts"].text  # the paper's text, to select from
    assert reviewer.get(url + f"/papers/{SLUG}/review/nowhere").status_code == 404


def test_accept_reject_repoint_and_intent(server):
    url, _, folder, reviewer = server
    first, _, third, fourth = citations(folder)
    base = url + f"/papers/{SLUG}/review/citations"
    reviewer.post(
        base,
        data={
            "action": "accept",
            "citation": first["id"],
            "work": "work/lin-2019",
            "concept": "concept/taobao-village",
        },
    )
    reviewer.post(
        base,
        data={"action": "reject", "citation": fourth["id"], "work": "work/wang-2020", "concept": "concept/e-commerce"},
    )
    reviewer.post(
        base, data={"action": "intent", "citation": first["id"], "work": "work/lin-2019", "intent": "citesAsAuthority"}
    )
    reviewer.post(
        base,
        data={
            "action": "denotes",
            "citation": third["id"],
            "denotes": [f"reference/{SLUG}/chen-2021", f"reference/{SLUG}/lin-2019"],
        },
    )
    first, _, third, fourth = citations(folder)
    assert first["acts"][0]["concepts"] == ["concept/taobao-village"]
    assert first["acts"][0]["intent"] == ["citesAsAuthority"] and "suggested_intent" not in first["acts"][0]
    assert "concept/e-commerce" not in str(fourth["acts"])
    assert [a["cites"] for a in third["acts"]] == ["work/chen-2021", "work/lin-2019"]
    # a concept the graph does not know is refused at its field, and nothing is written
    before = files(folder)
    refused = reviewer.post(
        base,
        data={
            "action": "accept",
            "citation": first["id"],
            "work": "work/lin-2019",
            "concept": "concept/no-such-concept",
            "searched": "1",
        },
    )
    assert refused.status_code == 400 and 'data-field="concept"' in refused.text
    assert files(folder) == before


def test_a_percentage_of_130_is_shown_at_its_field_and_nothing_is_written(server):
    url, kg, folder, reviewer = server
    before = files(folder)
    fact = {
        "quote": "In the surveyed county, the share of households selling online rose from 12 percent in 2015 "
        "to 38 percent in 2019.",
        "value": "130",
        "unit": "percent",
        "period": "2019",
        "new_measure": "share of households selling online",
        "place": "place/china",
    }
    refused = reviewer.post(url + f"/papers/{SLUG}/review/facts", data=fact)
    assert refused.status_code == 400
    at_value = re.search(r'<label>Value <span class="field-error" data-field="value"[^>]*>([^<]*)<', refused.text)
    assert at_value and "between 0 and 100" in at_value.group(1)
    assert files(folder) == before
    fact["value"] = "38"
    added = reviewer.post(url + f"/papers/{SLUG}/review/facts", data=fact)
    assert added.status_code == 200 and f"observation/{SLUG}/share-of-households-selling-online-2019" in added.text
    # a quote that is not the paper's words is refused at the quote
    fact["quote"] = "The share rose to 38 percent."
    refused = reviewer.post(url + f"/papers/{SLUG}/review/facts", data=fact)
    assert refused.status_code == 400 and 'data-field="evidence"' in refused.text


def test_the_load_places_problems_at_their_step_and_field_then_loads(server):
    url, kg, folder, reviewer = server
    reviewer.post(
        url + f"/papers/{SLUG}/review/record",
        data={
            "title": "Online shops and the county town",
            "year": "1700",
            "doi": "",
            "authors": "Huang, Mei\nZhang, Wei",
        },
    )
    refused = reviewer.post(url + f"/papers/{SLUG}/review/load")
    assert refused.status_code == 400 and "nothing was loaded" in refused.text
    item = re.search(r'<li data-step="record" data-item="work/huang-2023" data-field="year">', refused.text)
    assert item, refused.text
    # its link opens the record step with the problem at the year field
    marked = reviewer.get(url + f"/papers/{SLUG}/review/record?check=1")
    assert re.search(r'<label>Year <span class="field-error" data-field="year"[^>]*>[^<]*1700', marked.text)
    assert kg.store.graph_size(config.graph_iri(SLUG)) is None
    reviewer.post(
        url + f"/papers/{SLUG}/review/record",
        data={
            "title": "Online shops and the county town",
            "year": "2023",
            "doi": "",
            "authors": "Huang, Mei\nZhang, Wei",
        },
    )
    loaded = reviewer.post(url + f"/papers/{SLUG}/review/load")
    assert loaded.status_code == 200 and "loaded" in loaded.text
    rows = kg.query(
        "PREFIX ukg: <https://w3id.org/urbankg/ontology#> PREFIX cito: <http://purl.org/spar/cito/> "
        f"SELECT ?c WHERE {{ ?a cito:hasCitingEntity <{config.ID_BASE}work/{SLUG}> ; ukg:citedForConcept ?c }}"
    )
    assert {r["c"].value for r in rows} == {config.ID_BASE + "concept/taobao-village"}
    history = kg.writes.history(config.graph_iri(SLUG))
    assert history and history[0].agent == "admin"


def test_reviewers_saving_at_once_lose_no_change(server):
    """Eight reviewers accept a concept each on the same act at the same moment: every one is
    in the file afterwards (each change reads, changes and writes the same files)."""
    url, _, folder, reviewer = server
    concepts = [
        "concept/e-commerce",
        "concept/rural-development",
        "concept/village-in-the-city",
        "concept/migrant-enclave",
        "concept/e-urbanism",
        "concept/social-media",
        "concept/broadband",
        "concept/smartphone",
    ]
    first = citations(folder)[0]
    work = first["acts"][0]["cites"]
    cookies = reviewer.cookies.get_dict()
    barrier = threading.Barrier(len(concepts))

    def accept(concept: str) -> int:
        barrier.wait()
        data = {"action": "accept", "citation": first["id"], "work": work, "concept": concept}
        answer = requests.post(url + f"/papers/{SLUG}/review/citations", data=data, cookies=cookies, timeout=60)
        return answer.status_code

    with ThreadPoolExecutor(len(concepts)) as pool:
        statuses = list(pool.map(accept, concepts))
    assert all(s in (200, 303) for s in statuses), statuses
    accepted = citations(folder)[0]["acts"][0]["concepts"]
    assert set(concepts) <= set(accepted), sorted(set(concepts) - set(accepted))
