"""URL normalisation: one spelling per page."""

from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newswire.scraper.urls import UrlError, host_of, is_tracking_param, normalise_url, origin_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1#frag", "http://example.com/a/c?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
        ("https://example.com/story?fbclid=abc&gclid=def&id=7", "https://example.com/story?id=7"),
        ("https://example.com/story?utm_medium=social&UTM_CAMPAIGN=x", "https://example.com/story"),
        ("https://münchen.de/news", "https://xn--mnchen-3ya.de/news"),
        ("  https://example.com/a b  ", "https://example.com/a%20b"),
        ("https://example.com//double/../x", "https://example.com/x"),
    ],
)
def test_normalise_url(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    "raw", ["ftp://example.com/x", "mailto:a@b.c", "/relative/path", "javascript:alert(1)", "http://:80/", "http://./", "https://../x"]
)
def test_non_http_urls_are_refused(raw: str) -> None:
    with pytest.raises(UrlError):
        normalise_url(raw)


def test_tracking_params_are_recognised() -> None:
    assert is_tracking_param("utm_source") and is_tracking_param("fbclid") and is_tracking_param("mc_eid")
    assert not is_tracking_param("id") and not is_tracking_param("page")


def test_host_and_origin_drop_default_ports() -> None:
    assert host_of("https://Example.com:443/x") == "example.com"
    assert host_of("http://127.0.0.1:8800/x") == "127.0.0.1:8800"
    assert origin_of("http://127.0.0.1:8800/a/b?c") == "http://127.0.0.1:8800"


_segment = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
_host = st.from_regex(r"[a-z][a-z0-9-]{0,15}\.(com|org|pk|kz)", fullmatch=True)
_params = st.lists(st.tuples(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(max_size=8)), max_size=4)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(_host)
    if draw(st.booleans()):
        host = host.upper()
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_segment, max_size=4)))
    query = urlencode(draw(_params))
    fragment = draw(st.sampled_from(["", "#top", "#section-2"]))
    return f"{scheme}://{host}{port}/{quote(path, safe='/')}" + (f"?{query}" if query else "") + fragment


@given(urls())
def test_normalisation_is_idempotent(url: str) -> None:
    once = normalise_url(url)
    assert normalise_url(once) == once


@given(urls(), st.sampled_from(["utm_source=rss", "utm_medium=email&utm_campaign=x", "fbclid=IwAR0", "gclid=1"]))
def test_tracking_parameters_never_change_the_result(url: str, tracking: str) -> None:
    separator = "&" if "?" in url.split("#")[0] else "?"
    base, _, fragment = url.partition("#")
    assert normalise_url(f"{base}{separator}{tracking}" + (f"#{fragment}" if fragment else "")) == normalise_url(url)


@given(urls())
def test_result_has_no_fragment_no_default_port_and_lowercase_host(url: str) -> None:
    result = normalise_url(url)
    parts = urlsplit(result)
    assert "#" not in result
    assert parts.port != {"http": 80, "https": 443}[parts.scheme]
    assert host_of(result) == host_of(result).lower()
    assert result.startswith(("http://", "https://"))
