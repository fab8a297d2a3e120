"""A read-only view of a spaCy `Doc` whose token attributes are read once.

The linker's rules look at neighbouring tokens of every candidate, thousands of times per
article. `Doc.__getitem__` builds a new `Token` (and `Doc[a:b]` a new `Span`) on every access, and
`Doc.text` joins the whole text again each time: profiled, that was most of the linker's time.
`DocView` reads each token's attributes in one pass and answers `view[i]`, `view[a:b]`,
`len(view)`, iteration and `view.text` from plain Python lists and one string, with the same
values and slicing rules as the `Doc` (so rules read `doc[i].lower_` either way).

Built once per document (`DocView.of(doc)`, cached on the doc) after `doc.ents` are final; the
view does not follow later changes to the doc.
"""

from collections.abc import Iterator
from typing import Any, overload

from spacy.tokens import Doc

__all__ = ["DocView", "SpanView", "TokenView"]

_CACHE_KEY = "newswire_view"


class TokenView:
    """The attributes of one token the linker reads, as plain values."""

    __slots__ = (
        "doc",
        "i",
        "idx",
        "is_alpha",
        "is_lower",
        "is_punct",
        "is_sent_start",
        "is_space",
        "is_title",
        "is_upper",
        "like_num",
        "lower_",
        "text",
        "whitespace_",
    )

    def __init__(
        self, doc: "DocView", i: int, idx: int, whitespace: str, sent_start: bool | None, lexeme: "_Lexeme"
    ) -> None:
        self.doc = doc
        self.i = i
        self.idx = idx
        self.whitespace_ = whitespace
        #: True, False or None (unknown) as spaCy gives it
        self.is_sent_start = sent_start
        (
            self.text,
            self.lower_,
            self.is_alpha,
            self.is_upper,
            self.is_lower,
            self.is_title,
            self.is_punct,
            self.is_space,
            self.like_num,
        ) = lexeme

    @property
    def text_with_ws(self) -> str:
        return self.text + self.whitespace_

    def __len__(self) -> int:
        return len(self.text)

    def nbor(self, offset: int = 1) -> "TokenView":
        return self.doc[self.i + offset]

    def __repr__(self) -> str:
        return self.text


class SpanView:
    """Tokens [start, end) of a `DocView`; `text` is cut from the document's text."""

    __slots__ = ("_text", "doc", "end", "start")

    def __init__(self, doc: "DocView", start: int, end: int) -> None:
        self.doc = doc
        self.start = start
        self.end = end
        self._text: str | None = None

    @property
    def start_char(self) -> int:
        return self.doc.tokens[self.start].idx if self.end > self.start else self._empty_char()

    @property
    def end_char(self) -> int:
        if self.end <= self.start:
            return self._empty_char()
        last = self.doc.tokens[self.end - 1]
        return last.idx + len(last.text)

    def _empty_char(self) -> int:
        # As spaCy: an empty span sits at the start of the token it would begin with.
        tokens = self.doc.tokens
        if self.start < len(tokens):
            return tokens[self.start].idx
        return len(self.doc.text)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.doc.text[self.start_char : self.end_char] if self.end > self.start else ""
        return self._text

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self) -> Iterator[TokenView]:
        return iter(self.doc.tokens[self.start : self.end])

    @overload
    def __getitem__(self, key: int) -> TokenView: ...

    @overload
    def __getitem__(self, key: slice) -> "SpanView": ...

    def __getitem__(self, key: int | slice) -> "TokenView | SpanView":
        if isinstance(key, slice):
            start, end = _bounds(key, len(self))
            return SpanView(self.doc, self.start + start, self.start + end)
        if key < 0:
            key += len(self)
        if not 0 <= key < len(self):
            raise IndexError(key)
        return self.doc.tokens[self.start + key]

    def __repr__(self) -> str:
        return self.text


