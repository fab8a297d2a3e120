"""Rebuild `wikinews.jsonl.gz` from a checkout of github.com/vanatteveldt/wikinews (see SOURCE.md).

    python services/scraper/sample_site/corpus/build_wikinews.py PATH/TO/wikinews/data

Not part of the installed package: it documents how the shipped corpus was made. Kept: every article
of 150 to 1,500 words (shorter ones are stubs, longer ones election guides and interview transcripts),
with its opening dateline removed (the sample site gives each article its own publication time).
"""

import argparse
import csv
import gzip
import re
from pathlib import Path
from urllib.parse import unquote

import orjson

_DATELINE = re.compile(
    r"^\s*(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+\w+\s+\d{1,2},\s+\d{4}\s*$", re.IGNORECASE
)
MIN_WORDS, MAX_WORDS = 150, 1500


def _paragraphs(text: str) -> list[str]:
    blocks = [re.sub(r"\s+", " ", b.replace("\xa0", " ")).strip() for b in re.split(r"\n\s*\n", text)]
    blocks = [b for b in blocks if b]
    while blocks and _DATELINE.match(blocks[0]):
        blocks.pop(0)
    return blocks


def _slug(url: str) -> str:
    name = unquote(url.rstrip("/").rsplit("/", 1)[-1])
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80].rstrip("-")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path, help="the repository's data/ folder")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("wikinews.jsonl.gz"))
    args = parser.parse_args()
    records, slugs = [], set()
    for csv_path in sorted(args.data.glob("wikinews_*.csv")):
        with csv_path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                paragraphs = _paragraphs(row["text"])
                words = sum(len(p.split()) for p in paragraphs)
                slug = _slug(row["url"])
                if not (MIN_WORDS <= words <= MAX_WORDS) or slug in slugs:
                    continue
                slugs.add(slug)
                records.append(
                    {
                        "slug": slug,
                        "title": row["title"].strip(),
                        "paragraphs": paragraphs,
                        "source_url": row["url"].replace("org//wiki", "org/wiki"),
                        "source_date": row["date"],
                    }
                )
    records.sort(key=lambda r: (r["source_date"], r["slug"]))
    with gzip.GzipFile(args.out, "wb", mtime=0) as out:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
    print(f"{len(records)} articles -> {args.out}")


if __name__ == "__main__":
    main()
