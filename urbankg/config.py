"""Where things are: IRI bases, the default store directory, the bundled data."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

# Mint every IRI under one base (DESIGN.md): ontology terms, data, named graphs.
BASE = os.environ.get("URBANKG_BASE", "https://w3id.org/urbankg/")
ONTOLOGY_NS = BASE + "ontology#"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"


def default_store_dir() -> Path:
    """$URBANKG_STORE, else $XDG_DATA_HOME/urbankg/store (~/.local/share/urbankg/store)."""
    if os.environ.get("URBANKG_STORE"):
        return Path(os.environ["URBANKG_STORE"])
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "urbankg" / "store"


def bundled(folder: str) -> Path:
    """A folder of bundled data (ontology, queries, corpus), installed or in the source tree."""
    return Path(str(files(f"urbankg.{folder}")))


def ontology_file() -> Path:
    return bundled("ontology") / "urbankg.ttl"


def shapes_file() -> Path:
    return bundled("ontology") / "shapes.ttl"


def graph_iri(source: str) -> str:
    return GRAPH_BASE + source
