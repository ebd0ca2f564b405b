"""A real small file system for full-disk tests: a tmpfs of a few MB, mounted for one test.

Mounting needs root (or CAP_SYS_ADMIN); elsewhere the test skips as a missing component,
which CI counts as a failure (see conftest). Import the fixture into a test module::

    from small_disk import small_disk, fill  # noqa: F401 (a fixture)
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SIZE_MB = 8


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A directory on its own 8 MB file system."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"[component] cannot mount a small tmpfs for the full-disk test (run as root): {mounted.stderr.strip()}"
        )
    try:
        yield mount_point
    finally:
        # Lazy: a query process of the server under test may still be closing its snapshot.
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill ``disk`` until only ``leave`` bytes are free (0: until ENOSPC); the filler is returned."""
    import shutil

    filler = disk / "filler"
    with filler.open("wb") as output:
        try:
            while (free := shutil.disk_usage(disk).free - leave) > 0:
                output.write(b"\0" * min(free, 1 << 16))
                output.flush()
        except OSError:
            pass  # full
    return filler
