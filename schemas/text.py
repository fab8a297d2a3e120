"""Text as the wire carries it: no NUL, no other C0 control but tab and newline, no lone surrogate.

Pages and feeds hold anything: a JSON-LD `headline` with `\\u0000`, an author name with a form
feed, Windows line ends. PostgreSQL refuses NUL in text columns, lone surrogates cannot be encoded
as UTF-8 at all, and the other controls only ever come from broken producers. The models of the
contract run every text field through `clean_text` when they are built or decoded, so the scraper
(which builds `RawArticle`s) and the enricher (which decodes them) normalise text once where it
enters, and no producer can put such a character on a topic.

Line breaks keep their meaning: CR LF and a lone CR become LF; vertical tab and form feed, which
separate lines or pages, become LF too; every other C0 control (and each lone surrogate) is
dropped. Text that has none of them is returned as is (the same object), at the cost of one scan.

An article's `text` is different: mentions point into it by offset, so dropping a character would
move every mention after it. `clean_text_in_place` keeps the length: a CR before LF and every
other unwanted character becomes a space (a lone CR, vertical tab and form feed still become LF,
a lone surrogate U+FFFD), and `OffsetText` fields (the article text, a mention's text) use it.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["OffsetText", "WireText", "clean_text", "clean_text_in_place", "has_controls"]

# One alternation, so a CR LF pair is one match (one LF), not two.
_UNWANTED = re.compile(r"\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_LINE_BREAKS = frozenset({"\r", "\r\n", "\x0b", "\x0c"})


def _replace(match: re.Match[str]) -> str:
    return "\n" if match.group() in _LINE_BREAKS else ""


def has_controls(text: str) -> bool:
    """Whether `clean_text` would change `text`."""
    return _UNWANTED.search(text) is not None


def clean_text(text: str) -> str:
    """`text` without NUL, other C0 controls but tab and newline, or lone surrogates; CR LF as LF."""
    if _UNWANTED.search(text) is None:
        return text
    return _UNWANTED.sub(_replace, text)


def _replace_in_place(match: re.Match[str]) -> str:
    found = match.group()
    if found == "\r\n":
        return " \n"
    if found in _LINE_BREAKS:
        return "\n"
    return "\ufffd" if "\ud800" <= found <= "\udfff" else " "


def clean_text_in_place(text: str) -> str:
    """`clean_text` that keeps every character's offset: what it would drop becomes a space."""
    if _UNWANTED.search(text) is None:
        return text
    return _UNWANTED.sub(_replace_in_place, text)


#: A `str` field of the wire contract: cleaned by `clean_text` whenever a model is validated.
WireText = Annotated[str, AfterValidator(clean_text)]

#: A `str` that offsets point into (an article's text, a mention's text): cleaned in place.
OffsetText = Annotated[str, AfterValidator(clean_text_in_place)]
