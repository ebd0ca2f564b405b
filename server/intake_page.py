"""Adding a paper in the browser (issue 18, first slice): /papers/new, its progress, its review.

``GET /papers/new`` offers a form: the paper (PDF or UTF-8 text), optionally its record as a
reference manager exports it (BibTeX, CSL-JSON, RIS), an id, and the write token.
``POST /papers/new`` (write token) keeps the upload privately in the annotations folder
(``.sources/``: the full text is for quote checks and is never served) and drafts the
annotation in the background (urbankg.intake, as `urbankg add`), on a thread of its own: the
extractor reads no store state but the candidate lookups, which are reads. It answers 303 to
``/papers/new/<job>``, which shows the stage reached (refreshing itself) and, once done,
links the review; a paper the graph holds already is reported there, and nothing is kept.

``GET /papers/<slug>/review/files`` shows the draft's files (the record, the citations, the
cases) to edit as text, for reviewers who prefer it to the guided steps of
server/review_pages.py; ``POST`` saves them as they are (``action=save``) or saves and loads them
(``action=load``) through the same write path and gate as `urbankg load`: a problem is shown
at its file and line beside the text, and nothing is written to the store. Reopening a
paper's review reads its files again, so a review resumes where it was saved.

The folders are those of corpus/ (one per paper), so a team can keep them in git. Jobs live
in the server's memory: a restart forgets a job, not a draft already written.
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from urbankg import formats
from urbankg.errors import ClaimConflict, DiskFull, SourceError, UrbankgError
from urbankg.intake import AlreadyInGraph, Metadata, authors_from_lines, prepare, write_folder
from urbankg.intake_review import FULL_TEXT, DraftReview
from urbankg.server.auth import require_form_or_header_token
from urbankg.server.http_errors import HttpError
from urbankg.server.review_session import require_reviewer, require_reviewer_page, session_cookie, set_cookie
from urbankg.server.services import services

bp = Blueprint("intake", __name__, template_folder="templates")

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
PAPER_SUFFIXES = (".pdf", ".txt")
METADATA_SUFFIXES = tuple(s for f in (formats.BIBTEX, formats.CSL_JSON, formats.RIS) for s in f.suffixes)
SOURCES = ".sources"  # uploads, kept privately: never served
JOBS = "urbankg-intake-jobs"


@dataclass
class Job:
    id: str
    agent: str
    stage: str = "waiting"
    state: str = "running"  # running | done | failed
    slug: str | None = None
    message: str = ""
    notes: list[str] = field(default_factory=list)


def _jobs() -> dict[str, Job]:
    return current_app.extensions.setdefault(JOBS, {})


def annotations_folder() -> Path:
    folder = services().settings.annotations
    if folder is None:
        raise HttpError(
            503,
            "adding papers needs an annotations folder: start the server with URBANKG_ANNOTATIONS set "
            "(an embedded store has one beside it)",
        )
    return folder


@bp.get("/papers/new")
def new():
    return render_template("intake_new.html", error=None)


@bp.post("/papers/new")
def upload():
    agent = require_form_or_header_token("adding a paper")
    folder = annotations_folder()
    paper = request.files.get("paper")
    if paper is None or not paper.filename:
        return _form_error("choose the paper's file (a PDF, or its text as UTF-8 .txt)")
    paper_suffix = Path(paper.filename).suffix.lower()
    if paper_suffix not in PAPER_SUFFIXES:
        return _form_error(
            f"the paper is read from a PDF or a .txt file, not {paper_suffix or 'a file without suffix'}"
        )
    metadata = request.files.get("metadata")
    metadata_name = None
    if metadata is not None and metadata.filename:
        metadata_name = Path(metadata.filename).name
        if not metadata_name.lower().endswith(METADATA_SUFFIXES):
            return _form_error(
                f"the record is read from BibTeX (.bib), CSL-JSON (.csl.json) or RIS (.ris), not {metadata_name}"
            )
    slug = request.form.get("id", "").strip().removeprefix("work/") or None
    if slug is not None and not SLUG.match(slug):
        return _form_error(f"'{slug}' cannot be an id: write <author>-<year>, lowercase, e.g. lin-2019")
    typed = _typed_record()
    if isinstance(typed, str):
        return _form_error(typed)
    job = Job(uuid.uuid4().hex[:12], agent)
    sources = folder / SOURCES / job.id
    sources.mkdir(parents=True, exist_ok=True)
    paper_path = sources / f"paper{paper_suffix}"
    paper.save(paper_path)
    metadata_path = None
    if metadata is not None and metadata_name:
        metadata_path = sources / metadata_name
        metadata.save(metadata_path)
    _jobs()[job.id] = job
    store = services().kg.store
    thread = threading.Thread(
        target=_draft,
        args=(job, store, paper_path, metadata_path, typed, slug, folder),
        name=f"intake-{job.id}",
        daemon=True,
    )
    thread.start()
    response = redirect(url_for("intake.progress", job_id=job.id), code=303)
    made = session_cookie(request.form.get("token", "").strip())
    if made is not None:  # the token typed here opens the review too: no second sign-in
        set_cookie(response, made[1])
    return response


def _draft(
    job: Job, store, paper: Path, metadata: Path | None, typed: Metadata | None, slug: str | None, folder: Path
) -> None:
    def stage(text: str) -> None:
        job.stage = text

    try:
        draft = prepare(paper, store, metadata=metadata, typed=typed, slug=slug, stage=stage)
        target = folder / draft.slug
        if target.exists():
            raise UrbankgError(
                f"a draft of work/{draft.slug} is being reviewed already: open /papers/{draft.slug}/review, "
                "or give this paper another id"
            )
        write_folder(draft, target)
        kept = folder / SOURCES / draft.slug
        if kept.exists():
            shutil.rmtree(kept)
        paper.parent.rename(kept)  # the full text stays with the paper's draft, privately
        (kept / FULL_TEXT).write_text(draft.full_text, encoding="utf-8")  # the text quotes are checked against
        job.slug, job.notes = draft.slug, draft.notes
        job.message = f"{draft.references} references and {draft.found_citations} citations found" + (
            f"; {draft.unresolved} citation(s) to resolve by hand" if draft.unresolved else ""
        )
        job.state = "done"
    except (AlreadyInGraph, SourceError, UrbankgError) as error:
        job.message = str(error) if not isinstance(error, SourceError) else "; ".join(map(str, error.problems))
        job.state = "failed"
        shutil.rmtree(paper.parent, ignore_errors=True)
    except Exception as error:  # noqa: BLE001 (a failed draft is reported on its page, not lost in a thread)
        current = f"{type(error).__name__}: {error}"
        job.message = f"the draft could not be made ({current})"
        job.state = "failed"
        shutil.rmtree(paper.parent, ignore_errors=True)


@bp.get("/papers/new/<job_id>")
def progress(job_id: str):
    job = _jobs().get(job_id)
    if job is None:
        raise HttpError(404, "no such job: it ended before the server restarted, or was never started")
    if _wants_json():
        return jsonify(id=job.id, state=job.state, stage=job.stage, slug=job.slug, message=job.message, notes=job.notes)
    return render_template("intake_job.html", job=job)


@bp.get("/papers/<slug>/review/files")
def review(slug: str):
    files = draft_files(slug)
    require_reviewer_page()  # the files quote the paper: for writers only
    return render_template("intake_review.html", slug=slug, files=_texts(files), problems={}, notice=None, error=None)


@bp.post("/papers/<slug>/review/files")
def save(slug: str):
    files = draft_files(slug)
    agent = require_reviewer("saving a paper's review")
    edited = {}
    for path in files:
        text = request.form.get(path.name)
        if text is None:
            raise HttpError(400, f"the form lacks the field {path.name}: send every file of the draft")
        edited[path] = text.replace("\r\n", "\n")
    with DraftReview(files[0].parent, slug).locked():  # not while a step's change is being made
        for path, text in edited.items():
            path.write_text(text, encoding="utf-8")
    if request.form.get("action", "save") != "load":
        return _review_page(slug, files, notice="saved; load it when every problem is solved")
    write_path = services().writes
    try:
        report = services().updates.apply(
            lambda: write_path.load(files, agent, origin=lambda p: f"/papers/{slug}/review {p.name}")
        )
    except SourceError as exc:
        problems: dict[str, list[dict]] = {}
        for p in exc.problems:
            problems.setdefault(Path(p.file).name, []).append({"line": p.line, "message": p.message})
        return _review_page(
            slug, files, problems=problems, error=f"{len(exc.problems)} problem(s): nothing was loaded", status=400
        )
    except ClaimConflict as exc:
        return _review_page(slug, files, error=str(exc), status=409)
    except DiskFull as exc:
        raise HttpError(507, str(exc), headers={"Retry-After": "60"}, refusal="disk-full") from None
    return _review_page(
        slug,
        files,
        notice=f"loaded {report.triples} statements into {len(report.graphs)} graph(s)",
        loaded=f"/id/work/{slug}",
    )


def draft_files(slug: str) -> list[Path]:
    if not SLUG.match(slug):
        raise HttpError(404, f"no draft named {slug}")
    folder = annotations_folder() / slug
    # the record first: it is short, and what a reviewer checks first
    files = sorted(folder.glob("*.yaml"), key=lambda p: (p.name != f"{slug}.yaml", p.name)) if folder.is_dir() else []
    if not files:
        raise HttpError(404, f"no draft of work/{slug}: add it at /papers/new")
    return files


def _texts(files: list[Path]) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in files}


def _review_page(slug, files, *, problems=None, notice=None, error=None, loaded=None, status=200):
    page = render_template(
        "intake_review.html",
        slug=slug,
        files=_texts(files),
        problems=problems or {},
        notice=notice,
        error=error,
        loaded=loaded,
    )
    return page, status


def _typed_record() -> Metadata | None | str:
    """The record typed in the form (title, authors a line each as 'family, given', year, venue,
    DOI), None when nothing was typed, or what is wrong with it."""
    form = request.form
    title = " ".join(form.get("title", "").split())
    authors = authors_from_lines(form.get("authors", ""))
    year = form.get("year", "").strip()
    venue, doi = form.get("venue", "").strip(), form.get("doi", "").strip()
    if not (title or authors or year or venue or doi):
        return None
    if not title:
        return "type the paper's title with its record (or leave every field of the record empty)"
    if year and not (year.isdigit() and 1800 <= int(year) <= 2100):
        return f"'{year}' is not a year: write four digits, e.g. 2019"
    return Metadata(
        title=title, year=int(year) if year else None, authors=authors, doi=doi or None, venue=venue or None
    )


def _form_error(message: str):
    return render_template("intake_new.html", error=message), 400


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
