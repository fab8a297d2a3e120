"""Rebuild `eval/topics/wikinews/articles.jsonl` from the Wikinews CSVs and the hand labels.

Usage: python eval/topics/build_wikinews.py CSV_DIR LABELS.tsv

CSV_DIR holds `wikinews_2019.csv` and `wikinews_2020.csv` of github.com/vanatteveldt/wikinews
(commit in wikinews/SOURCE.md). LABELS.tsv has one line per CSV row, in file order
(2019 then 2020): `row<TAB>topic topic ...`, `-` for an article none of our topics fits and
`SKIP` for a row that is no article (test pages). The split is a function of the URL alone
(sha256, first byte): about 35% `test` (frozen: no rule, weight or threshold is fitted on it),
20% `dev` (calibration and checks), 45% `train`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from pathlib import Path

__all__ = ["clean_text", "main", "split_of"]

OUT = Path(__file__).resolve().parent / "wikinews" / "articles.jsonl"
_DATELINE = re.compile(r"^\s*\w+day, \w+ \d{1,2}, \d{4}\s*")


def split_of(url: str) -> str:
    bucket = hashlib.sha256(url.encode()).digest()[0] * 100 // 256
    return "test" if bucket < 35 else "dev" if bucket < 55 else "train"


def clean_text(text: str) -> str:
    """The body as the scraper would deliver it: no date line, one paragraph per line."""
    text = _DATELINE.sub("", text.strip())
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n".join(p for p in paragraphs if p)


def main(argv: list[str]) -> int:
    csv_dir, labels_path = Path(argv[0]), Path(argv[1])
    labels = {}
    for line in labels_path.read_text("utf-8").splitlines():
        row, _, topics = line.partition(" ")
        labels[int(row)] = topics.split()
    rows = [
        row
        for year in (2019, 2020)
        for row in csv.DictReader((csv_dir / f"wikinews_{year}.csv").open(encoding="utf-8"))
    ]
    with OUT.open("w", encoding="utf-8") as out:
        for i, row in enumerate(rows):
            topics = labels[i]
            if topics == ["SKIP"]:
                continue
            url = row["url"].replace("org//wiki", "org/wiki")
            record = {
                "id": f"wikinews-{i:03d}",
                "url": url,
                "date": row["date"],
                "title": row["title"],
                "text": clean_text(row["text"]),
                "topics": [] if topics == ["-"] else topics,
                "split": split_of(url),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
