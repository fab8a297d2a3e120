"""What kind of person a well-known name is (`occupation:athlete`, `occupation:musician`, ...), for
the topic model's `kind_cues` only: "Ed Sheeran on the best thing about not having a phone" has no
culture word, but its person is a musician.

The data (`data/people_kinds.tsv.gz`, built by `people_build.py` from the source recorded in
`data/people_sources.yaml`) is `slug<TAB>class` a line, keyed like the linker's person ids
(`person:<slugify(name)>`). It is never a gazetteer: entity linking does not read it, so a name
it lists is linked (or not) exactly as before; only an id the linker gives anyway gets a kind.
"""

import gzip
import logging
from functools import cache
from pathlib import Path

__all__ = ["KIND_PREFIX", "PEOPLE_FILE", "load_people_kinds", "read_people_kinds"]

logger = logging.getLogger(__name__)

PEOPLE_FILE = Path(__file__).resolve().parent / "data" / "people_kinds.tsv.gz"
#: the kinds this module gives, as the lexicon's `kind_cues` name them
KIND_PREFIX = "occupation:"


def read_people_kinds(path: Path) -> dict[str, tuple[str, ...]]:
    """`person:<slug>` -> (`occupation:<class>`,) from one data file; lines starting "#" are its
    header (source and licence). One tuple per class is shared by every person of that class
    (memory: ~10,000 entries)."""
    kinds: dict[str, tuple[str, ...]] = {}
    shared: dict[str, tuple[str, ...]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            slug, sep, cls = line.rstrip("\n").partition("\t")
            if not sep or not slug or not cls:
                raise ValueError(f"{path}:{number}: expected 'slug<TAB>class', got {line!r}")
            kind = shared.setdefault(cls, (f"{KIND_PREFIX}{cls}",))
            kinds[f"person:{slug}"] = kind
    return kinds


@cache
def load_people_kinds(path: Path = PEOPLE_FILE) -> dict[str, tuple[str, ...]]:
    """The shipped people kinds, read once per process; empty (with a warning) when the file is
    missing, so the topic model still works without it."""
    if not path.exists():
        logger.warning("people kinds %s not found: no occupation kinds", path)
        return {}
    kinds = read_people_kinds(path)
    logger.info("people kinds: %d names", len(kinds))
    return kinds
