"""Keep docs/annotating.md in step with the annotation format.

Two blocks of the guide are generated, between HTML comments that mark them:
  <!-- generated: keys -->      the sections, the keys of every kind, the vocabularies,
                                 from ontology/annotation-mapping.yaml
  <!-- generated: example -->   the worked example, docs/examples/worked-example.yaml

    python docs/mapping_tables.py           rewrite the blocks in docs/annotating.md
    python docs/mapping_tables.py --check   exit 1 if they are out of date (tests do this)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from urbankg.loaders.annotation_mapping import FieldSpec, Mapping, load_mapping

DOCS = Path(__file__).resolve().parent
GUIDE = DOCS / "annotating.md"
EXAMPLE = DOCS / "examples" / "worked-example.yaml"
BLOCK = re.compile(r"(<!-- generated: (\w+) -->\n)(.*?)(<!-- end generated -->)", re.DOTALL)

VALUE_OF_KIND = {
    "text": "text",
    "integer": "whole number",
    "decimal": "number",
    "year": "year (1800–2100)",
    "date": "date YYYY-MM-DD",
    "boolean": "true / false",
    "iri": "web address or compact IRI",
    "ref": "id",
    "quote": "quote",
}


def keys_block(mapping: Mapping) -> str:
    out = ["### Sections", "", "| section | holds | ids look like |", "|---|---|---|"]
    for section, kind in mapping.sections.items():
        out.append(f"| `{section}:` | {kind} ({_node_link(kind)}) | `{kind}/<slug>` |")
    out += ["", "Header keys (top of the file, not sections):", ""]
    for name, field in mapping.header.items():
        out.append(f"- `{name}:` {VALUE_OF_KIND.get(field.kind, field.kind)}: {field.comment}")
    out.append("")
    for name, node in mapping.nodes.items():
        out += [f"### {name}", ""]
        if node.comment:
            out += [node.comment[0].upper() + node.comment[1:] + ".", ""]
        typed = f"; `type:` one of the `{node.types}` values or a compact IRI" if node.types else ""
        written = f" Written as a plain string too (fills `{node.shorthand}`)." if node.shorthand else ""
        out += [f"Class `{mapping.short(node.cls)}`{typed}.{written}", ""]
        out += ["| key | value | required | RDF property | note |", "|---|---|---|---|---|"]
        out.append(
            f"| `id` | `{name}/<slug>` | yes, at the top of a section | (the entry's IRI) | "
            + ("named after its parent when left out |" if name not in mapping.sections.values() else "|")
        )
        for field in node.fields.values():
            out.append(
                f"| `{field.name}` | {_value(field)} | {_required(field)} | `{mapping.short(field.property)}` "
                f"| {_escape(field.comment)} |"
            )
        out.append("")
    out += ["### Vocabularies", ""]
    for name, values in mapping.vocabularies.items():
        users = [
            f"`{n}.{f.name}`" for n, node in mapping.nodes.items() for f in node.fields.values() if f.vocabulary == name
        ] + [f"`{n}` type" for n, node in mapping.nodes.items() if node.types == name]
        out.append(f"- **{name}** (used by {', '.join(users)}): " + ", ".join(f"`{value}`" for value in values))
    out += ["", "### Prefixes for compact IRIs", ""]
    out.append(", ".join(f"`{prefix}:`" for prefix in mapping.prefixes))
    return "\n".join(out) + "\n"


def example_block() -> str:
    return "```yaml\n" + EXAMPLE.read_text(encoding="utf-8") + "```\n"


def render(text: str, mapping: Mapping | None = None) -> str:
    mapping = mapping or load_mapping()
    blocks = {"keys": keys_block(mapping), "example": example_block()}

    def fill(match: re.Match) -> str:
        return match.group(1) + blocks[match.group(2)] + match.group(4)

    return BLOCK.sub(fill, text)


def _value(field: FieldSpec) -> str:
    if field.kind == "vocab":
        one = f"a `{field.vocabulary}` value" + "".join(f" or `{p}:...`" for p in field.open_prefixes)
    elif field.kind == "nested":
        one = f"{field.node} entries ({_node_link(field.node)})"
    else:
        one = VALUE_OF_KIND[field.kind]
    return f"{one}, one or a list" if field.many and field.kind != "nested" else one


def _required(field: FieldSpec) -> str:
    if field.default:
        return (
            f"yes (default: the `{field.default.lstrip('$')}:` header)"
            if field.required
            else f"default: the `{field.default.lstrip('$')}:` header"
        )
    return "yes" if field.required else ""


def _node_link(kind: str) -> str:
    return f"[keys](#{kind})"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: list[str]) -> int:
    current = GUIDE.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print(f"{GUIDE} is out of date: run python docs/mapping_tables.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