class DocView:
    """Token attributes and text of a `Doc`, read once; indexable like the `Doc`."""

    __slots__ = ("_sent_bounds", "doc", "memo", "text", "tokens", "user_data")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.user_data = doc.user_data
        lexemes = _lexemes(doc.vocab)
        tokens: list[TokenView] = []
        for token in doc:
            # The word's own attributes come from its vocabulary entry, read once per process.
            lexeme = lexemes.get(token.orth)
            if lexeme is None:
                lexeme = lexemes[token.orth] = _read_lexeme(token)
            tokens.append(TokenView(self, token.i, token.idx, token.whitespace_, token.is_sent_start, lexeme))
        self.tokens = tokens
        self._sent_bounds: list[tuple[int, int]] | None = None
        #: per-document results of checks that many candidates repeat (keyed by the caller)
        self.memo: dict[Any, Any] = {}

    @classmethod
    def of(cls, doc: "Doc | DocView") -> "DocView":
        """The document's view, built on first use."""
        if isinstance(doc, DocView):
            return doc
        view = doc.user_data.get(_CACHE_KEY)
        if not isinstance(view, DocView) or view.doc is not doc:
            view = doc.user_data[_CACHE_KEY] = cls(doc)
        return view

    @property
    def ents(self) -> tuple[Any, ...]:
        return tuple(self.doc.ents)

    def has_annotation(self, attr: str) -> bool:
        return bool(self.doc.has_annotation(attr))

    def sentence(self, i: int) -> tuple[int, int]:
        """Token range of the sentence of token i (the whole document when unsegmented)."""
        if self._sent_bounds is None:
            if self.doc.has_annotation("SENT_START"):
                bounds = [(0, 0)] * len(self.tokens)
                for sent in self.doc.sents:
                    for k in range(sent.start, sent.end):
                        bounds[k] = (sent.start, sent.end)
                self._sent_bounds = bounds
            else:
                self._sent_bounds = [(0, len(self.tokens))] * len(self.tokens)
        if i < 0:
            i += len(self.tokens)
        return self._sent_bounds[i]

    def __len__(self) -> int:
        return len(self.tokens)

    def __iter__(self) -> Iterator[TokenView]:
        return iter(self.tokens)

    @overload
    def __getitem__(self, key: int) -> TokenView: ...

    @overload
    def __getitem__(self, key: slice) -> SpanView: ...

    def __getitem__(self, key: int | slice) -> TokenView | SpanView:
        if key.__class__ is int:
            return self.tokens[key]
        # `key.__class__ is int` is faster than isinstance; mypy narrows only the latter.
        start, end = _bounds(key, len(self.tokens))  # type: ignore[arg-type]
        return SpanView(self, start, end)


_Lexeme = tuple[str, str, bool, bool, bool, bool, bool, bool, bool]
#: per vocabulary: orth id -> the attributes of the word; bounded (a long-running worker meets new words forever)
_LEXEME_CACHES: dict[int, dict[int, _Lexeme]] = {}
_LEXEME_CACHE_MAX = 200_000


def _lexemes(vocab: Any) -> dict[int, _Lexeme]:
    cache = _LEXEME_CACHES.setdefault(id(vocab), {})
    if len(cache) > _LEXEME_CACHE_MAX:
        cache.clear()
    return cache


def _read_lexeme(token: Any) -> _Lexeme:
    return (
        token.text,
        token.lower_,
        token.is_alpha,
        token.is_upper,
        token.is_lower,
        token.is_title,
        token.is_punct,
        token.is_space,
        token.like_num,
    )


def _bounds(key: slice, length: int) -> tuple[int, int]:
    """spaCy's slice rules: step 1 only, clamped to the document, never ending before it starts."""
    if key.step not in (None, 1):
        raise ValueError("DocView slices take no step")
    start = 0 if key.start is None else key.start
    if start < 0:
        start += length
    start = min(length, max(0, start))
    stop = length if key.stop is None else key.stop
    if stop < 0:
        stop += length
    stop = min(length, max(start, stop))
    return start, stop
