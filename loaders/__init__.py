"""File -> RDF. Pick the loader by file type; every loader returns a :class:`Parsed`.

Each loader module exposes ``parse(path: Path, source: str) -> Parsed`` and raises
:class:`urbankg.errors.SourceError` (with file and line) when the file cannot be read.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from urbankg import formats
from urbankg.errors import SourceError
from urbankg.parsed import Parsed, Positions

# Which module reads each source format (urbankg.formats); every suffix of the format is read by
# it. Imported on first use, so a missing optional loader only matters to the files that need it.
_LOADERS: tuple[tuple[tuple[formats.Format, ...], str], ...] = (
    (formats.RDF_FORMATS, "rdf_file"),
    ((formats.YAML,), "annotation_yaml"),
    ((formats.BIBTEX,), "bibtex"),
    ((formats.CSL_JSON,), "csl_json"),
    ((formats.RIS,), "ris"),
)
LOADER_BY_SUFFIX: dict[str, str] = {
    suffix: module for group, module in _LOADERS for fmt in group for suffix in fmt.suffixes
}

__all__ = ["LOADER_BY_SUFFIX", "Parsed", "Positions", "load_file", "source_name", "supported"]


def supported(path: Path) -> bool:
    return _suffix(path) in LOADER_BY_SUFFIX


def _suffix(path: Path) -> str:
    """The suffix a file is read by: its last (.bib), or its last two when a format names both (.csl.json)."""
    double = "".join(path.suffixes[-2:]).lower()
    return double if len(path.suffixes) > 1 and double in LOADER_BY_SUFFIX else path.suffix.lower()


def source_name(path: Path) -> str:
    """The source name of a file: its stem, made IRI-safe. Names the file's graph."""
    suffix = _suffix(path)
    stem = path.name[: -len(suffix)] if suffix else path.name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "source"


def load_file(path: Path | str, source: str | None = None) -> Parsed:
    """Parse one file into RDF with the loader its suffix names."""
    path = Path(path)
    module_name = LOADER_BY_SUFFIX.get(_suffix(path))
    if module_name is None:
        known = ", ".join(sorted(LOADER_BY_SUFFIX))
        raise SourceError.single(path, None, f"unknown file type '{path.suffix}': urbankg reads {known}")
    if not path.is_file():
        raise SourceError.single(path, None, "no such file")
    module = importlib.import_module(f"urbankg.loaders.{module_name}")
    return module.parse(path, source or source_name(path))
