"""No secret in a URL or a log line: redaction of log messages, session cookies, keys refused in URLs."""

import json
import logging
import sys
from pathlib import Path

import pytest

from newswire.api.cookies import fingerprint, make_session_cookie, read_session_cookie
from newswire.api.redact import RedactingFilter, redact

from .conftest import Api, api_settings, running_api

CASES = json.loads((Path(__file__).parent / "data" / "redaction.json").read_text())["cases"]


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_log_lines_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_the_filter_rewrites_formatted_records_and_tracebacks() -> None:
    record = logging.makeLogRecord(
        {"msg": '%s - "WebSocket %s" %s', "args": ("127.0.0.1:1", "/v1/ws?api_key=k-9", "[accepted]")}
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:1 - "WebSocket /v1/ws?api_key=[redacted]" [accepted]'
    try:
        raise ValueError("bad url /x?token=k-9")
    except ValueError:
        record = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    RedactingFilter().filter(record)
    assert record.exc_text is not None and "k-9" not in record.exc_text


def test_session_cookies_are_signed_expire_and_die_with_their_key() -> None:
    keys = ["k-alpha", "k-beta"]
    cookie = make_session_cookie(keys, "k-alpha", lifetime=60, now=1000)
    assert "k-alpha" not in cookie
    assert read_session_cookie(keys, cookie, now=1010) == fingerprint("k-alpha")
    assert read_session_cookie(keys, cookie, now=2000) is None  # expired
    assert read_session_cookie(["k-beta"], cookie, now=1010) is None  # key removed
    forged = cookie.rsplit(".", 1)[0] + "." + "0" * 64
    assert read_session_cookie(keys, forged, now=1010) is None
    assert read_session_cookie(keys, "garbage", now=1010) is None


@pytest.fixture
async def keyed(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with running_api(api_settings(tmp_path, api_keys=["k-alpha"])) as running:
        yield running


async def test_login_sets_an_httponly_cookie_that_authenticates(keyed: Api) -> None:
    client = keyed.client
    before = (await client.get("/auth/session")).json()
    assert before["required"] is True and before["authenticated"] is False
    assert (await client.post("/auth/login", json={"api_key": "nope"})).status_code == 401
    response = await client.post("/auth/login", json={"api_key": "k-alpha"})
    assert response.status_code == 200
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie
    assert "k-alpha" not in response.headers["set-cookie"]
    assert (await client.get("/v1/topics")).status_code == 200  # the cookie jar carries it
    assert (await client.get("/auth/session")).json()["authenticated"] is True
    await client.post("/auth/logout")
    client.cookies.clear()
    assert (await client.get("/v1/topics")).status_code == 401


async def test_a_key_in_the_url_is_refused_even_when_right(keyed: Api) -> None:
    response = await keyed.client.get("/v1/topics", params={"api_key": "k-alpha"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "key_in_url"
    assert (await keyed.client.get("/v1/topics", headers={"X-API-Key": "k-alpha"})).status_code == 200
