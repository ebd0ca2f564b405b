"""Commented annotation templates a scholar fills in (`urbankg new case|paper NAME`).

The templates are data files, ontology/templates/<kind>.yaml, that parse as they
stand. The word NAME in them stands for the new entity's slug: render_template puts
the slug of the name the scholar gave in its place (`Lirendong village` ->
`case/lirendong-village`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from urbankg import config

PLACEHOLDER = re.compile(r"\bNAME\b")


def template_dir() -> Path:
    return config.bundled("ontology") / "templates"


def kinds() -> list[str]:
    """The kinds there is a template for: case, paper."""
    return sorted(p.stem for p in template_dir().glob("*.yaml"))


def slug(name: str) -> str:
    """A readable id slug: lowercase ASCII letters and digits joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def render_template(kind: str, name: str) -> str:
    """The template for ``kind`` with ``name``'s slug in place of NAME.

    Raises ValueError naming the known kinds, or what a usable name looks like.
    """
    if kind not in kinds():
        raise ValueError(f"there is no template for '{kind}': choose one of {', '.join(kinds())}")
    new_slug = slug(name)
    if not new_slug:
        raise ValueError(f"'{name}' gives no usable id: use letters or digits, e.g. 'lirendong' or 'lin-2019'")
    text = (template_dir() / f"{kind}.yaml").read_text(encoding="utf-8")
    return PLACEHOLDER.sub(new_slug, text)
