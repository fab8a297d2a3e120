"""Charset decoding of pages whose bytes and declarations disagree."""

from newswire.scraper.extraction import decode_html

LETTERS = "Gespräche über Straßenbahnen, schön und günstig. " * 20


def test_utf8_page_with_one_broken_byte_stays_utf8() -> None:
    # A UTF-8 page with one stray Latin-1 byte: decoded as Windows-1252 every umlaut would be garbled.
    body = ("<meta charset='utf-8'><p>" + LETTERS + "</p>").encode("utf-8") + b"\xe9<p>" + LETTERS.encode("utf-8")
    decoded = decode_html(body)
    assert decoded.encoding == "utf-8"
    assert "Gespräche über Straßenbahnen" in decoded.text
    assert "Ã" not in decoded.text


def test_utf8_bytes_declared_latin1_are_utf8() -> None:
    decoded = decode_html(("<meta charset='iso-8859-1'><p>" + LETTERS + "</p>").encode("utf-8"))
    assert "Gespräche über Straßenbahnen" in decoded.text


def test_latin1_bytes_declared_utf8_are_still_latin1() -> None:
    decoded = decode_html(("<meta charset='utf-8'><p>" + LETTERS + "</p>").encode("latin-1"))
    assert decoded.fallback
    assert "Gespräche über Straßenbahnen" in decoded.text


def test_undeclared_cyrillic_page_is_guessed() -> None:
    text = "Правительство утвердило новый бюджет на следующий год после долгих обсуждений. " * 10
    decoded = decode_html(("<p>" + text + "</p>").encode("cp1251"))
    assert "Правительство утвердило новый бюджет" in decoded.text
