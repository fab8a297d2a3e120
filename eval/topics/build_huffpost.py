"""Rebuild `eval/topics/huffpost/snippets.jsonl` from the News Category Dataset (HuffPost headlines).

Usage: python eval/topics/build_huffpost.py NEWS_CATEGORY_DATASET_V3.json

The input is `News_Category_Dataset_v3.json` (Misra 2022, CC BY 4.0; one JSON object a line: `link`,
`headline`, `category`, `short_description`, `authors`, `date`); the copy read here and its commit are
named in `huffpost/SOURCE.md`. Each record becomes a snippet: the headline as title and the short
description as text, labelled with the topics `huffpost/category_map.yaml` accepts for its section;
records of unmapped sections or with an empty description are left out. At most `CAP` records a
section's first topic are kept (HuffPost publishes far more politics and entertainment than anything
else), chosen by the hash of the link so the choice is stable. Split by the link's hash too: about 40%
`test` (frozen), 20% `dev`, 40% `train`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

__all__ = ["main", "split_of"]

HERE = Path(__file__).resolve().parent
OUT = HERE / "huffpost" / "snippets.jsonl"
CATEGORY_MAP = HERE / "huffpost" / "category_map.yaml"
#: records kept per primary topic
CAP = 300


def _digest(link: str) -> bytes:
    return hashlib.sha256(link.encode()).digest()


def split_of(link: str) -> str:
    bucket = _digest(link)[1] * 100 // 256
    return "test" if bucket < 40 else "dev" if bucket < 60 else "train"


def main(argv: list[str]) -> int:
    category_map: dict[str, list[str]] = yaml.safe_load(CATEGORY_MAP.read_text("utf-8"))
    by_topic: dict[str, list[dict[str, object]]] = defaultdict(list)
    with Path(argv[0]).open(encoding="utf-8") as src:
        for line in src:
            if not line.strip():
                continue
            row = json.loads(line)
            topics = category_map.get(row["category"])
            text = " ".join(row["short_description"].split())
            if not topics or not text:
                continue
            link = row["link"]
            by_topic[topics[0]].append(
                {
                    "id": f"huffpost-{_digest(link).hex()[:10]}",
                    "url": link,
                    "date": row["date"],
                    "title": " ".join(row["headline"].split()),
                    "text": text,
                    "category": row["category"],
                    "topics": topics,
                    "split": split_of(link),
                }
            )
    kept = sorted(
        (r for rows in by_topic.values() for r in sorted(rows, key=lambda r: str(r["id"]))[:CAP]),
        key=lambda r: str(r["id"]),
    )
    with OUT.open("w", encoding="utf-8") as out:
        for record in kept:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(kept)} snippets -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
