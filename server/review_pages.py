"""The guided review of a paper's draft, one screen per step (issue 18, item 2).

``/papers/<slug>/review`` lists the steps with what each holds and what waits; each step
shows the draft's entities as forms, and each form saves one change to the draft's files at
once (urbankg.intake_review), so a review is never lost and reopening it resumes from the
files:

- ``record``: title, year, DOI and authors;
- ``references``: each entry beside its fields, editable; merge an entry with the next one,
  or split it where a second entry begins;
- ``citations``: each citation in its sentence, the entries it resolves to (changeable), the
  intent of each cited work (with a gloss of each choice), the concepts suggested with their
  scores (accept, reject), another concept found by search, or a new concept defined;
- ``claims`` and ``facts``: the paper's text, in which the reviewer selects the words a claim
  rests on, or the number a fact reports; the selection becomes the quote;
- ``cases``: attach the paper to a case of the graph, or create one.

A change that adds an entity (a fact, a claim, a concept, a case) is checked with the gate
first: a problem of the new entity is shown beside its field and nothing is written.
``load`` runs `urbankg load`'s write path on the folder; its problems are listed by step,
entity and field, each linking to the step where it is mended. The pages need the reviewer's
session (server/review_session.py) or a token: they show the paper's full text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from ruamel.yaml import YAML

from urbankg import config
from urbankg.errors import ClaimConflict, DiskFull, SourceError
from urbankg.intake import authors_from_lines
from urbankg.intake_review import STANCES, DraftReview, Located, ReviewError, full_text_of, locate
from urbankg.loaders.annotation_mapping import load_mapping
from urbankg.server.http_errors import HttpError
from urbankg.server.intake_page import annotations_folder, draft_files
from urbankg.server.review_session import require_reviewer, require_reviewer_page, session_cookie, set_cookie
from urbankg.server.services import services
from urbankg.server.ui_data import rows
from urbankg.server.ui_display import text

bp = Blueprint("review", __name__, template_folder="templates")

STEPS = (
    ("record", "The record"),
    ("references", "References"),
    ("citations", "Citations"),
    ("claims", "Claims"),
    ("facts", "Facts"),
    ("cases", "Cases"),
)
# Which step mends an entity, by the kind of its id.
STEP_OF_KIND = {
    "person": "record",
    "venue": "record",
    "reference": "references",
    "citation": "citations",
    "concept": "citations",
    "claim": "claims",
    "observation": "facts",
    "measure": "facts",
    "case": "cases",
    "place": "cases",
}


# The form field that sets a key of the files, where their names differ.
FIELD_OF_KEY = {"concepts": "concept", "supports": "target", "challenges": "target", "qualifies": "target"}


@bp.app_template_filter("highlight")
def highlight(sentence: str, marker: str) -> Markup:
    """The sentence, escaped, with the citation marked where it stands."""
    before, found, after = str(sentence).partition(str(marker))
    if not found:
        return escape(sentence)
    return escape(before) + Markup("<mark>") + escape(found) + Markup("</mark>") + escape(after)


@cache
def intent_glosses() -> dict[str, str]:
    text = resources.files("urbankg.ontology").joinpath("intent-glosses.yaml").read_text(encoding="utf-8")
    return dict(YAML(typ="safe").load(text))


def units() -> list[str]:
    return list(load_mapping().vocabularies["unit"])


def step_of(slug: str, item: str | None) -> str:
    if not item:
        return "record"
    if item == f"work/{slug}":
        return "record"
    kind = item.split("/", 1)[0]
    return STEP_OF_KIND.get(kind, "references" if kind == "work" else "record")


# -- the session -----------------------------------------------------------------------


@bp.post("/papers/review/session")
def sign_in():
    target = request.form.get("next", "/papers/new")
    if not target.startswith("/papers/") or "//" in target:
        target = "/papers/new"  # only a page of this server's reviews: no open redirect
    made = session_cookie(request.form.get("token", "").strip())
    if made is None:
        return render_template(
            "review_sign_in.html", target=target, error="that is not a write token of this server"
        ), 401
    response = make_response(redirect(target, code=303))
    set_cookie(response, made[1])
    return response


def _open(slug: str, action: str = "reviewing a paper"):
    """The draft, with the reviewer's name; a sign-in page (401) for a reader without one."""
    files = draft_files(slug)  # 404 for no such draft, before anything else
    agent = require_reviewer(action) if request.method == "POST" else require_reviewer_page()
    folder = annotations_folder()
    return DraftReview(folder / slug, slug, full_text_of(folder, slug)), files, agent


