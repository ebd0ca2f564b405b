"""The `urbankg` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from urbankg import __version__, config, store_access
from urbankg import search as search_module
from urbankg.errors import SourceError, StoreError, UrbankgError
from urbankg.graph import KnowledgeGraph, bundled_sources
from urbankg.results import RESULT_FORMATS, write_result


def _progress(description: str):
    def wrap(items):
        return tqdm(items, desc=description, unit="file", file=sys.stderr, disable=None)

    return wrap


class Context:
    """Opens the store lazily, so `--help` and `--version` never touch it.

    The store is the embedded one in ``store_dir``, or, given ``remote`` (the arguments of
    :class:`urbankg.sparql_store.SparqlStore`), a SPARQL 1.1 endpoint. Reading commands
    take :meth:`reader`, which opens the embedded store read-only beside a server that holds
    it (see :mod:`urbankg.store_access`); writing commands take :attr:`kg`, which opens it
    for writing.
    """

    def __init__(self, store_dir: Path | None, remote: dict | None = None):
        self.store_dir = store_dir or config.default_store_dir()
        self.remote = remote
        self._kg: KnowledgeGraph | None = None
        self.read_only = False

    @property
    def where(self) -> str:
        """The store in words: its directory or its endpoint."""
        return self.remote["query_endpoint"] if self.remote else str(self.store_dir)

    @property
    def kg(self) -> KnowledgeGraph:
        if self._kg is None:
            if self.remote:
                from urbankg.sparql_store import SparqlStore

                self._kg = KnowledgeGraph(SparqlStore(**self.remote))
            else:
                self._kg = KnowledgeGraph.open(self.store_dir)
        elif self.read_only:
            raise UrbankgError(store_access.held_message(self.store_dir, store_access.running_server(self.store_dir)))
        return self._kg

    def reader(self) -> KnowledgeGraph:
        """The store for a reading command, with the bundled data in it: the embedded store is
        opened read-only when a server or another process holds it (it then holds the bundled
        data already), and an empty one it can write gets the bundled data first, as
        `urbankg query` always did, so validate, stats and graphs judge and show the same store."""
        if self._kg is None and not self.remote:
            store, self.read_only = store_access.open_for_reading(self.store_dir)
            self._kg = KnowledgeGraph(store)
        self.ensure_bundled()
        return self._kg if self._kg is not None else self.kg

    def ensure_bundled(self) -> None:
        """The embedded default: an empty store gets the bundled ontology and corpus, once.
        A remote store is never written to unasked: `urbankg --endpoint URL load ...` fills it."""
        if self.remote or self.read_only or not self.kg.store.is_empty():
            return
        files = bundled_sources()
        click.echo(
            f"The store at {self.where} is empty: loading the bundled ontology and corpus ({len(files)} files) once.",
            err=True,
        )
        report = self.kg.ensure_bundled(_progress("loading"))
        if report is not None:
            click.echo(f"Loaded {report.triples} triples into {len(report.graphs)} graphs.", err=True)

    def server(self) -> store_access.RunningServer | None:
        """The server holding the embedded store, if one runs."""
        return None if self.remote else store_access.running_server(self.store_dir)

    def close(self) -> None:
        if self._kg is not None:
            self._kg.close()


class GlobalOptionsAnywhere(click.Group):
    """A group whose options (--store, --endpoint, ...) may also follow its subcommand:
    `urbankg graphs --store DIR` is read as `urbankg --store DIR graphs`.

    Before click parses the line, each of the group's options that comes after the subcommand
    is moved before it, unless the subcommand (or a group and command under it) has an option
    of that name itself (`restore --store` names the store to restore into), or it follows a
    `--`. Given twice, the one after the subcommand wins, as the last of an option does in click."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.hoisted(ctx, args))

    def hoisted(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = _option_names(self, with_value=True)
        position = 0
        while position < len(args):  # the group's own options, up to the subcommand
            word = args[position]
            if word == "--" or not word.startswith("-"):
                break
            position += 2 if word in takes_value else 1
        if position >= len(args) or args[position] == "--":
            return args
        own = _chain_option_names(ctx, self, args[position:])
        before, moved, after = args[:position], [], []
        rest = args[position:]
        index = 0
        while index < len(rest):
            word = rest[index]
            name = word.split("=", 1)[0]
            if word == "--":
                after += rest[index:]
                break
            if name in takes_value and name not in own:
                width = 1 if "=" in word else 2
                moved += rest[index : index + width]
                index += width
            else:
                after.append(word)
                index += 1
        return before + moved + after


def _option_names(command: click.Command, with_value: bool = False) -> set[str]:
    """The option names (--store, -h) of a command; with_value: only those that take a value."""
    return {
        name
        for param in command.params
        if isinstance(param, click.Option) and not (with_value and (param.is_flag or param.count))
        for name in (*param.opts, *param.secondary_opts)
    }


def _chain_option_names(ctx: click.Context, group: click.Group, words: list[str]) -> set[str]:
    """The option names of the subcommand that ``words`` start with, and of the commands under
    it when it is a group (followed by the words that are not options)."""
    names: set[str] = set()
    command: click.Command | None = group
    for word in words:
        if word.startswith("-"):
            continue
        command = command.get_command(ctx, word) if isinstance(command, click.Group) else None
        if command is None:
            break
        names |= _option_names(command)
    return names


@click.group(cls=GlobalOptionsAnywhere, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="urbankg")
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="URBANKG_STORE",
    help="Store directory (default: $URBANKG_STORE, else ~/.local/share/urbankg/store).",
)
@click.option(
    "--endpoint",
    envvar="URBANKG_ENDPOINT",
    metavar="URL",
    help="Use the SPARQL 1.1 store at this query endpoint instead of the embedded store, e.g. "
    "http://localhost:8890/sparql (Virtuoso) [$URBANKG_ENDPOINT]. See docs/scaling.md.",
)
@click.option(
    "--update-endpoint",
    envvar="URBANKG_UPDATE_ENDPOINT",
    metavar="URL",
    help="Where updates go (default: the query endpoint); Virtuoso: http://HOST:8890/sparql-auth "
    "[$URBANKG_UPDATE_ENDPOINT].",
)
@click.option("--user", envvar="URBANKG_ENDPOINT_USER", help="User name at the endpoint [$URBANKG_ENDPOINT_USER].")
@click.option(
    "--password",
    envvar="URBANKG_ENDPOINT_PASSWORD",
    help="Password at the endpoint; prefer $URBANKG_ENDPOINT_PASSWORD (a command line is visible to other users).",
)
@click.option(
    "--token",
    envvar="URBANKG_ENDPOINT_TOKEN",
    help="Bearer token for the endpoint, instead of a user and password [$URBANKG_ENDPOINT_TOKEN].",
)
@click.option(
    "--endpoint-timeout",
    type=float,
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds a query may run at the endpoint.",
)
@click.pass_context
def main(
    ctx: click.Context,
    store_dir: Path | None,
    endpoint: str | None,
    update_endpoint: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    endpoint_timeout: float,
) -> None:
    """urbankg: a knowledge graph of the urbanisation literature.

    The options below may also follow the command: urbankg graphs --store DIR."""
    remote = None
    if endpoint:
        if (user is None) != (password is None):
            raise click.UsageError("--user and --password go together")
        if token and user:
            raise click.UsageError("give --user/--password or --token, not both")
        remote = {
            "query_endpoint": endpoint,
            "update_endpoint": update_endpoint,
            "user": user,
            "password": password,
            "token": token,
            "timeout": endpoint_timeout,
        }
    elif update_endpoint or user or token:
        raise click.UsageError("--update-endpoint, --user, --password and --token need --endpoint")
    ctx.obj = Context(store_dir, remote)
    ctx.call_on_close(ctx.obj.close)


