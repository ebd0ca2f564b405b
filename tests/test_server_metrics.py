"""/metrics in the Prometheus text format and /health, after real traffic."""

import re
import time

import pytest
import requests

from endpoint import DATA, TOKEN, endpoint
from urbankg.server.settings import Settings

SAMPLE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+$')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with endpoint(
        tmp_path_factory.mktemp("metrics") / "store",
        Settings(token=TOKEN, workers=1, max_body=100),
        load=[DATA / "rdf" / "good.ttl"],
    ) as running:
        yield running


def test_metrics_count_requests_refusals_and_store_size(server):
    requests.get(server.sparql, params={"query": "ASK {}"}, timeout=30)
    requests.get(server.sparql, params={"query": "ASK {}"}, timeout=30)
    requests.get(server.sparql, params={"query": "ASK {"}, timeout=30)
    requests.get(server.sparql, params={"query": "SELECT * { SERVICE <http://x/> {} }"}, timeout=30)
    requests.post(server.sparql, data={"update": "CLEAR ALL"}, timeout=30)
    requests.post(server.sparql, data=b"#" * 500, headers={"Content-Type": "application/sparql-query"}, timeout=30)
    requests.get(server.url + "/graph/good", timeout=30)
    response = requests.get(server.url + "/metrics", timeout=30)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    for line in lines:  # every line is a comment or a well-formed sample
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or SAMPLE.match(line), line
    text = response.text
    assert 'urbankg_http_requests_total{route="/sparql",method="GET",status="200"} 2' in text
    assert 'urbankg_http_requests_total{route="/sparql",method="GET",status="400"} 2' in text
    assert 'urbankg_http_requests_total{route="/sparql",method="POST",status="401"} 1' in text
    assert 'urbankg_http_requests_total{route="/sparql",method="POST",status="413"} 1' in text
    assert 'urbankg_http_requests_total{route="/graph/<path:name>",method="GET",status="200"} 1' in text
    for reason in ("service", "token", "body-size"):
        assert f'urbankg_refusals_total{{reason="{reason}"}} 1' in text
    assert 'urbankg_http_request_duration_seconds_count{route="/sparql"} 6' in text
    assert 'urbankg_http_request_duration_seconds_bucket{route="/sparql",le="+Inf"} 6' in text
    assert f"urbankg_store_triples {server.count()}" in text
    assert "urbankg_query_workers 1" in text
    assert re.search(r"^urbankg_query_workers_without_network [01]$", text, re.M)


def test_admissions_and_byte_cuts_are_counted(server):
    def sample(name: str) -> int:
        text = requests.get(server.url + "/metrics", timeout=30).text
        return int(re.search(rf"^{re.escape(name)} (\d+)$", text, re.M).group(1))

    admitted = sample('urbankg_query_admissions_total{outcome="at-once"}')
    cut = sample('urbankg_truncated_results_total{limit="bytes"}')
    # Cells of 10 MiB: the second takes the answer past the 16 MiB cap.
    binds = 'BIND("0123456789" AS ?x0) ' + " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(20))
    answer = requests.get(
        server.sparql, params={"query": f"SELECT ?x20 WHERE {{ VALUES ?i {{ 1 2 }} {binds} }}"}, timeout=60
    )
    assert answer.headers["X-Urbankg-Truncated"] == "true"
    assert sample('urbankg_query_admissions_total{outcome="at-once"}') == admitted + 1
    assert sample('urbankg_truncated_results_total{limit="bytes"}') == cut + 1
    assert sample("urbankg_queries_running") == 0 and sample("urbankg_queries_waiting") == 0
    for outcome in ("after-waiting", "client-share", "busy", "busy-stopped"):
        assert sample(f'urbankg_query_admissions_total{{outcome="{outcome}"}}') == 0


def test_store_size_follows_writes(server):
    before = server.count()
    # An update names its graph (the default graph is the catalogue); the write adds the triple,
    # the graph's catalogue entry and the history record of who wrote it.
    inserted = requests.post(
        server.sparql,
        data=b"INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }",
        headers={**server.auth, "Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert inserted.status_code == 204, inserted.text
    after = server.count()
    assert after > before + 1
    assert f"urbankg_store_triples {after}" in requests.get(server.url + "/metrics", timeout=30).text


def test_health(server):
    # /health never counts on the request's time: the count, made in the background, shows up
    # on a later call.
    deadline = time.monotonic() + 10
    health = requests.get(server.url + "/health", timeout=30).json()
    while health["triples"] is None and time.monotonic() < deadline:
        time.sleep(0.1)
        health = requests.get(server.url + "/health", timeout=30).json()
    assert (
        health["status"] == "ok"
        and health["triples"] == server.count()
        and health["graphs"] == len(server.kg.graphs()) >= 1
    )
    assert health["read_only"] is False and health["query_workers"] == 1
