"""The wheel ships every data file the code reads: it is built from this tree, installed into a
clean virtual environment next to nothing but the locked dependencies, and the enricher, the API
(with its Alembic migrations) and the sample site are loaded from it, outside the repository.
(tests/deploy/test_dockerfile.py checks the wheel's file list against the package folders.)

uv installs the locked dependencies from its cache, so the whole test takes seconds when the cache
is warm (as after `make install`)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _source_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [f for f in listed if (REPO / f).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the working tree (the build leaves no files in the repository)."""
    tree = tmp_path_factory.mktemp("tree")
    for name in _source_files():
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(tree)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("newswire-*.whl")
    return built


def test_the_installed_wheel_runs_the_enricher_and_the_api(wheel: Path, tmp_path: Path) -> None:
    uv = Path(sys.executable).with_name("uv")
    if not uv.exists():
        pytest.skip(f"uv is not installed next to {sys.executable} (`make install` puts it there)")
    venv = tmp_path / "venv"
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = [str(uv), "pip", "install", "-q", "--python", str(python), "-r", str(REPO / "requirements.lock")]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=600)

    # Run from an empty folder: nothing of the repository is importable from there.
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / "tests" / "data" / "seed-article.txt", work)
    script = work / "wheel_check.py"
    shutil.copy(Path(__file__).with_name("wheel_check.py"), script)
    result = subprocess.run(
        [str(python), "-P", str(script), str(work / "seed-article.txt")],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])

    assert Path(found["package"]).is_relative_to(venv)
    assert {"country:PK", "country:KZ", "person:kassym-jomart-tokayev"} <= set(found["entities"])
    assert found["topics"]
    assert found["sample_articles"] >= 28
    assert found["default_sources"]
    assert found["routes"] == dict.fromkeys(found["routes"], 200)
    assert found["taxonomy_topics"] >= 16
    revision, head = found["store_revision"]
    assert revision == head is not None