def _fail(error: UrbankgError) -> None:
    problems = error.problems if isinstance(error, (SourceError, store_access.ServerRefused)) else []
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s); nothing was written.", err=True)
    else:
        click.echo(f"error: {error}", err=True)
    sys.exit(1)


def _server_token(server: store_access.RunningServer, token_file: Path | None) -> str:
    """The write token for the server: --token-file, else $URBANKG_TOKEN; without one, what to do."""
    from urbankg.server.settings import read_token_file

    if token_file is not None:
        return read_token_file(token_file)
    token = os.environ.get("URBANKG_TOKEN")
    if not token and os.environ.get("URBANKG_TOKEN_FILE"):
        return read_token_file(Path(os.environ["URBANKG_TOKEN_FILE"]))
    if not token:
        raise UrbankgError(
            f"the server at {server.url} holds the store; set URBANKG_TOKEN to a write token "
            "(urbankg tokens create NAME) or stop the server"
        )
    return token


TOKEN_FILE_OPTION = click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="While `urbankg serve` holds the store, the write is sent to it with the token on this file's first "
    "line [default: $URBANKG_TOKEN, $URBANKG_TOKEN_FILE].",
)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace graphs another agent created (the bundled ontology and "
    "corpus, a colleague's file); without it such a load is refused.",
)
@click.option(
    "--graph",
    "graph",
    metavar="NAME",
    help="Load the one file given into this graph (a name, e.g. "
    "xintang-2024, or a graph IRI) instead of its file's name.",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="Trusted large dumps only: the store's bulk loader, no SHACL, not transactional (see docs).",
)
@TOKEN_FILE_OPTION
@click.pass_obj
def load(
    obj: Context, paths: tuple[Path, ...], replace: bool, graph: str | None, bulk: bool, token_file: Path | None
) -> None:
    """Validate files (or folders) and load each into its own named graph, all or nothing.

    Each write records who made it ($URBANKG_AGENT, else your login name; the token's name
    when sent to a server): `urbankg history` lists them."""
    from urbankg.graph import LoadReport, expand_paths
    from urbankg.write_path import WritePath

    server = obj.server()
    if bulk:
        if server is not None:
            _fail(
                UrbankgError(
                    f"the server at {server.url} holds the store, and a bulk load needs the store to "
                    "itself: stop the server, then load"
                )
            )
        for path in _progress("bulk loading")(list(paths)):
            try:
                iri = obj.kg.bulk_load(path)
            except UrbankgError as error:
                _fail(error)
            click.echo(f"{iri}\tbulk loaded")
        return
    try:
        if server is not None:
            client = store_access.ServerClient(server, _server_token(server, token_file))
            sent = client.load(expand_paths(paths), replace=replace, graph=graph)
            click.echo(f"Sent to the server at {server.url}; written as {sent.agent}.", err=True)
            report: store_access.ServerLoad | LoadReport = sent
        else:
            report = WritePath(obj.kg).load(
                paths, config.local_agent(), replace=replace, graph=graph, progress=_progress("validating")
            )
    except UrbankgError as error:
        _fail(error)
    for problem in report.warnings:
        click.echo(str(problem), err=True)
    for iri, count in report.graphs.items():
        click.echo(f"{iri}\t{count} triples")
    click.echo(f"Loaded {report.triples} triples into {len(report.graphs)} graph(s).", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def validate(obj: Context, paths: tuple[Path, ...]) -> None:
    """Check files against the shapes and the store; print FILE:LINE: message for each problem.

    Writes nothing of the files; an empty store gets the bundled data first, so a file that
    points at the corpus (place/jiangsu) is judged against it."""
    try:
        problems = obj.reader().validate(paths, _progress("validating"))
    except UrbankgError as error:
        _fail(error)
    for problem in problems:
        click.echo(str(problem), err=problem.severity == "error")
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        click.echo(f"{len(errors)} error(s).", err=True)
        sys.exit(1)
    click.echo("valid", err=True)


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True)
@click.pass_obj
def query(obj: Context, query: str, fmt: str) -> None:
    """Run a SPARQL query given inline or as a file (.rq)."""
    text = Path(query).read_text(encoding="utf-8") if Path(query).is_file() else query
    try:
        result = obj.reader().query(text)
        write_result(result, fmt, sys.stdout)
    except UrbankgError as error:
        _fail(error)