def _back(slug: str, step: str, anchor: str = "", **args):
    return redirect(url_for("review.step", slug=slug, step=step, **args) + (f"#{anchor}" if anchor else ""), code=303)


# -- the overview and the load -------------------------------------------------------


@bp.get("/papers/<slug>/review")
def overview(slug: str):
    review, _files, agent = _open(slug)
    return render_template("review_overview.html", **_overview(review), agent=agent, problems=None, notice=None)


def _overview(review: DraftReview) -> dict:
    citations = review.citations()
    acts = [act for c in citations for act in review.acts(c["id"])]
    counts = {
        "record": review.record().get("title", ""),
        "references": f"{len(review.references())} entries",
        "citations": f"{len(citations)} citations; {sum(1 for a in acts if a.suggested_intent)} intents and "
        f"{sum(len(a.suggestions) for a in acts)} concepts suggested, waiting for review",
        "claims": f"{len(review._section(review.record_name, 'claims'))} claims",
        "facts": f"{len(review._section(review.cases_name, 'observations'))} facts",
        "cases": f"{len(review._section(review.cases_name, 'cases'))} cases created; "
        f"{len(review.record().get('studies') or [])} attached",
    }
    return {"slug": review.slug, "steps": STEPS, "titles": dict(STEPS), "counts": counts}


@bp.post("/papers/<slug>/review/load")
def load(slug: str):
    review, files, agent = _open(slug, "loading a reviewed paper")
    with review.locked():
        return _load(review, files, agent)


def _load(review: DraftReview, files: list, agent: str):
    slug = review.slug
    write_path = services().writes
    try:
        report = services().updates.apply(
            lambda: write_path.load(files, agent, origin=lambda p: f"/papers/{slug}/review {p.name}")
        )
    except SourceError as exc:
        texts = {p.name: p.read_text(encoding="utf-8") for p in files}
        problems = _by_step(slug, locate(exc.problems, texts))
        page = render_template("review_overview.html", **_overview(review), agent=agent, problems=problems, notice=None)
        return page, 400
    except ClaimConflict as exc:
        raise HttpError(409, str(exc)) from None
    except DiskFull as exc:
        raise HttpError(507, str(exc), headers={"Retry-After": "60"}, refusal="disk-full") from None
    notice = f"loaded {report.triples} statements into {len(report.graphs)} graph(s)"
    return render_template(
        "review_overview.html",
        **_overview(review),
        agent=agent,
        problems=None,
        notice=notice,
        loaded=f"/id/work/{slug}",
    )


def _by_step(slug: str, problems: list[Located]) -> dict[str, list[Located]]:
    out: dict[str, list[Located]] = defaultdict(list)
    for p in problems:
        if p.severity == "error":
            out[step_of(slug, p.item)].append(p)
    return dict(out)


# -- the steps -------------------------------------------------------------------------


@bp.get("/papers/<slug>/review/<step>")
def step(slug: str, step: str):
    if step not in dict(STEPS):
        raise HttpError(404, f"no review step {step}: the steps are {', '.join(dict(STEPS))}")
    review, _files, agent = _open(slug)
    checked: defaultdict[str, dict[str, str]] = defaultdict(dict)
    if request.args.get("check"):
        for p in review.trial(services().kg):
            if p.severity == "error" and p.item:
                checked[p.item][(p.field or "").split(".")[0]] = p.message
    return _render_step(review, step, agent, checked=checked)


