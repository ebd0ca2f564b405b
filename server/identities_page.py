"""``/identities``: review the identity decisions (issue 17) from a browser or a client.

``GET /identities`` lists the decisions of graph/identities, filtered by ``status``
(possible, the default; merged, distinct, all) and ``kind`` (work, person, all): for each
pair its two IRIs (linked to their pages, with their labels when the store has them), the
kind, score, evidence, who decided and when, and the short id. Readable without a token;
``Accept: application/json`` answers the same list as JSON.

``POST /identities/decide`` (form fields or a JSON body: ``key``, ``action`` = accept |
reject, ``keep``, ``evidence``) calls :meth:`WritePath.decide_identity` on the server's
writer thread, as every write: accept merges a listed pair (keeping ``keep`` when given),
reject marks it distinct, undoing a merge. It needs a write token, as every write: the
``Authorization`` header, or, from the page's forms (a browser form cannot send a header),
the form field ``token``, as /validate takes it. A browser is sent back to the list (303)
with a notice of what happened; a JSON client gets ``{key, status, alias, canonical}``.
Refusals: 400 (a field missing or wrong), 401/403 (token), 409 (the facade's StoreError or
a merge the shapes refuse: its message), 507 (disk full); nothing is written.

Costs: reading graph/identities whole (a few triples a decision) and one query for the
labels (through the query runner and its cache, as every page's); a decision costs what
the facade's does (the graphs that mention the alias, read, renamed, validated, committed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, g, jsonify, redirect, render_template, request, url_for

from urbankg import config, formats
from urbankg.errors import DiskFull, SourceError, StoreError
from urbankg.identity.decisions import IDENTITIES_GRAPH, STATUSES, Decision
from urbankg.server.auth import CHALLENGE, require_form_or_header_token
from urbankg.server.http_errors import HttpError
from urbankg.server.query_runner import QueryError, QueryRefused, QueryTimeout
from urbankg.server.query_worker import QueryJob
from urbankg.server.result_cache import requesting_client
from urbankg.server.services import services
from urbankg.server.ui_display import LABEL_PREDICATES, href

bp = Blueprint("identities", __name__, template_folder="templates")

KINDS = ("work", "person")
LIMIT = 500  # decisions a page shows; `urbankg identities` lists them all
ACTION = "an identity decision"  # how the token's refusals name what was refused

# Labels of every IRI a decision names, in one query: the IRIs come from the store, so no
# IRI is written into the text. The default graph is the union of the graphs.
LABELS = f"""
SELECT DISTINCT ?iri ?label WHERE {{
  GRAPH <{IDENTITIES_GRAPH}> {{ ?decision <{config.ONTOLOGY_NS}alias>|<{config.ONTOLOGY_NS}canonical> ?iri }}
  VALUES ?p {{ {" ".join(f"<{p}>" for p in LABEL_PREDICATES)} }}
  ?iri ?p ?label FILTER(isLiteral(?label))
}}
"""


@dataclass
class Listing:
    status: str
    kind: str
    decisions: list[Decision]
    more: bool
    labels: dict[str, str]


@bp.get("/identities")
def identities():
    listing = _listing(request.args.get("status", "possible"), request.args.get("kind", "all"))
    if _wants_json():
        return jsonify(
            status=listing.status,
            kind=listing.kind,
            more=listing.more,
            decisions=[_as_json(d, listing.labels) for d in listing.decisions],
        )
    # The notice of a decision just made is read back from the store, not from the URL, so a
    # link cannot make the page claim a decision nobody made.
    decided = request.args.get("decided")
    notice = next((_notice(d) for d in services().writes.identities() if d.key == decided), None)
    return _page(listing, notice=notice)


@bp.post("/identities/decide")
def decide():
    as_json = _wants_json()
    body = request.get_json(silent=True) if request.is_json else None
    # The fields, from a JSON object or the form; a JSON body that is no object has none (a 400).
    sent: Mapping[str, object] = (body if isinstance(body, dict) else {}) if request.is_json else request.form
    # The list the form came from, to go back to (hidden fields of the page's forms).
    back = {
        "status": _one_of(request.form.get("status"), (*STATUSES, "all"), "possible"),
        "kind": _one_of(request.form.get("kind"), (*KINDS, "all"), "all"),
    }
    try:
        agent = _writer(as_json)
        key = str(sent.get("key") or "").strip()
        action = str(sent.get("action") or "").strip().lower()
        if not key or action not in ("accept", "reject"):
            raise HttpError(
                400,
                "send key=<the decision's short id> and action=accept or action=reject "
                "(GET /identities lists the decisions and their ids)",
                as_json=as_json,
            )
        keep = str(sent.get("keep") or "").strip() or None
        evidence = str(sent.get("evidence") or "").strip()
        writes = services().writes
        try:  # on the writer thread, in turn with every other write of the server
            decision = services().updates.apply(
                lambda: writes.decide_identity(key, action == "accept", agent, evidence=evidence, keep=keep)
            )
        except StoreError as exc:
            raise HttpError(409, str(exc), as_json=as_json) from None
        except SourceError as exc:  # the renamed graphs would break the shapes: nothing written
            raise HttpError(409, f"the decision was not written: {exc}", as_json=as_json) from None
        except DiskFull as exc:
            raise HttpError(
                507, str(exc), headers={"Retry-After": "60"}, refusal="disk-full", as_json=as_json
            ) from None
    except HttpError as error:
        if as_json:
            raise
        return _refused_page(error, back)
    if as_json:
        return jsonify(key=decision.key, status=decision.status, alias=decision.alias, canonical=decision.canonical)
    return redirect(
        url_for("identities.identities", decided=decision.key, status=back["status"], kind=back["kind"]), code=303
    )


# -- helpers --------------------------------------------------------------------------


def _listing(status: str, kind: str) -> Listing:
    if status not in (*STATUSES, "all") or kind not in (*KINDS, "all"):
        raise HttpError(
            400,
            f"status is one of {', '.join(STATUSES)} or all; kind is one of {', '.join(KINDS)} or all",
            as_json=_wants_json(),
        )
    chosen = [d for d in services().writes.identities() if status in ("all", d.status) and kind in ("all", d.kind)]
    # Best first: the pairs most likely the same lead the list.
    chosen.sort(key=lambda d: (-d.score, d.kind, d.alias, d.canonical))
    return Listing(status, kind, chosen[:LIMIT], len(chosen) > LIMIT, _labels() if chosen else {})


def _labels() -> dict[str, str]:
    """IRI -> one of its labels. A nicety: when the query cannot run now, the list shows IRIs alone."""
    settings = services().settings
    job = QueryJob(LABELS, {formats.SOLUTIONS: formats.JSON.key}, None)
    try:
        outcome = services().runner.run(job, settings.query_timeout, client=requesting_client())
    except (QueryTimeout, QueryRefused, QueryError):
        return {}
    labels: dict[str, str] = {}
    result = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QuerySolutions), "LABELS is a SELECT query"
    for solution in result:
        iri, label = solution["iri"], solution["label"]
        if iri is not None and label is not None:
            # The shortest label, so the same one shows at every reading.
            current = labels.get(iri.value)
            if current is None or (len(label.value), label.value) < (len(current), current):
                labels[iri.value] = label.value
    return labels


def _writer(as_json: bool) -> str:
    return require_form_or_header_token(ACTION, as_json=as_json)


def _one_of(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def _wants_json() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _as_json(d: Decision, labels: dict[str, str]) -> dict:
    return {
        "key": d.key,
        "kind": d.kind,
        "status": d.status,
        "alias": d.alias,
        "canonical": d.canonical,
        "alias_label": labels.get(d.alias),
        "canonical_label": labels.get(d.canonical),
        "score": d.score,
        "evidence": d.evidence,
        "agent": d.agent,
        "time": d.time,
    }


def _notice(d: Decision) -> str:
    if d.status == "merged":
        return f"merged {d.alias} into {d.canonical} ({d.key})"
    if d.status == "distinct":
        return f"marked distinct: {d.alias} and {d.canonical} ({d.key})"
    return f"{d.key} is listed as possible"


def _page(listing: Listing, *, notice: str | None = None, error: str | None = None, status: int = 200):
    return (
        render_template(
            "identities.html",
            listing=listing,
            statuses=STATUSES,
            kinds=KINDS,
            notice=notice,
            error=error,
            href=href,
            limit=LIMIT,
        ),
        status,
    )


def _refused_page(error: HttpError, back: dict) -> Response:
    """A refusal in a browser: the list it came from, with what was wrong, at the refusal's status.
    A 401 challenges Bearer only: a Basic challenge would make the browser ask for a password."""
    if error.refusal:
        g.refusal = error.refusal
    body, status = _page(_listing(back["status"], back["kind"]), error=error.message, status=error.status)
    response = Response(body, status, mimetype="text/html")
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    elif "Retry-After" in error.headers:
        response.headers["Retry-After"] = error.headers["Retry-After"]
    return response
