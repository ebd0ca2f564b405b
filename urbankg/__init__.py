"""urbankg: a knowledge graph and SPARQL server over the literature of urbanisation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("urbankg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
