"""``POST /load`` and ``POST /drop``: `urbankg load` and `urbankg drop` sent to the server that holds the store.

While `urbankg serve` runs, no other process may write the embedded store, so the command
line sends its writes here (urbankg.store_access.ServerClient). Both routes need a write
token; the token's name is the agent the history records.

``POST /load`` takes multipart/form-data: one ``file`` part per file (its file name names
the graph, as on the command line; ``filename*`` is read first, so any name arrives
unchanged), and the fields ``replace`` (true/false) and ``graph`` (a name or IRI, for one
file). The files are written to a temporary folder under their own names and loaded by the
same write path as a local `urbankg load`, on the server's writer thread, in turn with every
other write. Answers (JSON):

* 200 ``{"graphs": {IRI: triples}, "triples": N, "warnings": [...], "agent": NAME}``;
* 400 ``{"error", "problems": [{"file", "line", "message", "severity", "text"}]}``: a syntax
  or shape problem, by the uploaded file's name and line; nothing was written;
* 409 ``{"error", "graph", "owner"}``: the load would replace a graph another agent created
  (send ``replace=true`` to replace it);
* 401/403 (token), 413 (over URBANKG_MAX_BODY), 507 (disk full).

``POST /drop`` takes the form fields ``graph`` and ``replace``: 200 ``{"dropped": true,
"graph": IRI}``, 404 when there is no such graph, 409 as above.

Costs: the upload is written to a temporary folder once (the loaders read files), then the
load costs what a local one does: parsing and SHACL, about 8,000 statements a second.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, replace
from pathlib import Path

from flask import Blueprint, jsonify, request

from urbankg.errors import ClaimConflict, DiskFull, Problem, SourceError, UnstorableTerm
from urbankg.graph import resolve_graph
from urbankg.server.auth import require_write_token
from urbankg.server.http_errors import HttpError
from urbankg.server.services import services

bp = Blueprint("load_api", __name__)

MAX_NAME_BYTES = 200  # a file name, and the graph's last segment: under the file system's 255


@bp.post("/load")
def load():
    agent = _agent("a load")
    uploads = request.files.getlist("file")
    if not uploads:
        raise _error(
            400,
            "send the files to load as multipart/form-data parts named 'file' "
            "(curl -F file=@case.yaml), as `urbankg load` does while the server runs",
        )
    replacing = _flag("replace")
    graph = request.form.get("graph") or None
    names = [_file_name(upload.filename) for upload in uploads]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _error(
            400,
            f"the file name {repeated[0]} is sent twice; each file's name names its graph, so each must be different",
        )
    with tempfile.TemporaryDirectory(prefix="urbankg-load-") as folder:
        paths = []
        for upload, name in zip(uploads, names, strict=True):
            path = Path(folder) / name
            upload.save(path)
            paths.append(path)
        write_path = services().writes
        try:
            # On the writer thread, in turn with every other write of the server.
            report = services().updates.apply(
                lambda: write_path.load(
                    paths, agent, replace=replacing, graph=graph, origin=lambda path: f"HTTP POST /load {path.name}"
                )
            )
        except SourceError as exc:
            problems = [_problem(p, folder) for p in exc.problems]
            raise _error(
                400,
                f"{len(problems)} problem(s); nothing was written",
                body={"problems": problems, "report": "\n".join(p["text"] for p in problems)},
            ) from None
        except ClaimConflict as exc:
            raise _error(409, _unfolded(str(exc), folder), body={"graph": exc.graph, "owner": exc.owner}) from None
        except UnstorableTerm as exc:
            raise _error(400, _unfolded(str(exc), folder)) from None
        except DiskFull as exc:
            raise _error(507, str(exc), headers={"Retry-After": "60"}, refusal="disk-full") from None
        warnings = [_problem(p, folder) for p in report.warnings]
    return jsonify(graphs=report.graphs, triples=report.triples, agent=agent, warnings=warnings)


@bp.post("/drop")
def drop():
    agent = _agent("a drop")
    name = request.form.get("graph")
    if not name:
        raise _error(
            400, "name the graph to drop: the form field graph=NAME (a source name, e.g. lin-2019, or the graph's IRI)"
        )
    iri = resolve_graph(name)
    replacing = _flag("replace")  # read here: the writer thread has no request
    write_path = services().writes
    try:
        dropped = services().updates.apply(
            lambda: write_path.drop(iri, agent, origin="HTTP POST /drop", replace=replacing)
        )
    except ClaimConflict as exc:
        raise _error(409, str(exc), body={"graph": exc.graph, "owner": exc.owner}) from None
    except UnstorableTerm as exc:
        raise _error(400, str(exc)) from None
    except DiskFull as exc:
        raise _error(507, str(exc), headers={"Retry-After": "60"}, refusal="disk-full") from None
    if not dropped:
        raise _error(404, f"there is no graph <{iri}>; `urbankg graphs` lists them")
    return jsonify(dropped=True, graph=iri)


def _agent(action: str) -> str:
    return require_write_token(action, as_json=True)


def _flag(name: str) -> bool:
    value = request.form.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no", ""):
        raise _error(400, f"{name}={value!r}: send true or false")
    return value in ("true", "1", "yes")


def _file_name(given: str | None) -> str:
    """The upload's own file name, with no folder: it becomes a file in the temporary folder."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    if name in ("", ".", "..") or "\x00" in name:
        raise _error(
            400,
            f"the upload's file name {given!r} is not a file name: send each file with its name "
            "(e.g. lin-2019-cases.yaml), which names its graph",
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise _error(400, f"the file name {name[:40]!r}… is longer than {MAX_NAME_BYTES} bytes; rename the file")
    return name


def _problem(problem: Problem, folder: str) -> dict:
    """A problem as JSON, naming the uploaded file by its own name, not its temporary copy."""
    named = replace(problem, file=_unfolded(problem.file, folder), message=_unfolded(problem.message, folder))
    return {**asdict(named), "text": str(named)}


def _unfolded(text: str, folder: str) -> str:
    return text.replace(folder + "/", "")


def _error(status: int, message: str, **options) -> HttpError:
    return HttpError(status, message, as_json=True, **options)
