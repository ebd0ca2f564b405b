"""Lay out the import package `urbankg` as it is installed, as a tree of links, for mypy and import-linter.

The top-level folders server/, loaders/, ontology/, queries/ and corpus/ are installed as
subpackages of urbankg ([tool.setuptools.package-dir] in pyproject.toml). An editable install
reaches them through an import hook, which neither mypy nor import-linter (grimp walks folders)
follows: they would see `urbankg` without its server and loaders. This writes
build/layout/urbankg/, whose Python files are links to the source files, so both tools read the files
you edit and report on the package as Python imports it.

Costs a few milliseconds; safe to run while another run reads the tree (it only adds missing
links and removes links to files that are gone). Prints the folder to put on the path.
"""

from __future__ import annotations

import contextlib
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = ROOT / "build" / "layout"


def package_dirs() -> dict[str, Path]:
    """Each installed package name and the source folder it comes from, as pyproject.toml maps them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {name: ROOT / folder for name, folder in config["tool"]["setuptools"]["package-dir"].items()}


def wanted_links() -> dict[Path, Path]:
    """Each Python file of the installed package, relative to the layout, and the source file it is."""
    links: dict[Path, Path] = {}
    for name, folder in package_dirs().items():
        package = Path(*name.split("."))
        for source in folder.rglob("*.py"):
            relative = source.relative_to(folder)
            if "__pycache__" in relative.parts:
                continue
            if package / relative in links:
                sys.exit(f"{source} and {links[package / relative]} would both be {package / relative}: rename one")
            links[package / relative] = source
    return links


def lay_out() -> Path:
    """Folders are real (grimp and mypy do not walk into linked folders), files are links."""
    links = wanted_links()
    for relative, source in links.items():
        path = LAYOUT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() and path.resolve() == source:
            continue
        if path.is_symlink():
            path.unlink()
        with contextlib.suppress(FileExistsError):  # another run made the same link just now
            path.symlink_to(source)
    for path in sorted(LAYOUT.rglob("*"), reverse=True):
        if path.is_symlink() and path.relative_to(LAYOUT) not in links:
            path.unlink(missing_ok=True)  # a source file that was removed or renamed
        elif path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
    return LAYOUT


if __name__ == "__main__":
    print(lay_out())
