"""Full-text queries in web-search syntax: `words`, `"a phrase"`, `x OR y`, `-word`, `-"a phrase"`.

A query is a conjunction of clauses; a clause is one term or several joined by `OR` (upper case, as
web search engines spell it; a lower-case "or" is a word); a term is a word or a phrase, and a
leading `-` excludes it. Punctuation is not an operator: words are the runs of letters and digits,
and a token such as `land-bridge` is the phrase "land bridge". The parsed query is translated to
SQL by the store (FTS5 or tsquery) and evaluated in process for live streams (`matches`), so that
a replayed and a live article are chosen by the same rules.

Known difference: PostgreSQL's `english` configuration drops stop words ("the", "and", "or") from
a query, where FTS5 and the in-process twin require them; phrases keep their word distances in both.
"""

import re
from dataclasses import dataclass

__all__ = ["MAX_TERMS", "SearchQuery", "SearchSyntaxError", "Term", "parse_query"]

#: More terms than this is not a search but a document; the index would do a lot of work for it.
MAX_TERMS = 16

_WORD = re.compile(r"\w+", re.UNICODE)


class SearchSyntaxError(ValueError):
    """A query this parser cannot read; the message says why, for the client."""


@dataclass(frozen=True, slots=True)
class Term:
    """One word (a single-word phrase) or a phrase: case-folded words that must occur in order."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Every clause must match (each clause: any of its terms); no excluded term may match."""

    clauses: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def terms(self) -> list[Term]:
        return [t for clause in self.clauses for t in clause] + list(self.excluded)

    def matches(self, text: str) -> bool:
        """Whether a case-folded text satisfies the query (the in-process twin of the store's SQL)."""
        words = _WORD.findall(text)
        vocabulary = set(words)

        def found(term: Term) -> bool:
            if len(term.words) == 1:
                return _word_in(term.words[0], vocabulary)
            first = term.words[0]
            for i, word in enumerate(words):
                if _same_word(first, word) and all(
                    i + k < len(words) and _same_word(w, words[i + k]) for k, w in enumerate(term.words[1:], 1)
                ):
                    return True
            return False

        return all(any(found(t) for t in clause) for clause in self.clauses) and not any(
            found(t) for t in self.excluded
        )


def _stem(word: str) -> str:
    # The store's full-text index stems words ("visits" finds "visit"); a shared prefix of all but
    # a short suffix is the in-process approximation of that.
    return word[: max(4, len(word) - 2)]


def _same_word(term: str, word: str) -> bool:
    return word == term or word.startswith(_stem(term))


def _word_in(term: str, vocabulary: set[str]) -> bool:
    if term in vocabulary:
        return True
    stem = _stem(term)
    return any(w.startswith(stem) for w in vocabulary)


def _tokens(query: str) -> list[tuple[str, bool, tuple[str, ...]]]:
    """(kind, negated, words) per token; kind is `term` or `or`. Tokens with no word are dropped."""
    out: list[tuple[str, bool, tuple[str, ...]]] = []
    pos = 0
    while pos < len(query):
        if query[pos].isspace():
            pos += 1
            continue
        negated = query[pos] == "-" and pos + 1 < len(query) and not query[pos + 1].isspace()
        start = pos + 1 if negated else pos
        if query.startswith('"', start):
            end = query.find('"', start + 1)
            if end < 0:
                raise SearchSyntaxError('a quote is not closed: put a `"` after the phrase')
            body, pos = query[start + 1 : end], end + 1
        else:
            end = start
            while end < len(query) and not query[end].isspace() and query[end] != '"':
                end += 1
            body, pos = query[start:end], end
            if body == "OR" and not negated:
                out.append(("or", False, ()))
                continue
        words = tuple(w.casefold() for w in _WORD.findall(body))
        if words:
            out.append(("term", negated, words))
    return out


def parse_query(query: str) -> SearchQuery | None:
    """The query's structure; None when it holds no word at all (punctuation only).

    Raises SearchSyntaxError for what has no sensible reading: an unclosed quote, an `OR` without a
    term on each side, an `OR` next to an excluded term, a query that only excludes, too many terms.
    """
    tokens = _tokens(query)
    if not tokens:
        return None
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    last: str | None = None  # the previous token: "term", "excluded" or "or"
    for kind, negated, words in tokens:
        if kind == "or":
            if last in (None, "or"):
                raise SearchSyntaxError("`OR` needs a word or phrase on each side")
            if last == "excluded":
                raise SearchSyntaxError("`OR` cannot join an excluded (`-`) term")
            last = "or"
            continue
        term = Term(words)
        if negated:
            if last == "or":
                raise SearchSyntaxError("`OR` cannot join an excluded (`-`) term")
            excluded.append(term)
            last = "excluded"
        else:
            if last == "or":
                clauses[-1].append(term)
            else:
                clauses.append([term])
            last = "term"
    if last == "or":
        raise SearchSyntaxError("`OR` needs a word or phrase on each side")
    positive = tuple(tuple(c) for c in clauses)
    if not positive:
        raise SearchSyntaxError("the query only excludes (`-word`): add a word to search for")
    parsed = SearchQuery(clauses=positive, excluded=tuple(excluded))
    if len(parsed.terms) > MAX_TERMS:
        raise SearchSyntaxError(f"a query has at most {MAX_TERMS} terms")
    return parsed
