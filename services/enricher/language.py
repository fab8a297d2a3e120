"""Which articles the enricher reads: English ones, told by their text where it is long enough.

The NLP model, the gazetteers' name rules and the topic lexicon are English. Run on another
language they do not fail, they make things up. On fundus's 122 real articles in German, French,
Spanish, Italian, Norwegian and Swedish, English NER takes ordinary capitalised nouns for names
("Donnerstag" and "Schule" as people, "Feuer" as a region: most of each article's entities), and 34
articles got a topic at 0.5 or more, about a third of them wrong (the German "war", "was", is
security evidence: a chicken-soup recipe scored `security` 0.62, a handball report 0.72; the
Swedish "som" made missing-person and school stories economy). Such an article is passed through
unread: no entities, no topics, no countries, its summary kept, counted by
`newswire_articles_unread_total{language}`.

The text decides when it has `MIN_WORDS` words or more: English prose is about a third function
words ("the", "of", "and", ...). Measured as the share of words in spaCy's English stop-word list,
title and text together: Wikinews (293 articles), the team set (86) and fundus's English articles
(77) are all at 0.30 or more; fundus's 122 articles in other European languages and 7 in Hindi,
Swahili, Zulu and Xhosa are all at 0.10 or less. `MIN_STOP_SHARE` sits between. A shorter text
(a headline and a line) says too little, so there the declared language decides, and an article
with none is read.
"""

import re

from spacy.lang.en.stop_words import STOP_WORDS

__all__ = ["MIN_STOP_SHARE", "MIN_WORDS", "READ_LANGUAGE", "UNDETERMINED", "english_share", "unread_language"]

#: the language the enricher's models read (ISO 639-1)
READ_LANGUAGE = "en"
#: from this many words the text, not the declared language, decides
MIN_WORDS = 30
#: share of English stop words below which a text is not English
MIN_STOP_SHARE = 0.15
#: what an unread article is counted under when it declares no language (ISO 639-2 "undetermined")
UNDETERMINED = "und"

_WORD = re.compile(r"[^\W\d_]+")


def english_share(text: str) -> tuple[float, int]:
    """(share of the words that are English stop words, number of words)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0, 0
    return sum(w.lower() in STOP_WORDS for w in words) / len(words), len(words)


def unread_language(*, title: str, text: str, declared: str | None) -> str | None:
    """None when the enricher reads the article; else the language it is counted under (the
    declared one, or `UNDETERMINED` for a text that is not English and declares nothing or English)."""
    share, words = english_share(f"{title}\n{text}")
    if words >= MIN_WORDS:
        if share >= MIN_STOP_SHARE:
            return None
        return declared if declared and declared != READ_LANGUAGE else UNDETERMINED
    if declared is None or declared == READ_LANGUAGE:
        return None
    return declared
