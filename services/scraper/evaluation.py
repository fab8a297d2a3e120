"""Extraction quality: newswire next to trafilatura alone, on each evaluation set and overall.

    python -m newswire.scraper.evaluation [--sets gold,trafilatura-dev,...] [--pages] [--json FILE] [--without-url]

Sets and scoring are described in `eval_sets.py`: the shipped gold set (body F1 over word 4-grams)
trafilatura's corpus of real pages, split into a dev and a test half (F1 of annotated passages,
as trafilatura scores itself), and fundus's parser test pages of real news, halved by publisher
(body F1 over word 4-grams). Both extractors run on the same pages in the same run; a page
newswire refuses as "not an article" scores 0 and is counted. When trafilatura's pages are not on
this machine, the command says where to get them and scores what ships.
"""

import argparse
import logging
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import orjson
import trafilatura

from newswire.schemas import RawArticle

from .errors import ExtractionError, NotAnArticle
from .eval_sets import EvalPage, MissingSet, fundus_pages, gold_pages, ngram_f1, snippet_f1, trafilatura_pages
from .extraction import extract_article
from .settings import Settings

__all__ = ["PageScore", "SetScore", "evaluate", "main", "score_pages"]

SETS = ("gold", "trafilatura-dev", "trafilatura-test", "fundus-dev", "fundus-test")


@dataclass(frozen=True, slots=True)
class PageScore:
    set: str
    name: str
    f1: float
    precision: float
    recall: float
    baseline_f1: float
    title_ok: bool | None
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class SetScore:
    set: str
    pages: int
    f1: float
    baseline_f1: float
    better: int
    worse: int
    refused: int
    titles_ok: int | None

    @classmethod
    def of(cls, name: str, scores: list[PageScore]) -> "SetScore":
        n = len(scores) or 1
        titled = [s.title_ok for s in scores if s.title_ok is not None]
        return cls(
            set=name,
            pages=len(scores),
            f1=sum(s.f1 for s in scores) / n,
            baseline_f1=sum(s.baseline_f1 for s in scores) / n,
            better=sum(s.f1 > s.baseline_f1 + 1e-9 for s in scores),
            worse=sum(s.f1 < s.baseline_f1 - 1e-9 for s in scores),
            refused=sum(s.refused is not None for s in scores),
            titles_ok=sum(titled) if titled else None,
        )


def _score(page: EvalPage, text: str) -> tuple[float, float, float]:
    if page.gold is not None:
        return ngram_f1(text, page.gold)
    return snippet_f1(text, with_=page.with_, without=page.without)


def _baseline(page: EvalPage, *, without_url: bool) -> str:
    """trafilatura alone, as a new user calls it (comments are not article text), with or without the address."""
    try:
        return trafilatura.extract(page.html, url=None if without_url else page.url, include_comments=False) or ""
    except Exception:  # a crash of the baseline scores 0, as any extractor's would
        return ""


def _extract(page: EvalPage, *, min_words: int, without_url: bool) -> RawArticle:
    """As the crawler extracts a fetched page, or (`without_url`) as `newswire extract FILE` does a saved one."""
    url = None if without_url else page.url
    try:
        return extract_article(page.html, url=url, source="eval", fetched_at=datetime.now(UTC), min_words=min_words)
    except ExtractionError as exc:
        if exc.reason != "no_url":
            raise
        # `newswire extract` names a page without an address of its own by its file.
        file_uri = f"file:///{quote(page.name)}"
        return extract_article(
            page.html, url=file_uri, source="eval", fetched_at=datetime.now(UTC), min_words=min_words
        )


def score_pages(pages: Iterable[EvalPage], *, min_words: int, without_url: bool = False) -> list[PageScore]:
    scores = []
    for page in pages:
        refused: str | None = None
        title_ok: bool | None = None
        try:
            article = _extract(page, min_words=min_words, without_url=without_url)
            text = article.text
            if page.title is not None:
                title_ok = article.title == page.title
        except NotAnArticle as exc:
            text, refused = "", str(exc)
        except ExtractionError as exc:
            text, refused = "", str(exc)
        precision, recall, f1 = _score(page, text)
        baseline = _score(page, _baseline(page, without_url=without_url))[2]
        scores.append(PageScore(page.set, page.name, f1, precision, recall, baseline, title_ok, refused))
    return scores


