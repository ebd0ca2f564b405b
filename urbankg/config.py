"""Where things are: IRI bases, the default store directory, the bundled data."""

from __future__ import annotations

import getpass
import os
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, unquote

# Mint every IRI under one base. URBANKG_BASE moves the data and graph IRIs urbankg mints; the
# ontology's terms stay where they are published, as its file, the shapes and the annotation
# mapping write them (docs/architecture.md, Packaging).
BASE = os.environ.get("URBANKG_BASE", "https://w3id.org/urbankg/")
ONTOLOGY_NS = "https://w3id.org/urbankg/ontology#"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"
AGENT_BASE = BASE + "agent/"
# Who writes history records (the catalogue's prov:Activity nodes) under this base.
WRITE_BASE = BASE + "write/"

# The agent that writes the bundled ontology and corpus: a scholar's file named like one of
# them is refused unless it asks to replace it.
BUNDLED_AGENT = "urbankg"


def agent_iri(name: str) -> str:
    """The IRI of a writing agent (a token's name, a login name): ``BASE + "agent/" + name``,
    with everything but letters, digits and ``-._~`` percent-encoded, so any name is one IRI segment."""
    return AGENT_BASE + quote(name, safe="-._~")


def agent_name(iri: str) -> str:
    """The name :func:`agent_iri` made ``iri`` from; an IRI from elsewhere is returned whole."""
    return unquote(iri[len(AGENT_BASE) :]) if iri.startswith(AGENT_BASE) else iri


def local_agent() -> str:
    """Who writes from this process when nobody says: $URBANKG_AGENT, else the login name."""
    name = os.environ.get("URBANKG_AGENT")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return f"uid-{os.getuid()}"


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


def id_iri(value: str) -> str:
    """An id as annotations write it (``person/lin-y``), or a full IRI as given."""
    return value if ":" in value else ID_BASE + value