@main.command()
@click.pass_obj
def graphs(obj: Context) -> None:
    """List the named graphs with their size."""
    try:
        kg = obj.reader()
        stats = kg.stats()
        names = kg.graphs()
    except UrbankgError as error:
        _fail(error)
    for iri in names:
        click.echo(f"{iri}\t{stats.triples_per_graph.get(iri, 0)}")


@main.command()
@click.option("--top", default=15, show_default=True, help="How many classes and properties to show.")
@click.pass_obj
def stats(obj: Context, top: int) -> None:
    """Triples per graph, the most used classes and properties."""
    try:
        s = obj.reader().stats()
    except UrbankgError as error:
        _fail(error)
    click.echo(f"triples\t{s.triples}")
    click.echo(f"graphs\t{len(s.triples_per_graph) - 1}")
    click.echo("\n# triples per graph")
    for iri, count in sorted(s.triples_per_graph.items(), key=lambda kv: -kv[1]):
        click.echo(f"{count:>8}  {iri or '(default graph: catalogue)'}")
    click.echo(f"\n# classes ({len(s.classes)}), by instances")
    for iri, count in sorted(s.classes.items(), key=lambda kv: -kv[1])[:top]:
        click.echo(f"{count:>8}  {iri}")
    click.echo(f"\n# properties ({len(s.properties)}), by uses")
    for iri, count in sorted(s.properties.items(), key=lambda kv: -kv[1])[:top]:
        click.echo(f"{count:>8}  {iri}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads"]), default="trig", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout).")
