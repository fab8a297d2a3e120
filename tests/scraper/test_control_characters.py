"""Pages whose metadata holds NUL and other control characters (issue 14, finding 2): the scraper's
RawArticle carries none of them, so nothing it publishes can stop a PostgreSQL store."""

from newswire.schemas import RawArticle, content_hash, decode, encode
from newswire.scraper.extraction import extract_article

_PARAGRAPH = (
    "The regional council approved the new budget on Tuesday after a long debate about spending on roads, "
    "schools and hospitals, and officials said the first projects would begin within weeks. "
)


def test_json_ld_headline_and_authors_with_nul_are_cleaned_as_the_article_is_built() -> None:
    # JSON escapes, as a page would write them: the JSON-LD parser turns them into real characters.
    jsonld = (
        '{"@type":"NewsArticle","headline":"Council\\u0000 approves budget",'
        '"author":[{"@type":"Person","name":"Amina\\u0000 Khan"},{"@type":"Person","name":"Bilal\\u0007 Ahmed"}]}'
    )
    body = "".join(f"<p>Part {n}. {_PARAGRAPH}\x00</p>" for n in range(4))
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f'<script type="application/ld+json">{jsonld}</script></head>'
        f"<body><article>{body}</article></body></html>"
    )
    article = extract_article(page.encode(), url="https://news.example/budget", source="t")

    assert article.title == "Council approves budget"
    assert article.authors == ["Amina Khan", "Bilal Ahmed"]
    fields = [article.title, article.text, *article.authors, article.url, article.canonical_url]
    assert not any(c in field for field in fields for c in "\x00\x07\r")
    assert article.content_hash == content_hash(article.text)
    wire = encode(article)
    assert b"\\u0000" not in wire and b"\x00" not in wire
    assert decode(wire, RawArticle) == article
