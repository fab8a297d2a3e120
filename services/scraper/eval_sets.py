"""The pages `make eval-extraction` scores, and how each set is scored.

Three sources, two ways of scoring:

- `gold`: `eval/extraction/` (shipped), pages written for newswire with the full main text by hand.
  Scored by body F1 over word 4-grams (bags of lower-cased 4-word sequences), so lost or leaked
  phrases count, not just words.
- `trafilatura-dev` / `trafilatura-test`: trafilatura's own evaluation corpus (adbar/trafilatura,
  `tests/evaldata.json` with `tests/cache/` and `tests/eval/`): ~1,000 real pages (news, blogs,
  government and company pages, many languages), each annotated with passages that belong to the
  main text ("with") and passages that must not ("without"). Scored as trafilatura scores it:
  whitespace-normalised substring matches give true/false positives, F1 = 2tp / (2tp + fp + fn)
  per page. The annotations are Apache-2.0; the page HTML is third-party and ships nowhere here,
  it is read from the folder named by the `extraction_eval_dir` setting. The corpus is split by a
  hash of each page's URL into a dev half (tune on it) and a test half (report only).
- `fundus-dev` / `fundus-test`: the parser test pages of fundus (flairNLP/fundus, MIT,
  `tests/resources/parser/test_data/<country>/`): 252 real news articles from 177 publishers in 41
  countries (at commit 18da6e53), each with the article as fundus's hand-written parser for that
  publisher reads it (standfirst, section headings and paragraphs). Scored like the gold set, by
  body F1 over word 4-grams. Pages are third-party and ship nowhere here (the `fundus_eval_dir` setting names the
  folder). Split by a hash of the publisher's name, so no site's template is in both halves.
"""

import gzip
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml

__all__ = [
    "GOLD_DIR",
    "FUNDUS_SOURCE",
    "TRAFILATURA_SOURCE",
    "EvalPage",
    "MissingSet",
    "fundus_pages",
    "gold_pages",
    "ngram_f1",
    "snippet_f1",
    "split_of",
    "trafilatura_pages",
]

GOLD_DIR = Path(__file__).resolve().parents[2] / "eval" / "extraction"
TRAFILATURA_SOURCE = (
    "https://github.com/adbar/trafilatura (Apache-2.0): clone it and point NEWSWIRE_EXTRACTION_EVAL_DIR "
    "(or --trafilatura-dir) at its tests/ folder, which holds evaldata.json, cache/ and eval/"
)
FUNDUS_SOURCE = (
    "https://github.com/flairNLP/fundus (MIT): clone it and point NEWSWIRE_FUNDUS_EVAL_DIR (or --fundus-dir) at its "
    "tests/resources/parser/test_data/ folder, which holds a folder of pages and expected articles per country"
)
_VERSION_NUMBERS = re.compile(r"\d+")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


class MissingSet(LookupError):
    """An evaluation set whose pages are not on this machine (the message says where to get them)."""


@dataclass(frozen=True, slots=True)
class EvalPage:
    set: str
    name: str
    url: str
    html: bytes
    #: Full main text (gold set) ...
    gold: str | None = None
    #: ... or annotated passages (trafilatura's corpus).
    with_: tuple[str, ...] = field(default=())
    without: tuple[str, ...] = field(default=())
    title: str | None = None


