"""`urbankg identities`: the pairs of works and people loads could not decide, and the
reviewer's commands on them (list, accept, reject, merge, apply).

Loads merge only what the matcher is sure of (urbankg.identity.resolution); the rest is
listed here as ``possible``. ``accept`` merges a pair (one IRI from then on, in every
graph), ``reject`` marks it distinct (and undoes a merge exactly), ``merge A B`` merges two
IRIs nobody listed, ``apply FILE`` applies a file of reviewed decisions. Every decision is
recorded with its evidence and who made it (graph/identities; the history). Beside a
running server, accept and reject are sent to it (with the write token); the web page
/identities offers the same.
"""

from __future__ import annotations

from pathlib import Path

import click
import pyoxigraph as ox

from urbankg import config
from urbankg.errors import UrbankgError
from urbankg.identity.decisions import STATUSES, Decision
from urbankg.identity.resolution import query_text
from urbankg.store import solutions


def _short(iri: str) -> str:
    return iri[len(config.ID_BASE) :] if iri.startswith(config.ID_BASE) else iri


def _label(kg, iri: str) -> str:
    rows = list(solutions(kg.query(query_text("label"), substitutions={"iri": ox.NamedNode(iri)})))
    return rows[0]["label"].value if rows else ""


def _said(decision: Decision) -> str:
    return f"{decision.key}  {decision.status}: {_short(decision.alias)} -> {_short(decision.canonical)}"


@click.group(invoke_without_command=True)
@click.option("--status", type=click.Choice([*STATUSES, "all"]), default="possible", show_default=True)
@click.option("--kind", type=click.Choice(["work", "person", "all"]), default="all", show_default=True)
@click.pass_context
def identities(ctx, status: str, kind: str) -> None:
    """List identity decisions (by default the pairs waiting for review)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_decisions, status=status, kind=kind)


@identities.command("list")
@click.option("--status", type=click.Choice([*STATUSES, "all"]), default="possible", show_default=True)
@click.option("--kind", type=click.Choice(["work", "person", "all"]), default="all", show_default=True)
@click.pass_obj
def list_decisions(obj, status: str, kind: str) -> None:
    """List identity decisions: id, kind, status, score, the pair (with names), evidence, who."""
    from urbankg.write_path import WritePath

    kg = obj.reader()
    shown = [
        d
        for d in WritePath(kg).identities()
        if (status == "all" or d.status == status) and (kind == "all" or d.kind == kind)
    ]
    for d in shown:
        click.echo(f"{d.key}  {d.kind:<6}  {d.status:<8}  {d.score:.2f}  by {d.agent} at {d.time}")
        for iri in (d.alias, d.canonical):
            label = _label(kg, iri)
            click.echo(f"    {_short(iri)}" + (f"  ({label})" if label else ""))
        click.echo(f"    evidence: {d.evidence}")
    click.echo(f"{len(shown)} decision(s)" + (f" {status}" if status != "all" else ""), err=True)


def _write(obj, token_file: Path | None, local, remote) -> Decision | dict:
    from urbankg.cli import _fail, _server_token
    from urbankg.store_access import ServerClient

    server = obj.server()
    try:
        if server is not None:
            return remote(ServerClient(server, _server_token(server, token_file)))
        return local()
    except UrbankgError as error:
        _fail(error)
        raise  # _fail exits


_token_option = click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The write token for a server that holds the store (else $URBANKG_TOKEN).",
)


@identities.command()
@click.argument("key")
@click.option("--keep", help="Which IRI of the pair the merge keeps (default: one an annotator wrote).")
@click.option("--evidence", default="", help="Why they are one (recorded with the decision).")
@_token_option
@click.pass_obj
def accept(obj, key: str, keep: str | None, evidence: str, token_file: Path | None) -> None:
    """Merge a listed pair: one IRI from now on, in every graph."""
    from urbankg.write_path import WritePath

    keep_iri = config.id_iri(keep) if keep else None
    done = _write(
        obj,
        token_file,
        lambda: WritePath(obj.kg).decide_identity(key, True, config.local_agent(), evidence=evidence, keep=keep_iri),
        lambda client: client.decide_identity(key, True, evidence, keep_iri),
    )
    click.echo(_said(done) if isinstance(done, Decision) else f"{key}  {done.get('status')}")


@identities.command()
@click.argument("key")
@click.option("--evidence", default="", help="Why they are two (recorded with the decision).")
@_token_option
@click.pass_obj
def reject(obj, key: str, evidence: str, token_file: Path | None) -> None:
    """Mark a pair as two works or people; a merge is undone, every graph as it was."""
    from urbankg.write_path import WritePath

    done = _write(
        obj,
        token_file,
        lambda: WritePath(obj.kg).decide_identity(key, False, config.local_agent(), evidence=evidence),
        lambda client: client.decide_identity(key, False, evidence, None),
    )
    click.echo(_said(done) if isinstance(done, Decision) else f"{key}  {done.get('status')}")


@identities.command()
@click.argument("alias")
@click.argument("canonical")
@click.option("--evidence", required=True, help="Why they are one (recorded with the decision).")
@click.pass_obj
def merge(obj, alias: str, canonical: str, evidence: str) -> None:
    """Merge ALIAS into CANONICAL (ids like work/chen-2017 or full IRIs), listed or not."""
    from urbankg.write_path import WritePath

    done = _write(
        obj,
        None,
        lambda: WritePath(obj.kg).merge_identities(
            config.id_iri(alias), config.id_iri(canonical), config.local_agent(), evidence=evidence
        ),
        _no_server("merge"),
    )
    click.echo(_said(done) if isinstance(done, Decision) else str(done))


@identities.command()
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_obj
def apply(obj, path: Path) -> None:
    """Apply a file of reviewed decisions (see corpus/identity-reviews.yaml)."""
    from urbankg.write_path import WritePath

    done = _write(obj, None, lambda: WritePath(obj.kg).apply_reviews(path, config.local_agent()), _no_server("apply"))
    for decision in done if isinstance(done, list) else []:
        click.echo(_said(decision))


def _no_server(command: str):
    def refuse(client):
        raise UrbankgError(
            f"a server holds the store: `urbankg identities {command}` needs it stopped "
            "(accept and reject also work beside it, and on its page /identities)"
        )

    return refuse
