"""The wheel carries the ontology, queries and corpus, and works without the source tree."""

import shutil
import subprocess
import sys
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
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                   check=True, capture_output=True)
    return next(out.glob("urbankg-*.whl"))


def test_wheel_ships_data_files_as_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "urbankg/ontology/annotation-mapping.yaml" in names
    assert "urbankg/server/app.py" in names and "urbankg/loaders/rdf_file.py" in names
    for folder, suffixes in [("ontology", {".ttl"}), ("queries", {".rq"}), ("corpus", {".yaml", ".bib"})]:
        shipped = {Path(n).suffix for n in names if n.startswith(f"urbankg/{folder}/")}
        present = {p.suffix for p in (ROOT / folder).rglob("*") if p.suffix in suffixes}
        assert present <= shipped, f"{folder}: {present - shipped} files are missing from the wheel"


def test_non_editable_install_answers_from_bundled_data(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    # Dependencies come from this interpreter's site-packages; urbankg itself only from the wheel.
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)], check=True,
                   capture_output=True)
    located = subprocess.run([python, "-c", "import urbankg.server, urbankg.loaders, urbankg; print(urbankg.__file__)"],
                             cwd=tmp_path, capture_output=True, text=True, check=True)
    assert str(env_dir) in located.stdout  # not the editable source tree
    result = subprocess.run(
        [env_dir / "bin" / "urbankg", "--store", str(tmp_path / "store"), "query", "--format", "csv",
         "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) > 0
