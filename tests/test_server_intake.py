"""Adding a paper in the browser's way, over real HTTP on a bundled store on disk: upload the
text and its record, follow the progress, review the draft, break it and see the problem at its
file and line with nothing loaded, mend it, load it, find the paper."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from endpoint import TOKEN
from serving import served
from urbankg import config
from urbankg.graph import KnowledgeGraph
from urbankg.server.app import create_app
from urbankg.server.settings import Settings

DATA = Path(__file__).parent / "data" / "add"
SLUG = "zhou-2018-geography"  # work/zhou-2018 names another work of the bundled corpus


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("intake")
    kg = KnowledgeGraph.open(folder / "store")
    kg.ensure_bundled()
    app = create_app(kg, Settings(token=TOKEN, workers=1, annotations=folder / "annotations"))
    with served(app) as url:
        yield url, kg, folder / "annotations"
    kg.close()


def upload(url: str, metadata: str, token: str = TOKEN, session=requests) -> requests.Response:
    with (DATA / "paper.txt").open("rb") as paper, (DATA / metadata).open("rb") as record:
        return session.post(
            url + "/papers/new",
            files={"paper": ("paper.txt", paper), "metadata": (metadata, record)},
            data={"token": token},
            allow_redirects=False,
            timeout=30,
        )


def finished(url: str, location: str) -> dict:
    for _ in range(240):
        job = requests.get(url + location, headers={"Accept": "application/json"}, timeout=30).json()
        if job["state"] != "running":
            return job
        time.sleep(0.25)
    raise AssertionError(f"the draft did not finish: {job}")


def test_without_a_token_nothing_is_kept(server):
    url, _, annotations = server
    response = upload(url, "zhou-2018.bib", token="not the token")
    assert response.status_code == 401
    assert not annotations.exists() or not any(annotations.iterdir())


def test_a_paper_the_graph_holds_is_reported(server):
    url, _, annotations = server
    response = upload(url, "lin-2019-again.bib")
    assert response.status_code == 303
    job = finished(url, response.headers["Location"])
    assert job["state"] == "failed" and "in the graph already as work/lin-2019" in job["message"]
    page = requests.get(url + response.headers["Location"], timeout=30).text
    assert "in the graph already as work/lin-2019" in page


def test_upload_review_break_mend_load(server):
    url, kg, annotations = server
    reviewer = requests.Session()  # the token typed at upload opens the review: a session cookie
    response = upload(url, "zhou-2018.bib", session=reviewer)
    assert response.status_code == 303
    job = finished(url, response.headers["Location"])
    assert job["state"] == "done" and job["slug"] == SLUG, job
    assert "2 cited work(s) are in the graph already" in " ".join(job["notes"])
    # the full text is kept privately, beside the draft, and never served to readers
    assert (annotations / ".sources" / SLUG / "paper.txt").exists()
    assert "Taobao villages are its most visible form" in (annotations / ".sources" / SLUG / "fulltext.txt").read_text()
    for page in ("", "/files", "/claims", "/facts"):
        anonymous = requests.get(url + f"/papers/{SLUG}/review{page}", timeout=30)
        assert anonymous.status_code == 401 and "Sign in" in anonymous.text
        assert "most visible form" not in anonymous.text and "work: work/lin-2019" not in anonymous.text
    review = reviewer.get(url + f"/papers/{SLUG}/review/files", timeout=30)
    assert review.status_code == 200 and "work: work/lin-2019" in review.text
    record = (annotations / SLUG / f"{SLUG}.yaml").read_text(encoding="utf-8")
    citations = (annotations / SLUG / f"{SLUG}-citations.yaml").read_text(encoding="utf-8")

    broken = record.replace("year: 2018", "year: 1700")
    line = broken.splitlines().index("    year: 1700") + 1
    fields = {f"{SLUG}.yaml": broken, f"{SLUG}-citations.yaml": citations, "token": TOKEN, "action": "load"}
    refused = requests.post(url + f"/papers/{SLUG}/review/files", data=fields, timeout=60)
    assert refused.status_code == 400
    assert f"line {line}:" in refused.text and "nothing was loaded" in refused.text
    assert kg.store.graph_size(config.graph_iri(SLUG)) is None
    # saved as typed: reopening resumes the review
    assert "year: 1700" in reviewer.get(url + f"/papers/{SLUG}/review/files", timeout=30).text

    fields[f"{SLUG}.yaml"] = record
    loaded = requests.post(url + f"/papers/{SLUG}/review/files", data=fields, timeout=60)
    assert loaded.status_code == 200 and "loaded" in loaded.text
    assert kg.store.graph_size(config.graph_iri(SLUG))
    page = requests.get(url + f"/id/work/{SLUG}", timeout=30)
    assert page.status_code == 200 and "The geography of poverty" in page.text
    history = kg.writes.history(config.graph_iri(SLUG))
    assert history and history[0].agent == "admin"


def test_a_record_typed_in_the_form_is_checked_against_the_graph_and_drafted(server):
    url, _, annotations = server

    def typed(**record):
        with (DATA / "paper.txt").open("rb") as paper:
            response = requests.post(
                url + "/papers/new",
                files={"paper": ("paper.txt", paper)},
                data={"token": TOKEN, **record},
                allow_redirects=False,
                timeout=30,
            )
        return response

    refused = typed(authors="Lin, Yanliu", year="20l9")
    assert refused.status_code == 400 and "title with its record" in refused.text
    refused = typed(title="E-urbanism", year="20l9")
    assert refused.status_code == 400 and "20l9&#39; is not a year" in refused.text
    # Lin 2019 typed by hand, as a scholar would: the graph holds it
    again = typed(
        title="E-urbanism: E-commerce, migration, and the transformation of Taobao villages in urban China",
        authors="Lin, Yanliu",
        year="2019",
    )
    assert again.status_code == 303
    assert "in the graph already as work/lin-2019" in finished(url, again.headers["Location"])["message"]
    new = typed(title="Poverty, platforms and the county", authors="Qiu, Lan\nMa, Jun", year="2022", venue="Area")
    job = finished(url, new.headers["Location"])
    assert job["state"] == "done" and job["slug"] == "qiu-2022", job
    record = (annotations / "qiu-2022" / "qiu-2022.yaml").read_text(encoding="utf-8")
    assert 'title: "Poverty, platforms and the county"' in record and "authors: [person/qiu-l, person/ma-j]" in record