@click.pass_obj
def export(obj: Context, fmt: str, output: Path | None) -> None:
    """Write every graph as TriG or N-Quads."""
    try:
        kg = obj.reader()
        if output:
            with output.open("wb") as stream:
                kg.export(stream, fmt)
        else:
            kg.export(sys.stdout.buffer, fmt)
    except UrbankgError as error:
        _fail(error)


@main.command()
@click.argument("graph")
@click.option(
    "--replace",
    is_flag=True,
    help="Remove a graph another agent created (the bundled data, a "
    "colleague's file); without it such a drop is refused.",
)
@TOKEN_FILE_OPTION
@click.pass_obj
def drop(obj: Context, graph: str, replace: bool, token_file: Path | None) -> None:
    """Remove one named graph (by IRI or source name)."""
    from urbankg.graph import resolve_graph
    from urbankg.write_path import WritePath

    server = obj.server()
    try:
        if server is not None:
            client = store_access.ServerClient(server, _server_token(server, token_file))
            dropped = client.drop(graph, replace=replace)
        else:
            dropped = WritePath(obj.kg).drop(
                resolve_graph(graph), config.local_agent(), origin="urbankg drop", replace=replace
            )
    except UrbankgError as error:
        _fail(error)
    if not dropped:
        click.echo(f"no graph named {graph}; `urbankg graphs` lists them", err=True)
        sys.exit(1)
    click.echo(f"dropped {graph}", err=True)


@main.command()
@click.argument("graph", required=False)
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show the N most recent writes only.")
@click.pass_obj
def history(obj: Context, graph: str | None, limit: int | None) -> None:
    """Who wrote what, newest first: time, agent, action, graph, origin, triples before -> after."""
    from urbankg.write_path import WritePath

    try:
        records = WritePath(obj.reader()).history(graph, limit)
    except UrbankgError as error:
        _fail(error)
    for record in records:
        click.echo(
            f"{record.time}\t{record.agent}\t{record.action}\t{record.graph}\t{record.origin}\t"
            f"{record.before} -> {record.after}"
        )
    if not records:
        click.echo(f"no writes recorded{f' for {graph}' if graph else ''}", err=True)


def _bar(unit: str):
    def bar(description: str, total: int):
        return tqdm(total=total, desc=description, unit=unit, unit_scale=True, file=sys.stderr, disable=None)

    return bar


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup(obj: Context, folder: Path) -> None:
    """Copy the store into FOLDER (new or empty), also while `urbankg serve` runs.

    Every quad as N-Quads, the token file, and a manifest of the quads per graph; the copy
    is the store as it was at one moment, every graph whole."""
    from urbankg.backup import backup as take_backup

    if obj.remote:
        _fail(
            UrbankgError(
                "backup copies the embedded store; a remote store has its own backups (Virtuoso: "
                "its checkpoint and backup functions), or take `urbankg export --format nquads`"
            )
        )
    try:
        manifest = take_backup(obj.store_dir, folder, _bar("quad"))
    except UrbankgError as error:
        _fail(error)
    click.echo(
        f"Backed up {manifest.quads} quads in {len(manifest.graphs) - 1} graphs and the catalogue to "
        f"{folder}{' (with the token file)' if manifest.has_tokens else ''}.",
        err=True,
    )


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--store",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    help="The store to restore into: a new or empty folder, or, with --replace, a store not in use "
    "[default: the store of `urbankg --store`].",
)
@click.option("--replace", is_flag=True, help="Replace a store that holds data.")
@click.pass_obj
def restore(obj: Context, folder: Path, target: Path | None, replace: bool) -> None:
    """Restore a backup (see `urbankg backup`) into a store no server holds.

    The dataset's checksum and every graph's count are checked against the manifest before
    the restored store is put in place; a failed restore leaves the store as it was."""
    from urbankg.backup import restore as restore_backup

    if obj.remote and target is None:
        _fail(UrbankgError("restore writes an embedded store: name it with --store DIR"))
    target = target or obj.store_dir
    try:
        manifest = restore_backup(folder, target, replace=replace, progress=_bar("B"))
    except UrbankgError as error:
        _fail(error)
    click.echo(
        f"Restored {manifest.quads} quads in {len(manifest.graphs) - 1} graphs (backup of "
        f"{manifest.created}) into {target}; every graph's count matches the manifest.",
        err=True,
    )