def _pages(name: str, trafilatura_dir: Path | None, fundus_dir: Path | None) -> Iterable[EvalPage]:
    if name == "gold":
        return list(gold_pages())
    if name.startswith("fundus-"):
        return list(fundus_pages(fundus_dir, split=name.removeprefix("fundus-")))
    return list(trafilatura_pages(trafilatura_dir, split=name.removeprefix("trafilatura-")))


def evaluate(
    sets: Iterable[str],
    *,
    trafilatura_dir: Path | None,
    min_words: int,
    without_url: bool = False,
    fundus_dir: Path | None = None,
) -> dict[str, list[PageScore]]:
    """Scores per set; a set whose pages are missing is left out with a note on stderr."""
    results: dict[str, list[PageScore]] = {}
    for name in sets:
        try:
            pages = _pages(name, trafilatura_dir, fundus_dir)
        except MissingSet as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        results[name] = score_pages(pages, min_words=min_words, without_url=without_url)
    return results


def _print_pages(scores: list[PageScore]) -> None:
    width = max(len(s.name) for s in scores)
    print(f"{'page':<{width}}  precision  recall     F1  trafilatura  title")
    for s in scores:
        title = "" if s.title_ok is None else ("ok" if s.title_ok else "WRONG")
        print(
            f"{s.name:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {s.baseline_f1:11.3f}  {title}"
            + (f"  (refused: {s.refused})" if s.refused else "")
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.scraper.evaluation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated sets (default: %(default)s)")
    parser.add_argument(
        "--trafilatura-dir",
        type=Path,
        help="trafilatura's tests/ folder (default: the extraction_eval_dir setting, NEWSWIRE_EXTRACTION_EVAL_DIR)",
    )
    parser.add_argument(
        "--fundus-dir",
        type=Path,
        help="fundus's tests/resources/parser/test_data/ folder (default: the fundus_eval_dir setting, "
        "NEWSWIRE_FUNDUS_EVAL_DIR)",
    )
    parser.add_argument("--pages", action="store_true", help="also print every page's scores")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    parser.add_argument(
        "--without-url",
        action="store_true",
        help="extract each page without its address, as `newswire extract FILE` does a saved page",
    )
    parser.add_argument("--min-f1", type=float, default=0.0, help="exit 1 when newswire's overall F1 is lower")
    args = parser.parse_args(argv)
    # Pages that lie about their charset are common in a real corpus: the table is the output here.
    logging.getLogger("newswire.scraper").setLevel(logging.ERROR)
    settings = Settings()
    unknown = set(args.sets.split(",")) - set(SETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {', '.join(SETS)}")
    results = evaluate(
        args.sets.split(","),
        trafilatura_dir=args.trafilatura_dir or settings.extraction_eval_dir,
        fundus_dir=args.fundus_dir or settings.fundus_eval_dir,
        min_words=settings.min_article_words,
        without_url=args.without_url,
    )
    if not results:
        print("no evaluation set could be read", file=sys.stderr)
        return 1
    every = [s for scores in results.values() for s in scores]
    summary = [SetScore.of(name, scores) for name, scores in results.items()] + [SetScore.of("overall", every)]
    if args.pages:
        for name, scores in results.items():
            print(f"== {name}")
            _print_pages(scores)
        print()
    print(f"{'set':<17} {'pages':>5}  newswire  trafilatura  better  worse  refused")
    for s in summary:
        print(
            f"{s.set:<17} {s.pages:5d}  {s.f1:8.3f}  {s.baseline_f1:11.3f}  {s.better:6d}  {s.worse:5d}  {s.refused:7d}"
        )
    print(f"(F1 per page, averaged; trafilatura {trafilatura.__version__} alone in the same run)")
    if args.json:
        args.json.write_bytes(
            orjson.dumps(
                {"sets": [asdict(s) for s in summary], "pages": [asdict(s) for s in every]}, option=orjson.OPT_INDENT_2
            )
        )
    return 0 if summary[-1].f1 >= args.min_f1 else 1


if __name__ == "__main__":
    sys.exit(main())