def _render_step(review: DraftReview, step: str, agent: str, *, status: int = 200, **extra):
    context: dict[str, Any] = {
        "slug": review.slug,
        "steps": STEPS,
        "step": step,
        "agent": agent,
        "checked": {},
        "errors": {},
        "form": {},
        "notice": request.args.get("notice"),
    }
    context.update(extra)
    if step == "record":
        # the load's problems of the record, at their fields (the form's names are the keys)
        context["errors"] = {**context["checked"].get(f"work/{review.slug}", {}), **context["errors"]}
        work = review.record()
        people = review.people()
        context["work"] = work
        context["authors"] = [people.get(a, {"id": a}) for a in work.get("authors") or []]
    elif step == "references":
        context["references"] = review.references()
        context["works"] = review.works()
    elif step == "citations":
        context["citations"] = [(c, review.acts(c["id"])) for c in review.citations()]
        context["references"] = review.references()
        context["glosses"] = intent_glosses()
        context["labels"] = _labels(review)
    elif step in ("claims", "facts", "cases"):
        context["paragraphs"] = _paragraphs(review)
        context["claims"] = review._section(review.record_name, "claims")
        context["observations"] = review._section(review.cases_name, "observations")
        context["cases"] = review._section(review.cases_name, "cases")
        context["studies"] = review.record().get("studies") or []
        context["stances"] = STANCES
        context["units"] = units()
        context["measures"] = [
            (text(r["measure"]).removeprefix(config.ID_BASE), text(r["label"])) for r in rows("measure-list")
        ]
        context["works"] = review.works()
    return render_template(f"review_{step}.html", **context), status


def _labels(review: DraftReview) -> dict[str, str]:
    """Labels of the concepts named in the draft's acts (the ontology's, the draft's own)."""
    labels = {c["id"]: str(c["label"]) for c in review._section(review.record_name, "concepts")}
    graph_rows = rows("concept-labels")
    for r in graph_rows:
        labels.setdefault(text(r["concept"]).removeprefix(config.ID_BASE), text(r["label"]))
    return labels


def _paragraphs(review: DraftReview) -> list[list[str]]:
    """The paper's body as paragraphs of sentences, as the extractor split them."""
    from urbankg.loaders.extraction.fulltext import analyse

    path = review.full_text
    if path is None or not path.exists():
        return []
    doc = analyse(path, text=path.read_text(encoding="utf-8"), progress=False)
    paragraphs: list[list[str]] = [[]]
    end = 0
    for a, b in doc.sentences:
        if "\n\n" in doc.text[end:a] and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(" ".join(doc.text[a:b].split()))
        end = b
    return [p for p in paragraphs if p]


@bp.post("/papers/<slug>/review/<step>")
def change(slug: str, step: str):
    if step not in dict(STEPS):
        raise HttpError(404, f"no review step {step}")
    review, _files, agent = _open(slug, "saving a paper's review")
    with review.locked():
        return _change(review, step, agent)