@main.command()
@click.option(
    "--write/--no-write", default=True, show_default=True, help="Write inferred class memberships into graph/inferred."
)
@click.pass_obj
def reason(obj: Context, write: bool) -> None:
    """Check ontology + data with HermiT; write inferred memberships to their own graph."""
    server = obj.server()
    if write and server is not None:
        _fail(
            UrbankgError(
                f"the server at {server.url} holds the store, and writing graph/inferred needs it: "
                "stop the server, or check consistency beside it with `urbankg reason --no-write`"
            )
        )
    try:
        kg = obj.reader()
        result = kg.reason(announce=lambda line: click.echo(line, err=True))
    except UrbankgError as error:
        _fail(error)
    click.echo(result.summary())
    if not result.consistent:
        sys.exit(1)
    if write:
        try:
            kg.write_inferred(result)
        except UrbankgError as error:
            _fail(error)
        click.echo(f"wrote {len(result.inferred)} triples to {config.INFERRED_GRAPH}", err=True)


@main.command()
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("ontology.html"), show_default=True
)
def docs(output: Path) -> None:
    """Build the HTML documentation of the ontology (pyLODE)."""
    from urbankg.ontology_docs import build_docs

    try:
        written = build_docs(config.ontology_file(), output)
    except UrbankgError as error:
        _fail(error)
    click.echo(f"wrote {written}", err=True)


@main.command()
@click.argument("kind", type=click.Choice(["case", "paper"]))
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: NAME.yaml in the current folder).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(kind: str, name: str, output: Path | None, force: bool) -> None:
    """Write a commented annotation template for a new case or paper to fill in."""
    from urbankg.templates import render_template, slug

    try:
        text = render_template(kind, name)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    output = output or Path(f"{slug(name)}.yaml")
    if output.exists() and not force:
        click.echo(f"error: {output} exists; choose another name with -o, or --force to overwrite", err=True)
        sys.exit(1)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}: fill it in, then `urbankg validate {output}`", err=True)


@main.command("queries")
@click.pass_obj
def list_queries(obj: Context) -> None:
    """List the canned theory-comparison queries and their parameters."""
    from urbankg.queries.catalogue import Catalogue

    for query in Catalogue().queries.values():
        params = " ".join(
            f"[--{p.name} {p.default}]" if p.default else f"--{p.name} VALUE" for p in query.parameters.values()
        )
        click.echo(f"{query.name}  {params}".rstrip())
        click.echo(f"    {query.title}: {' '.join(query.description.split())}")


