"""Clean-up shared by every extraction candidate: paragraphs from `<br><br>` before extraction,
link lines, furniture, headline and byline lines after it."""

import re
from pathlib import Path

import yaml
from lxml import html as lxml_html

__all__ = ["clean_text", "split_br_paragraphs", "trim_furniture"]

_PATTERNS = yaml.safe_load(Path(__file__).with_name("furniture.yaml").read_text(encoding="utf-8"))
# "Read More: <headline>", "Also Read - ...": links to other stories set inside the body.
_LINK_LINE = re.compile(r"^\s*(?:\W\s*)?(?:" + "|".join(_PATTERNS["link_labels"]) + r")\s*[:：\-–—|»>]", re.IGNORECASE)
# Whole lines that are page furniture, not prose (the pattern file says which and why).
_FURNITURE = re.compile(
    r"^\s*(?:" + "|".join(f"(?:{p})" for p in _PATTERNS["furniture_lines"]) + r")\s*$", re.IGNORECASE
)
# Byline and dateline furniture that sits at the top of the main text on some layouts.
_BYLINE = re.compile(r"^(?:by|von|par|por|di)\s+[\w .,'’&-]+$", re.IGNORECASE)
_STAMP = re.compile(r"^(?:published|updated|posted|last updated|first published)\b.{0,60}$", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "div",
        "dl",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)


def clean_text(text: str) -> str:
    """Drop "Read More:"-style link lines and page furniture; collapse blank lines."""
    lines = []
    for line in text.splitlines():
        stripped = " ".join(line.split())
        if not stripped or _LINK_LINE.match(stripped) or _FURNITURE.match(stripped):
            continue
        lines.append(stripped)
    return "\n".join(lines)


def _same_line(a: str, b: str | None) -> bool:
    return b is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def trim_furniture(text: str, *, title: str | None = None, description: str | None = None) -> str:
    """Drop the headline, standfirst, byline and date lines some layouts put inside the main text.

    Measured one by one against trafilatura alone (dev half of its corpus, gold set): the headline
    line (gold +0.006: the headline is not body text; dev -3 pages whose annotators counted it) and
    short byline/date lines at the top (gold +0.001, dev +0/-0) are dropped. Tried and left out
    because they lost pages on dev: lines without a letter ("19:49", a phone number), wire
    sign-offs ("Additional reporting by ..."), and "A | B | C" navigation lines.
    """
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        near_top = index < 4
        short = len(line.split()) <= 8
        if not line.strip():
            continue
        if near_top and (_same_line(line, title) or (_same_line(line, description) and len(lines) > 6)):
            continue
        if near_top and short and (_BYLINE.match(line) or _STAMP.match(line)):
            continue
        kept.append(line)
    return "\n".join(kept)


class _Paragraphs:
    """Rebuilds one element's children, grouping inline content between `<br><br>` into `<p>`s."""

    def __init__(self) -> None:
        self.children: list[lxml_html.HtmlElement] = []
        self.current: lxml_html.HtmlElement | None = None
        self.breaks = 0

    def paragraph(self) -> lxml_html.HtmlElement:
        if self.current is None:
            self.current = lxml_html.Element("p")
            self.children.append(self.current)
        return self.current

    def settle_breaks(self) -> None:
        if self.breaks >= 2:
            self.current = None
        elif self.breaks == 1 and self.current is not None:
            self.current.append(lxml_html.Element("br"))
        self.breaks = 0

    def add_text(self, text: str) -> None:
        self.settle_breaks()
        paragraph = self.paragraph()
        if len(paragraph):
            paragraph[-1].tail = (paragraph[-1].tail or "") + text
        else:
            paragraph.text = (paragraph.text or "") + text

    def add(self, child: lxml_html.HtmlElement) -> None:
        if child.tag == "br":
            self.breaks += 1
            return
        self.settle_breaks()
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            self.current = None
            self.children.append(child)
        else:
            self.paragraph().append(child)


def split_br_paragraphs(tree: lxml_html.HtmlElement) -> None:
    """Turn text separated by `<br><br>` into `<p>` elements, as Readability does.

    Old CMSes and hand-written pages separate paragraphs with double line breaks; without real
    paragraphs, text extractors cannot tell the story from the navigation around it.
    """
    parents = {
        br.getparent(): None
        for br in tree.iter("br")
        if not (br.tail or "").strip() and (after := br.getnext()) is not None and after.tag == "br"
    }
    for parent in parents:
        if parent is None:
            continue
        builder = _Paragraphs()
        if parent.text and parent.text.strip():
            builder.add_text(parent.text)
        parent.text = None
        for child in list(parent):
            parent.remove(child)
            tail, child.tail = child.tail, None
            builder.add(child)
            if tail and tail.strip():
                builder.add_text(tail)
        parent.extend(builder.children)