def _change(review: DraftReview, step: str, agent: str):
    slug = review.slug
    form = request.form
    action = form.get("action", "")
    try:
        if step == "record":
            year = form.get("year", "").strip()
            if year and not re.fullmatch(r"\d{4}", year):
                raise ReviewError("year", f"'{year}' is not a year: write four digits, e.g. 2019")
            review.set_metadata(
                title=form.get("title", ""),
                year=int(year) if year else None,
                doi=form.get("doi", ""),
                authors=authors_from_lines(form.get("authors", "")),
            )
            review.save()
            return _back(slug, step, notice="the record is saved")
        if step == "references":
            ref = form.get("reference", "")
            if action == "merge":
                review.merge_references(ref)
            elif action == "split":
                ref = review.split_reference(ref, form.get("at", ""))
            else:
                fields = {k: form.get(k, "") for k in ("title", "year", "container", "volume", "issue", "pages", "doi")}
                review.set_reference(ref, form.get("text", ""), fields)
            review.save()
            return _back(slug, step, anchor=ref)
        if step == "citations":
            return _change_citation(review, agent, action)
        if step == "claims":
            stance = form.get("stance", "")
            about = [a for a in form.getlist("about") if a]
            new = review.add_claim(
                statement=form.get("statement", ""),
                quote=form.get("quote", ""),
                stance=stance,
                target=_id(form.get("target", "")),
                about=[_id(a) for a in about],
            )
            return _checked_save(review, step, agent, new)
        if step == "facts":
            new = review.add_observation(
                measure=form.get("measure", ""),
                new_measure=form.get("new_measure", ""),
                value=form.get("value", ""),
                unit=form.get("unit", ""),
                period=form.get("period", ""),
                period_end=form.get("period_end", ""),
                place=_id(form.get("place", "")),
                case=_id(form.get("case", "")),
                original_source=form.get("original_source", ""),
                qualifier=form.get("qualifier", ""),
                quote=form.get("quote", ""),
            )
            return _checked_save(review, step, agent, new)
        if step == "cases":
            if action == "attach":
                case = _id(form.get("case", ""))
                if not case.startswith("case/"):
                    raise ReviewError("case", "choose a case of the graph (search by its name)")
                review.attach_case(case)
                return _checked_save(review, step, agent, f"work/{slug}")
            new = review.create_case(
                label=form.get("label", ""),
                place=_id(form.get("place", "")),
                new_place=form.get("new_place", ""),
                case_of=_id(form.get("case_of", "")),
                quote=form.get("quote", ""),
            )
            return _checked_save(review, step, agent, new)
    except ReviewError as error:
        return _render_step(review, step, agent, status=400, errors={error.field: str(error)}, form=form)
    raise HttpError(400, f"no such change: {action}")


def _id(value: str) -> str:
    """An id as the search box fills it in: `concept/x`, or a full IRI of the graph."""
    return value.strip().removeprefix(config.ID_BASE)


def _change_citation(review: DraftReview, agent: str, action: str):
    form = request.form
    citation, work = form.get("citation", ""), form.get("work", "")
    if action == "denotes":
        review.set_denotes(citation, form.getlist("denotes"))
    elif action == "intent":
        review.set_intent(citation, work, [i for i in form.getlist("intent") if i])
    elif action == "accept":
        concept = _id(form.get("concept", ""))
        if not re.fullmatch(r"(concept|framework)/[\w.-]+", concept):
            raise ReviewError("concept", "choose a concept or a framework (search by its label)")
        review.accept_concept(citation, work, concept)
        if form.get("searched"):  # a concept found by search must be one the graph knows
            return _checked_save(review, "citations", agent, citation, anchor=citation)
    elif action == "reject":
        review.reject_concept(citation, work, _id(form.get("concept", "")))
    elif action == "define":
        broader = _id(form.get("broader", ""))
        schemes = (
            [text(r["scheme"]).removeprefix(config.ID_BASE) for r in rows("concept-schemes", config.ID_BASE + broader)]
            if broader
            else []
        )
        concept = review.define_concept(
            label=form.get("label", ""),
            definition=form.get("definition", ""),
            broader=broader,
            schemes=schemes,
            quote=form.get("quote", ""),
        )
        review.accept_concept(citation, work, concept)
        return _checked_save(review, "citations", agent, concept, anchor=citation)
    else:
        raise HttpError(400, f"no such change: {action}")
    review.save()
    return _back(review.slug, "citations", anchor=citation)


def _checked_save(review: DraftReview, step: str, agent: str, item: str, anchor: str = ""):
    """Save a change that made ``item`` unless the gate finds a problem in it; the problem
    is shown beside its field, and nothing is written."""
    problems = [p for p in review.trial(services().kg) if p.severity == "error" and p.item == item]
    if problems:
        # a key of the files, named as the form's field that sets it
        errors = {
            # the field is the entity's: its id before the message is not repeated
            FIELD_OF_KEY.get(key, key): p.message.removeprefix(f"{item}: ")
            for p in problems
            for key in [(p.field or "form").split(".")[-1]]
        }
        return _render_step(
            DraftReview(review.folder, review.slug, review.full_text),  # the files as they are
            step,
            agent,
            status=400,
            errors=errors,
            form=request.form,
        )
    review.save()
    return _back(review.slug, step, anchor=anchor or item, notice=f"added {item}")