class AskCommand(click.Command):
    """`ask`, whose help lists the parameters of the query it names, as the catalogue declares
    them: `urbankg ask case-evidence --help`. The name is noted before click parses the line,
    since --help answers as soon as click reads it."""

    METAVARS = {"iri": "ID", "string": "TEXT", "integer": "N", "decimal": "NUMBER", "year": "YEAR"}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = _option_names(self, with_value=True)
        words = iter(args)
        for word in words:
            if word in takes_value:
                next(words, None)
            elif not word.startswith("-"):
                ctx.meta["urbankg.ask.name"] = word
                break
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from urbankg.queries.catalogue import Catalogue

        super().format_epilog(ctx, formatter)
        queries = Catalogue().queries
        name = ctx.meta.get("urbankg.ask.name")
        formatter.write_paragraph()
        if name is None:
            formatter.write_text(
                f"Canned queries: {', '.join(queries)}. `urbankg ask NAME --help` lists the parameters of one; "
                "`urbankg queries` describes them all."
            )
            return
        query = queries.get(name)
        if query is None:
            formatter.write_text(f"There is no canned query named {name!r}: it is one of {', '.join(queries)}.")
            return
        formatter.write_text(f"{name}: {query.title}. {' '.join(query.description.split())}")
        rows = []
        for parameter in query.parameters.values():
            metavar = "|".join(parameter.allowed) if parameter.allowed else self.METAVARS.get(parameter.type, "VALUE")
            default = f"[default: {parameter.default}]" if parameter.default is not None else "[required]"
            what = f"{parameter.description}: " if parameter.description else ""
            rows.append((f"--{parameter.name} {metavar}", f"{what}{parameter.accepts()} {default}"))
        with formatter.section(f"Parameters of {name}"):
            if rows:
                formatter.write_dl(rows)
            else:
                formatter.write_text("none")


@main.command(cls=AskCommand, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True)
@click.pass_context
def ask(ctx: click.Context, name: str, fmt: str) -> None:
    """Run a canned query: urbankg ask NAME --param value ... (its parameters: urbankg ask NAME --help)"""
    from urbankg.queries.catalogue import Catalogue

    obj: Context = ctx.obj
    params: dict[str, str] = {}
    args = list(ctx.args)
    while args:
        key = args.pop(0)
        if not key.startswith("--") or not args:
            click.echo(f"error: expected --parameter value pairs, got {key!r}", err=True)
            sys.exit(2)
        params[key[2:].replace("-", "_")] = args.pop(0)
    try:
        result = Catalogue().run(obj.reader(), name, params)
        write_result(result, fmt, sys.stdout)
    except UrbankgError as error:
        _fail(error)


SEARCH_LABEL_WIDTH = 120  # characters of a label printed: a claim's statement can run to a paragraph


@main.command()
@click.argument("text")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(search_module.KINDS),
    help="Only hits of this kind (repeatable); all kinds by default.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=search_module.DEFAULT_LIMIT, show_default=True, help="Hits shown."
)
@click.pass_obj
def search(obj: Context, text: str, kinds: tuple[str, ...], limit: int) -> None:
    """Find the ids of concepts, frameworks, cases, places, works, people and claims by their
    labels, alternative labels, titles, names or statements, best first: one line each, id,
    kind and label (the alternative label that matched in parentheses). Case, accents and
    -isation/-ization do not matter: urbankg search "in-situ urbanisation"."""
    if not search_module.cleaned(text):
        raise click.BadParameter(f"give at least {search_module.MIN_LENGTH} characters to find", param_hint="TEXT")
    try:
        hits = search_module.search(obj.reader().store, text, kinds, limit)
    except UrbankgError as error:
        _fail(error)
    if not hits:
        click.echo(f"Nothing in {obj.where} is called {text!r}: try a shorter part of a word.", err=True)
    for hit in hits:
        label = hit.label if len(hit.label) <= SEARCH_LABEL_WIDTH else hit.label[: SEARCH_LABEL_WIDTH - 1] + "…"
        matched = f" ({hit.matched})" if hit.matched != hit.label else ""
        click.echo(f"{hit.id}\t{hit.kind}\t{label}{matched}")


@main.command("verify-quotes")
@click.option(
    "--source",
    "sources",
    multiple=True,
    required=True,
    metavar="PAPER_ID=PATH",
    help="The full text of a paper, e.g. lin-2019=papers/lin-2019.txt (repeatable).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list the quotes that were found.")
