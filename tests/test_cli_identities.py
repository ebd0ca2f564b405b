"""`urbankg identities`: list the pairs waiting for review, accept one, reject it, as a
scholar would at the command line, on the bundled store."""

from __future__ import annotations

import re

from test_cli import run


def listed(store, *options) -> dict[str, str]:
    """Short id -> the block the list prints for it."""
    out = run(store, "identities", "list", *options).stdout
    blocks = re.split(r"(?m)^(?=[0-9a-f]{16}  )", out)
    return {block[:16]: block for block in blocks if re.match(r"[0-9a-f]{16}", block)}


def test_list_accept_reject(tmp_path):
    store = tmp_path / "store"
    possible = listed(store)
    [chen] = [key for key, block in possible.items() if "person/chen-y/qian-2017" in block]
    assert "person/chen-y/zhao-2021" in possible[chen] and "no shared evidence" in possible[chen]
    assert "(Y. Chen)" in possible[chen]  # names beside the ids
    merged = listed(store, "--status", "merged")
    assert any("person/lefebvre-h/lefebvre-1991" in b and "urbankg corpus editors" in b for b in merged.values())

    out = run(
        store, "identities", "accept", chen[:8], "--keep", "person/chen-y/qian-2017", "--evidence", "same ORCID"
    ).stdout
    assert "merged: person/chen-y/zhao-2021 -> person/chen-y/qian-2017" in out
    ask = run(store, "ask", "shared-sources").stdout
    assert "chen-y" in ask  # one person now: both papers cite them

    out = run(store, "identities", "reject", chen, "--evidence", "two people after all").stdout
    assert "distinct" in out
    assert "chen-y" not in run(store, "ask", "shared-sources").stdout
    assert chen in listed(store, "--status", "distinct")

    failed = run(store, "identities", "accept", "ffffffff", check=False)
    assert failed.returncode == 1 and "no identity decision ffffffff" in failed.stderr
