"""Rebuild `eval/topics/wikinews2004/articles.jsonl` from WikinewsSum's English Wikinews dump extract.

Usage: python eval/topics/build_wikinews2004.py ENDATASET.json

ENDATASET.json is `endataset.json` of github.com/airKlizz/WikinewsSum at the commit named in
`wikinews2004/SOURCE.md` (one JSON object a line: `title`, `text` as a list of wikitext paragraphs,
`categories`, `sources`). Only the Wikinews article is kept (title, text, categories); the `sources`
(texts of other news sites) are dropped unread. Wiki markup is reduced to its visible text; an
article keeps its Wikinews top-level categories, mapped to newswire topics with
`wikinews/category_map.yaml`; articles without a mapped category are left out. The split is a
function of the page URL alone (sha256, first byte): about 60% `test` (frozen), 40% `dev`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

import yaml

__all__ = ["clean_wikitext", "main", "split_of"]

HERE = Path(__file__).resolve().parent
OUT = HERE / "wikinews2004" / "articles.jsonl"
CATEGORY_MAP = HERE / "wikinews" / "category_map.yaml"
_LINK_W = re.compile(r"\{\{w\|(?:[^|{}]*\|)?([^|{}]*)\}\}")
_LINK = re.compile(r"\[\[(?:[^|\]]*\|)*([^\]|]*)\]\]")
_EXTERNAL = re.compile(r"\[https?://\S+ ([^\]]*)\]")
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_OPEN_TEMPLATE = re.compile(r"\{\{[^{}\n]*|\{[a-zA-Z]+\}\}")
_DATE = re.compile(r"\{\{date\|([^{}]*)\}\}")
#: lines that are layout, not prose: headings, lists, tables, image captions, short fragments
_LAYOUT = ("==", "*", "|", "!", "frame|", "thumb|", "<!--")
_MIN_CHARS = 30


def split_of(url: str) -> str:
    bucket = hashlib.sha256(url.encode()).digest()[0] * 100 // 256
    return "test" if bucket < 60 else "dev"


def clean_wikitext(paragraph: str) -> list[str]:
    """The visible prose lines of one wikitext paragraph."""
    text = _LINK_W.sub(r"\1", paragraph)
    text = _LINK.sub(r"\1", text)
    text = _EXTERNAL.sub(r"\1", text)
    previous = None
    while previous != text:  # templates nest: strip the innermost until none is left
        previous, text = text, _TEMPLATE.sub("", text)
    text = _OPEN_TEMPLATE.sub("", text)
    text = re.sub(r"'{2,}", "", re.sub(r"<[^>]+>", "", text)).replace("&mdash;", "—")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if len(line) >= _MIN_CHARS and not line.startswith(_LAYOUT)]


def main(argv: list[str]) -> int:
    category_map = yaml.safe_load(CATEGORY_MAP.read_text("utf-8"))
    kept = 0
    with Path(argv[0]).open(encoding="utf-8") as src, OUT.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            row = json.loads(line)
            categories = [c for c in row["categories"] if c in category_map]
            topics = sorted({t for c in categories for t in category_map[c]})
            body = [p for paragraph in row["text"] for p in clean_wikitext(paragraph)]
            if not topics or not body:
                continue
            date = next((m.group(1) for p in row["text"] for m in [_DATE.search(p)] if m), "")
            url = "https://en.wikinews.org/wiki/" + quote(row["title"].replace(" ", "_"))
            record = {
                "id": f"wikinews2004-{hashlib.sha256(url.encode()).hexdigest()[:8]}",
                "url": url,
                "date": date,
                "title": row["title"],
                "text": "\n".join(body),
                "categories": categories,
                "topics": topics,
                "split": split_of(url),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            kept += 1
    print(f"{kept} articles -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
