"""Extraction quality on the gold set in `eval/extraction/`: body-text token F1 per page and overall.

    python -m newswire.scraper.evaluation [--dir eval/extraction] [--json results.json]

Each page in `pages/<name>.html` has hand-checked main text in `gold/<name>.txt`. Tokens are
lower-cased words; precision and recall count the bag of tokens (as in the usual article
extraction benchmarks), so paragraph order and whitespace do not matter but every boilerplate
word that leaks in and every body word that is lost does.
"""

import argparse
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import yaml

from .errors import ExtractionError
from .extraction import extract_article
from .settings import Settings

__all__ = ["PageScore", "evaluate", "main", "token_f1"]

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "eval" / "extraction"
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class PageScore:
    name: str
    markup: str
    precision: float
    recall: float
    f1: float
    title_ok: bool
    error: str | None = None


def _tokens(text: str) -> Counter[str]:
    return Counter(token.casefold() for token in _TOKEN.findall(text))


def token_f1(extracted: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of the bags of word tokens."""
    got, want = _tokens(extracted), _tokens(gold)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def evaluate(directory: Path, *, min_words: int) -> list[PageScore]:
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text(encoding="utf-8"))
    scores = []
    for page in manifest["pages"]:
        name = page["name"]
        gold = (directory / "gold" / f"{name}.txt").read_text(encoding="utf-8")
        body = (directory / "pages" / f"{name}.html").read_bytes()
        try:
            article = extract_article(
                body, url=page["url"], source="eval", fetched_at=datetime.now(UTC), min_words=min_words
            )
        except ExtractionError as exc:
            scores.append(PageScore(name, page["markup"], 0.0, 0.0, 0.0, False, str(exc)))
            continue
        precision, recall, f1 = token_f1(article.text, gold)
        scores.append(PageScore(name, page["markup"], precision, recall, f1, article.title == page["title"]))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newswire.scraper.evaluation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="gold set folder (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    parser.add_argument("--min-f1", type=float, default=0.0, help="exit 1 when the overall F1 is lower")
    args = parser.parse_args(argv)
    scores = evaluate(args.dir, min_words=Settings().min_article_words)
    width = max(len(s.name) for s in scores)
    print(f"{'page':<{width}}  precision  recall     F1  title")
    for s in scores:
        print(
            f"{s.name:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {'ok' if s.title_ok else 'WRONG'}"
            + (f"  ({s.error})" if s.error else "")
        )
    overall = sum(s.f1 for s in scores) / len(scores)
    titles = sum(s.title_ok for s in scores)
    print(
        f"{'overall':<{width}}  {sum(s.precision for s in scores) / len(scores):9.3f}  "
        f"{sum(s.recall for s in scores) / len(scores):6.3f}  {overall:5.3f}  {titles}/{len(scores)}"
    )
    if args.json:
        args.json.write_bytes(
            orjson.dumps(
                {"pages": [asdict(s) for s in scores], "f1": overall, "titles_ok": titles}, option=orjson.OPT_INDENT_2
            )
        )
    return 0 if overall >= args.min_f1 else 1


if __name__ == "__main__":
    sys.exit(main())
