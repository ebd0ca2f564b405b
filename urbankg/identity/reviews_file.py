"""A file of reviewed identity decisions (the bundled corpus's corpus/identity-reviews.yaml,
or a team's), applied by ``urbankg identities apply FILE`` as a reviewer's commands would be.

    merge:                      # each: the IRIs in `same` are renamed to `keep`
      - keep: person/lefebvre-h/lefebvre-1971
        same: [person/lefebvre-h/lefebvre-1991]
        evidence: Henri Lefebvre wrote both ...
    distinct:                   # each: a pair that is not one work or person
      - pair: [person/chen-y/qian-2017, person/chen-y/zhao-2021]
        evidence: two papers, two fields ...

Ids as in annotations (kind/slug under the id base), or full IRIs. Every entry needs its
evidence: a decision without a reason cannot be reviewed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from urbankg import config
from urbankg.errors import Problem, SourceError


@dataclass(frozen=True)
class Review:
    action: str  # "merge" | "distinct"
    alias: str  # merge: renamed to canonical; distinct: one of the pair
    canonical: str
    evidence: str
    line: int


def read(path: Path) -> list[Review]:
    path = Path(path)
    try:
        data = YAML(typ="rt", pure=True).load(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise SourceError.single(path, mark.line + 1 if mark else None, f"not valid YAML: {error}") from None
    problems: list[Problem] = []
    reviews: list[Review] = []
    if not isinstance(data, dict) or not set(data) <= {"merge", "distinct"}:
        raise SourceError.single(path, 1, "an identity review file has two lists, `merge:` and `distinct:`")
    for index, entry in enumerate(data.get("merge") or []):
        line = _line(data["merge"], index)
        keep, same, evidence = (
            (entry.get(k) for k in ("keep", "same", "evidence")) if isinstance(entry, dict) else (None,) * 3
        )
        if not isinstance(keep, str) or not isinstance(same, list) or not same or not evidence:
            problems.append(Problem(str(path), line, "a merge needs `keep: <id>`, `same: [<id>, ...]` and `evidence:`"))
            continue
        reviews += [
            Review("merge", config.id_iri(str(s)), config.id_iri(str(keep)), str(evidence).strip(), line) for s in same
        ]
    for index, entry in enumerate(data.get("distinct") or []):
        line = _line(data["distinct"], index)
        pair, evidence = (entry.get(k) for k in ("pair", "evidence")) if isinstance(entry, dict) else (None, None)
        if not isinstance(pair, list) or len(pair) != 2 or not evidence:
            problems.append(Problem(str(path), line, "a distinct entry needs `pair: [<id>, <id>]` and `evidence:`"))
            continue
        reviews.append(
            Review("distinct", config.id_iri(str(pair[0])), config.id_iri(str(pair[1])), str(evidence).strip(), line)
        )
    if problems:
        raise SourceError(problems)
    return reviews


def _line(sequence, index: int) -> int:
    try:
        return sequence.lc.item(index)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return 1
