"""`python -m newswire.enricher.topic_audit --topic trade FILE...`: every article a topic claims.

Precision measured the honest way: score unlabelled real news and read, one by one, what lands on a
topic's stream (score at `--threshold` or more) or has it as its top topic (`--top`). Each line
shows the score, the article's top topic, its gold topics where the file has them, the topic's
evidence and the headline with the start of the text, so a reader can say "trade or not" per the
taxonomy's definition without opening the file.

Input: JSON lines with `title` and `text` (`id` or `doc_id`, `topics` and `split` if present),
e.g. `eval/topics/wikinews/articles.jsonl`; `--skip-split test` leaves a frozen split out.
"""

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from .pipeline import shared_enricher
from .topic_evaluation import Labelled, TopicRun, gather

__all__ = ["claimed", "load_texts", "main"]

logger = logging.getLogger(__name__)


def load_texts(paths: Sequence[Path], *, skip_splits: Sequence[str] = ()) -> list[Labelled]:
    """Articles of JSON-lines files; rows of a split in `skip_splits` are left out."""
    out: list[Labelled] = []
    for path in paths:
        for n, line in enumerate(path.read_bytes().splitlines()):
            if not line.strip():
                continue
            row = orjson.loads(line)
            split = str(row.get("split", ""))
            if split in skip_splits:
                continue
            ident = str(row.get("id") or row.get("doc_id") or f"{path.stem}:{n}")
            out.append(Labelled(ident, row.get("title", ""), row["text"], tuple(row.get("topics", ())), split))
    return out


def claimed(runs: Sequence[TopicRun], *, topic: str, threshold: float, top: bool) -> list[TopicRun]:
    """Runs where `topic` scores at `threshold` or more (or is the top topic, with `top`)."""
    picked = []
    for run in runs:
        best = max(run.scores, key=lambda t: run.scores[t])
        if run.scores[topic] >= threshold or (top and best == topic):
            picked.append(run)
    return sorted(picked, key=lambda r: -r.scores[topic])


def _line(run: TopicRun, topic: str) -> str:
    best = max(run.scores, key=lambda t: run.scores[t])
    ev = run.found[topic]
    evidence = ", ".join(f"{p} {w:.1f}" for p, w in sorted(ev.phrases.items(), key=lambda x: -x[1])[:8])
    cues = ", ".join(ev.cues)
    gold = ",".join(run.article.topics) or "-"
    lead = " ".join(run.article.text.split())[:220]
    return (
        f"{run.scores[topic]:.3f} {run.article.id} [top {best} {run.scores[best]:.2f}; gold {gold}]\n"
        f"    evidence: {evidence}{'; cues ' + cues if cues else ''}\n"
        f"    {run.article.title} | {lead}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--top", action="store_true", help="also list articles whose top topic it is")
    parser.add_argument("--skip-split", action="append", default=[], help="leave a split out (e.g. test)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    enricher = shared_enricher()
    if args.topic not in enricher.topics.taxonomy.ids:
        parser.error(f"unknown topic {args.topic!r}")
    articles = load_texts(args.files, skip_splits=args.skip_split)
    runs = gather(enricher, articles, {"new": enricher.topics})["new"]
    picked = claimed(runs, topic=args.topic, threshold=args.threshold, top=args.top)
    for run in picked:
        print(_line(run, args.topic))
    labelled = [r for r in picked if r.article.topics]
    right = sum(1 for r in labelled if args.topic in r.article.topics)
    print(
        f"{len(picked)} of {len(runs)} articles claimed by {args.topic}; {right} of {len(labelled)} labelled ones gold"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
