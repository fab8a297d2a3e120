"""Candidate main texts of one page, and the measured rule that picks one.

The candidates: trafilatura with its defaults (the primary: the text the benchmark compares
newswire to, so every layer over it must win against it), trafilatura favouring recall, the
readability algorithm trafilatura ships (`trafilatura.external.try_readability`), and the
publisher's JSON-LD `articleBody`. Each goes through the same clean-up (`clean_text`,
`trim_furniture`) before it is compared.

The rule, measured layer by layer against trafilatura alone on the dev half of trafilatura's
evaluation corpus (467 real pages, passage F1 per page, better/worse pages counted) and on the
gold set (14 pages, word 4-gram F1); see `make eval-extraction`:

- primary: trafilatura's defaults (tables kept) on the page as parsed; only when one table row
  holds a whole story (a page laid out with a table) is it extracted again without tables, on a
  tree whose `<br><br>` text is split into paragraphs (gold +0.010; no dev score changes);
- primary, unless `articleBody` is much longer (x1.5) or the same text flattened: dev +1/-0;
- when the chosen text is shorter than `min_words`, the longest of the recall, readability and
  `articleBody` candidates: dev +2/-2 but +0.003 (two pages from 0 to 0.75-1; the short articles the
  refusal rule keeps get their text); a threshold of 120 or 200 words loses more than it wins;
- rejected: splitting `<br><br>` paragraphs on every page (+5/-6), precision mode (+19/-23), recall
  mode (+8/-20), no tables (+0/-10), deduplication (+0/-2), the candidate that agrees most with
  `articleBody` (26 dev pages have one: -0.007), the candidate that agrees most with the others;
  for short pages, a fallback only when it contains most of the primary's 3-grams (dev -1 page,
  -0.002 at every threshold from 0.5 to 0.95); a fallback only when it is 1.5 times longer than
  the short text or reaches `min_words` (dev +2/-0, +0.0011, but not one test page changed: left
  out by the rule that a layer must also help the frozen half); recall mode where its extra lines
  over the primary are prose (dev +3/-0, test +0.0001 for a second extraction of every page);
- dropped: pruning embedded social posts (tweets, Instagram) before extraction. Dev 0 pages
  changed, the frozen test half +5/-1 (+0.0018) without it: trafilatura's annotators count the
  quoted post as part of the story on 5 of 6 pages that have one.

The fallbacks cost a second and third extraction, so they run only for short pages, which keeps
the scraper's throughput on ordinary articles.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import trafilatura
from lxml import html as lxml_html
from trafilatura.external import try_readability

__all__ = ["Choice", "choose", "layout_table", "readability_text", "trafilatura_text", "word_count"]

logger = logging.getLogger(__name__)

#: Scripts written without spaces between words: about two characters make a word.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_READABLE_BLOCKS = ("p", "li", "h2", "h3", "h4", "blockquote", "pre", "td", "dd")
#: A table row with more words than this is page layout (1990s sites), not data.
LAYOUT_ROW_WORDS = 100
#: `articleBody` replaces the primary text when it is this much longer.
BODY_RATIO = 1.5


def word_count(text: str) -> int:
    """Words, counting Chinese, Japanese and Thai text (no spaces) as one word per two characters."""
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + unspaced // 2


def trafilatura_text(
    tree: lxml_html.HtmlElement,
    *,
    url: str | None,
    mode: Literal["primary", "recall"] = "primary",
    tables: bool = False,
) -> str:
    """trafilatura's main text of `tree` (which it edits: pass a tree nothing else needs)."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=tables,
        include_images=False,
        deduplicate=False,
        favor_recall=mode == "recall",
    )
    return getattr(document, "text", None) or ""


def layout_table(text: str) -> bool:
    """One table row holding a whole story: the page is laid out with a table, not a data table in it.

    One row only: a data table whose rows are long (a wiki's table of a character's schedule, 11
    rows over 100 words on a dev page) is content, and dropping tables there lost it (dev 0.8 -> 0.5).
    """
    return sum(line.startswith("|") and word_count(line) > LAYOUT_ROW_WORDS for line in text.splitlines()) == 1


def readability_text(tree: lxml_html.HtmlElement) -> str:
    """The readability algorithm's main text, one block per line."""
    element = try_readability(tree)
    if element is None:
        return ""
    lines = [" ".join(e.text_content().split()) for e in element.iter(*_READABLE_BLOCKS)]
    lines = [line for line in lines if line]
    return "\n".join(lines) if lines else " ".join(element.text_content().split())


@dataclass(frozen=True, slots=True)
class Choice:
    text: str
    #: Which candidate won: primary, article_body, recall or readability.
    candidate: str


def _same_flattened(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def choose(
    primary: str,
    *,
    article_body: str,
    fallbacks: Callable[[], dict[str, str]],
    min_words: int,
    listing: Callable[[str], bool] = lambda _text: False,
) -> Choice:
    """Pick the main text by the rule above; `fallbacks()` (cleaned recall and readability texts)
    is called only when the first choice is short or, by `listing`, a list of the page's own links
    (a short story on a page of menus, where the extractor took a menu: the others may find the story)."""
    choice = Choice(primary, "primary")
    # The publisher's own articleBody rescues pages whose layout defeats the text extractor (whose
    # last resort is that same articleBody, flattened into one line: the paragraphs are kept here).
    if (
        article_body
        and (len(article_body) > BODY_RATIO * len(primary) or _same_flattened(primary, article_body))
        and word_count(article_body) >= min_words
    ):
        choice = Choice(article_body, "article_body")
    if word_count(choice.text) >= min_words and not listing(choice.text):
        return choice
    others = {name: text for name, text in fallbacks().items() if text}
    if article_body:
        others["article_body"] = article_body
    first_listing = listing(choice.text)
    for name, text in others.items():
        if listing(text) and not first_listing:
            continue
        prose_instead = first_listing and not listing(text)
        if prose_instead or word_count(text) > word_count(choice.text):
            choice = Choice(text, name)
            first_listing = first_listing and not prose_instead
    return choice
