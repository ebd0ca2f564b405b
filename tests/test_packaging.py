"""The wheel carries the ontology, queries and corpus, and works without the source tree.

Costs a wheel build (pip, with build isolation: setuptools and wheel come from the index)
and a fresh virtual environment: about 20 s.
"""

import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a clean copy: a build/ folder left in the tree could leak stale files into the wheel.
    source = tmp_path_factory.mktemp("source") / "urbankg"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns("build", "*.egg-info", ".git", "__pycache__", ".venv"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("urbankg-*.whl"))


def test_wheel_ships_data_files_as_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "urbankg/ontology/annotation-mapping.yaml" in names
    assert "urbankg/server/app.py" in names and "urbankg/loaders/rdf_file.py" in names
    for folder, suffixes in [("ontology", {".ttl"}), ("queries", {".rq"}), ("corpus", {".yaml", ".bib"})]:
        shipped = {Path(n).suffix for n in names if n.startswith(f"urbankg/{folder}/")}
        present = {p.suffix for p in (ROOT / folder).rglob("*") if p.suffix in suffixes}
        assert present <= shipped, f"{folder}: {present - shipped} files are missing from the wheel"
    # [tool.setuptools] packages lists every package by hand: one left off would be missing here.
    package_dirs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for name, folder in package_dirs.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            installed = Path(*name.split("."), init.relative_to(ROOT / folder)).as_posix()
            assert installed in names, f"{init.parent} is a package, but pyproject.toml's packages leaves it out"


def _running_site_dirs() -> list[str]:
    """Where the running interpreter's installed packages are, whatever kind of environment it is.

    A venv made with system_site_packages=True would see the *base* interpreter's packages, not
    those of the virtual environment pytest runs in (where `pip install -e '.[test]'` put them).
    """
    dirs = [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return [d for d in dict.fromkeys(dirs) if Path(d).is_dir()]


def test_non_editable_install_answers_from_bundled_data(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from the running interpreter's site-packages, listed as plain paths after the
    # venv's own: the .pth files there (the editable install of this source tree among them) are not
    # run, so urbankg itself can only come from the wheel.
    own_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(own_site) / "urbankg-test-dependencies.pth").write_text("\n".join(_running_site_dirs()) + "\n")
    located = subprocess.run(
        [python, "-c", "import urbankg.server, urbankg.loaders, urbankg; print(urbankg.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in located.stdout  # not the editable source tree
    result = subprocess.run(
        [
            env_dir / "bin" / "urbankg",
            "--store",
            str(tmp_path / "store"),
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) > 0