def _ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = [t.casefold() for t in _TOKEN.findall(unicodedata.normalize("NFC", text))]
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def ngram_f1(extracted: str, gold: str, *, n: int = 4) -> tuple[float, float, float]:
    """(precision, recall, F1) of the bags of word n-grams."""
    got, want = _ngrams(extracted, n), _ngrams(gold, n)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _norm(text: str) -> str:
    # NFC: the pipeline normalises text (schemas), some annotations are decomposed (Bengali nukta).
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def snippet_f1(extracted: str, *, with_: tuple[str, ...], without: tuple[str, ...]) -> tuple[float, float, float]:
    """(precision, recall, F1) of one page from its annotated passages, as trafilatura's evaluation counts them."""
    text = _norm(extracted)
    tp = sum(1 for s in with_ if _norm(s) in text)
    fp = sum(1 for s in without if _norm(s) in text)
    fn = len(with_) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def split_of(key: str) -> str:
    """'dev' or 'test', fixed by a page's URL (a publisher's name for fundus) alone, so the halves
    never change as code changes."""
    return "dev" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def gold_pages(directory: Path = GOLD_DIR) -> Iterator[EvalPage]:
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text(encoding="utf-8"))
    for page in manifest["pages"]:
        name = page["name"]
        yield EvalPage(
            set="gold",
            name=name,
            url=page["url"],
            html=(directory / "pages" / f"{name}.html").read_bytes(),
            gold=(directory / "gold" / f"{name}.txt").read_text(encoding="utf-8"),
            title=page["title"],
        )


def trafilatura_pages(directory: Path | None, *, split: str) -> Iterator[EvalPage]:
    """Pages of one half ('dev' or 'test') of trafilatura's corpus; `MissingSet` when it is not here."""
    if directory is None or not (directory / "evaldata.json").is_file():
        raise MissingSet(f"trafilatura's evaluation pages are not in {directory}; get them from {TRAFILATURA_SOURCE}")
    annotations = orjson.loads((directory / "evaldata.json").read_bytes())
    for url in sorted(annotations):
        if split_of(url) != split:
            continue
        item = annotations[url]
        path = next(
            (p for p in (directory / "cache" / item["file"], directory / "eval" / item["file"]) if p.is_file()), None
        )
        if path is None:
            raise MissingSet(f"{item['file']} (annotated in {directory / 'evaldata.json'}) is missing")
        yield EvalPage(
            set=f"trafilatura-{split}",
            name=item["file"],
            url=url,
            html=path.read_bytes(),
            with_=tuple(item["with"]),
            without=tuple(item["without"]),
        )


def _fundus_body(case: dict[str, object]) -> str:
    """The article text of one fundus test case: standfirst, then each section's headings and paragraphs."""
    body = case.get("body")
    if not isinstance(body, dict):
        return ""
    parts: list[str] = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += [*(section.get("headline") or []), *(section.get("paragraphs") or [])]
    return "\n".join(parts)


def fundus_pages(directory: Path | None, *, split: str) -> Iterator[EvalPage]:
    """Pages of one half ('dev' or 'test') of fundus's parser test pages; `MissingSet` when not here.

    Each publisher has one `<Publisher>.json` of expected articles keyed by parser version ("V1",
    "V1_1", ...) and one page per version, `<Publisher>_<crawl date>.html.gz`, with its URL in the
    folder's `meta.info`; versions follow each other in time, so the n-th page by date goes with the
    n-th version. A publisher whose counts differ is left out rather than paired by guess."""
    if directory is None or not any(directory.glob("*/meta.info")):
        raise MissingSet(f"fundus's parser test pages are not in {directory}; get them from {FUNDUS_SOURCE}")
    for meta_path in sorted(directory.glob("*/meta.info")):
        folder = meta_path.parent
        meta = orjson.loads(meta_path.read_bytes())
        by_publisher: dict[str, list[str]] = {}
        for name in meta:
            by_publisher.setdefault(name.rsplit("_", 3)[0], []).append(name)
        for publisher, names in sorted(by_publisher.items()):
            expected = folder / f"{publisher}.json"
            if split_of(publisher) != split or not expected.is_file():
                continue
            cases = orjson.loads(expected.read_bytes())
            versions = sorted(cases, key=lambda v: [int(n) for n in _VERSION_NUMBERS.findall(v)])
            if len(versions) != len(names):
                continue
            for version, name in zip(versions, sorted(names), strict=True):
                gold = _fundus_body(cases[version])
                if not gold:
                    continue
                yield EvalPage(
                    set=f"fundus-{split}",
                    name=f"{folder.name}/{name.removesuffix('.html.gz')}",
                    url=meta[name]["url"],
                    html=gzip.decompress((folder / name).read_bytes()),
                    gold=gold,
                )
