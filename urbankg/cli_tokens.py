"""`urbankg tokens`: create, list and revoke the named write tokens (one per writer).

The token file is ``--file``, else ``$URBANKG_TOKENS_FILE``, else ``tokens.json`` in the
embedded store's folder (``urbankg --store DIR``, ``$URBANKG_STORE``, the default store).
A running server reads the file again at its next write request, so there is nothing to
restart. The commands touch only the token file, never the store, so they work while
``urbankg serve`` holds the store. See urbankg.tokens for what the file keeps.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from urbankg import config
from urbankg.tokens import ENV, TokenError, TokenRegistry, default_file


def _file_option(command):
    return click.option(
        "--file",
        "tokens_file",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=ENV,
        help=f"The token file [default: ${ENV}, else tokens.json in the store's folder].",
    )(command)


def _registry(obj, tokens_file: Path | None) -> TokenRegistry:
    if tokens_file is not None:
        return TokenRegistry(tokens_file)
    if getattr(obj, "remote", None):
        raise click.UsageError(
            f"a remote store has no folder of urbankg's to keep tokens in: give --file PATH or set {ENV}, "
            "naming the file the server reads (its URBANKG_TOKENS_FILE)"
        )
    store_dir = getattr(obj, "store_dir", None) or config.default_store_dir()
    return TokenRegistry(default_file(store_dir))


def _fail(error: TokenError) -> NoReturn:
    raise click.ClickException(str(error)) from None


@click.group()
def tokens() -> None:
    """Named write tokens: one per writer, whose name each write records."""


@tokens.command()
@click.argument("name")
@_file_option
@click.pass_obj
def create(obj, name: str, tokens_file: Path | None) -> None:
    """Make a token for NAME and show it, once: only a digest of it is kept."""
    registry = _registry(obj, tokens_file)
    try:
        token = registry.create(name)
    except TokenError as error:
        _fail(error)
    click.echo(token)
    click.echo(
        f"This is {name}'s write token; it will not be shown again (only its digest is kept in "
        f"{registry.path}). Send it as 'Authorization: Bearer <token>' or as the password of HTTP "
        "Basic; a running server accepts it from its next request.",
        err=True,
    )


@tokens.command("list")
@_file_option
@click.pass_obj
def list_tokens(obj, tokens_file: Path | None) -> None:
    """The names that hold a token, with when each was made (the tokens themselves are not kept)."""
    registry = _registry(obj, tokens_file)
    try:
        names = registry.names()
    except TokenError as error:
        _fail(error)
    if not names:
        click.echo(f"No named tokens in {registry.path}. Make one with `urbankg tokens create NAME`.", err=True)
        return
    width = max(len(name) for name, _ in names)
    for name, created in names:
        click.echo(f"{name:<{width}}  {created}")


@tokens.command()
@click.argument("name")
@_file_option
@click.pass_obj
def revoke(obj, name: str, tokens_file: Path | None) -> None:
    """Remove NAME's token: a running server refuses it from its next request."""
    registry = _registry(obj, tokens_file)
    try:
        removed = registry.revoke(name)
    except TokenError as error:
        _fail(error)
    if not removed:
        raise click.ClickException(
            f"{registry.path} holds no token named {name!r}; `urbankg tokens list` shows the names that do"
        )
    click.echo(f"Revoked {name}'s token in {registry.path}.", err=True)


if __name__ == "__main__":  # `python -m urbankg.cli_tokens`, until `urbankg tokens` is registered
    tokens()