@click.pass_obj
def verify_quotes(obj: Context, sources: tuple[str, ...], show_all: bool) -> None:
    """Report every quote that does not occur in its paper's full text."""
    from urbankg.quotes import check_quotes, work_iri

    texts = {}
    for item in sources:
        paper, sep, path = item.partition("=")
        if not sep or not Path(path).is_file():
            click.echo(f"error: --source {item!r}: expected PAPER_ID=PATH to an existing text file", err=True)
            sys.exit(2)
        texts[work_iri(paper)] = Path(path)
    try:
        checks = check_quotes(obj.reader(), texts)
    except UrbankgError as error:
        _fail(error)
    checked = [c for c in checks if c.found is not None]
    missing = [c for c in checked if not c.found]
    for check in checked if show_all else missing:
        status = "found  " if check.found else "MISSING"
        click.echo(f"{status} {check.quote}\t{check.exact[:100]!r}")
    unchecked = len(checks) - len(checked)
    click.echo(
        f"{len(checked) - len(missing)} of {len(checked)} quotes found in the given texts"
        f"{f'; {unchecked} quotes of other sources not checked' if unchecked else ''}.",
        err=True,
    )
    sys.exit(1 if missing else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--workers", type=int, help="Query processes, each able to run one query [default: $URBANKG_WORKERS or 2]."
)
@click.option(
    "--threads",
    type=int,
    help="Threads of the WSGI server [default: workers x 2 + 4, so /health and "
    "the UI answer while every query process is busy].",
)
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="File whose first line is the write token [default: $URBANKG_TOKEN, $URBANKG_TOKEN_FILE; none: read-only].",
)
@click.option("--query-timeout", type=float, help="Seconds a query may run [default: $URBANKG_QUERY_TIMEOUT or 30].")
@click.option("--max-rows", type=int, help="Rows a result may hold [default: $URBANKG_MAX_ROWS or 10000].")
@click.pass_obj
def serve(
    obj: Context,
    host: str,
    port: int,
    workers: int | None,
    threads: int | None,
    token_file: Path | None,
    query_timeout: float | None,
    max_rows: int | None,
) -> None:
    """Serve the SPARQL endpoint, Graph Store and web UI over HTTP (waitress, a production WSGI server).

    Limits, CORS and the SERVICE allow-list come from URBANKG_* variables: see `urbankg.server.settings`.
    """
    import signal

    from waitress.server import MultiSocketServer, create_server

    from urbankg.server.app import create_app
    from urbankg.server.services import services
    from urbankg.server.settings import Settings

    try:
        settings = Settings.from_env(
            workers=workers, token_file=token_file, query_timeout=query_timeout, max_rows=max_rows
        )
        obj.ensure_bundled()  # opens the store for writing: a server that runs on it holds it
    except UrbankgError as error:
        running = obj.server()
        if running is not None and isinstance(error, StoreError) and store_access.held_by_another_process(error):
            error = UrbankgError(
                f"urbankg serve already runs on the store {obj.where} at {running.url} "
                f"(pid {running.pid}); stop it first, or serve another --store"
            )
        _fail(error)
    app = create_app(obj.kg, settings)
    threads = threads or settings.workers * 2 + 4
    try:
        server = create_server(
            app, host=host, port=port, threads=threads, ident="urbankg", max_request_body_size=settings.max_body + 1024
        )
    except OSError as error:
        services(app).close()
        _fail(UrbankgError(f"cannot listen on {host}:{port}: {error.strerror or error}"))
    # The address it listens on (port 0: the one the system chose), as a client here reaches it.
    if isinstance(server, MultiSocketServer):  # a name with several addresses: the first one
        listening, port = server.effective_listen[0]
    else:
        assert server.socket is not None  # bound by create_server
        listening, port = server.socket.getsockname()[:2]
    url = store_access.reachable_url(listening, port)
    mode = (
        "read-only until a write token exists: urbankg tokens create NAME"
        if services(app).settings.read_only
        else "writes need a token"
    )
    click.echo(
        f"urbankg {__version__} serving {obj.where} on {url}/sparql "
        f"({settings.workers} query processes, {threads} threads, {mode})",
        err=True,
    )
    # SIGTERM (systemd, docker stop) ends the server like Ctrl-C: query processes and snapshots go with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if not obj.remote:
            # Other urbankg commands on this store read beside the server and send it their writes.
            store_access.announce(obj.store_dir, url)
        server.run()
    finally:
        if not obj.remote:
            store_access.withdraw(obj.store_dir)
        server.close()
        services(app).close()


def _register_commands_defined_elsewhere() -> None:
    # The extractor lives with the other loaders, the token commands with the tokens.
    from urbankg.cli_add import add
    from urbankg.cli_identities import identities
    from urbankg.cli_tokens import tokens
    from urbankg.loaders.extraction.fulltext_cli import extract

    main.add_command(extract)
    main.add_command(tokens)
    main.add_command(identities)
    main.add_command(add)


_register_commands_defined_elsewhere()

if __name__ == "__main__":
    main()
