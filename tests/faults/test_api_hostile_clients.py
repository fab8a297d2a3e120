"""Hostile or careless HTTP clients against the API on a real server over loopback (no broker):
out-of-range times and cursors, API-key guessing, and secrets that must never reach a log line."""

import asyncio
import base64
from collections import Counter
from pathlib import Path

import httpx
import pytest
import websockets

from newswire.api import create_app
from tests.api.conftest import api_settings, serving

from .outcomes import Outcome, full_mode, record
from .pipeline import Pipeline

pytestmark = pytest.mark.faults

OUT_OF_RANGE = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:30:00+14:00"]


def _huge_cursor() -> str:
    raw = f"{10**30}:{'a' * 32}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def _ws_status(url: str) -> int:
    """The HTTP status a WebSocket handshake got (101 when it was accepted)."""
    try:
        async with websockets.connect(url.replace("http://", "ws://"), open_timeout=10) as ws:
            await ws.close()
            return 101
    except websockets.InvalidStatus as exc:
        return exc.response.status_code


async def test_out_of_range_times_and_cursors_are_400(tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path), consume=False)
    answers: list[tuple[str, int, str]] = []
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        for value in OUT_OF_RANGE:
            for path, name in (("/v1/articles", "since"), ("/v1/articles", "until"), ("/v1/stream", "since")):
                response = await client.get(path, params={name: value})
                answers.append((f"{path}?{name}", response.status_code, response.json()["error"]["code"]))
            status = await _ws_status(f"{url}/v1/ws?{httpx.QueryParams({'since': value})}")
            answers.append(("/v1/ws?since", status, "datetime_out_of_range" if status == 400 else "?"))
        response = await client.get("/v1/articles", params={"cursor": _huge_cursor()})
        answers.append(("/v1/articles?cursor", response.status_code, response.json()["error"]["code"]))
    statuses = Counter(status for _, status, _ in answers)
    codes = Counter(code for _, _, code in answers)
    passed = statuses == Counter({400: len(answers)}) and set(codes) == {"datetime_out_of_range", "invalid_cursor"}
    record(
        Outcome(
            case="input.api-out-of-range-times",
            kind="bad input",
            tried=f"valid ISO 8601 times outside years 1-9999 once in UTC ({', '.join(OUT_OF_RANGE)}) as since/until "
            "on REST, /v1/stream and /v1/ws, and a pagination cursor holding a 100-bit integer",
            behaviour=f"answers {dict(statuses)}, error codes {dict(codes)}; no 5xx",
            passed=passed,
            details={"answers": answers},
        )
    )
    assert passed, answers


async def test_guessing_api_keys_is_rate_limited_per_address(tmp_path: Path) -> None:
    guesses = 300 if full_mode() else 100
    settings = api_settings(tmp_path, api_keys=["right-key"], api_auth_failure_rate=0.05, api_auth_failure_burst=10)
    app = create_app(settings, consume=False)
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    retry_after: set[str] = set()
    async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        for n in range(guesses):
            response = await client.get("/v1/articles", headers={"Authorization": f"Bearer guess-{n}"})
            statuses[response.status_code] += 1
            codes[response.json()["error"]["code"]] += 1
            if response.status_code == 429:
                retry_after.add(response.headers.get("Retry-After", ""))
        # The right key from the same address is refused too while the address is blocked.
        right = await client.get("/v1/articles", headers={"Authorization": "Bearer right-key"})
        login = await client.post("/auth/login", json={"api_key": "right-key"})
        metrics = (await client.get("/metrics")).text
    counted = _metric(metrics, 'newswire_api_auth_failures_total{reason="invalid"}')
    limited = _metric(metrics, "newswire_api_auth_rate_limited_total")
    passed = (
        statuses == Counter({401: 10, 429: guesses - 10})
        and right.status_code == 429
        and login.status_code == 429
        and all(v.isdigit() and int(v) >= 1 for v in retry_after)
        and counted == 10
        and limited == guesses - 10 + 2
    )
    record(
        Outcome(
            case="input.api-key-guessing",
            kind="bad input",
            tried=f"{guesses} requests with wrong API keys from one address, then the right key (header and "
            "POST /auth/login) from the same address",
            behaviour=f"answers {dict(statuses)} (codes {dict(codes)}, Retry-After {sorted(retry_after)}); the right "
            f"key then {right.status_code} and login {login.status_code}; counted in "
            f"newswire_api_auth_failures_total ({counted:.0f}) and "
            f"newswire_api_auth_rate_limited_total ({limited:.0f})",
            passed=passed,
            details={"statuses": dict(statuses), "codes": dict(codes)},
        )
    )
    assert passed, (statuses, right.status_code, login.status_code, retry_after, counted, limited)


async def test_no_api_key_or_session_cookie_in_any_log_line(tmp_path: Path) -> None:
    key = "s3cret-key-abcdef0123456789"
    pipeline = Pipeline(
        bootstrap_servers="127.0.0.1:9",
        topic_prefix="secrets.",
        workdir=tmp_path,
        sample_site=False,
        env={"NEWSWIRE_API_KEYS": key, "NEWSWIRE_LOG_LEVEL": "DEBUG"},
    )
    tried: list[str] = []
    try:
        pipeline.spawn("api")
        await pipeline.wait_http(pipeline.api_url + "/healthz", what="the API")
        async with httpx.AsyncClient(base_url=pipeline.api_url, timeout=10) as client:
            refused = await client.get("/v1/articles", params={"api_key": key})
            tried.append(f"?api_key= -> {refused.status_code} {refused.json()['error']['code']}")
            for params in ({"token": key}, {"password": key}):
                await client.get("/v1/topics", params=params)
            bearer = await client.get("/v1/topics", headers={"Authorization": f"Bearer {key}"})
            tried.append(f"Authorization: Bearer -> {bearer.status_code}")
            tried.append(f"X-API-Key -> {(await client.get('/v1/topics', headers={'X-API-Key': key})).status_code}")
            login = await client.post("/auth/login", json={"api_key": key})
            cookie = login.cookies.get("newswire_session") or ""
            tried.append(f"POST /auth/login -> {login.status_code}, cookie HttpOnly: "
                         f"{'httponly' in login.headers.get('set-cookie', '').lower()}")
            async with client.stream("GET", "/v1/stream", cookies={"newswire_session": cookie}) as stream:
                tried.append(f"SSE with the cookie -> {stream.status_code}")
        ws = pipeline.api_url.replace("http://", "ws://")
        for url, headers in (
            (f"{ws}/v1/ws?api_key={key}", {}),
            (f"{ws}/v1/ws", {"Authorization": f"Bearer {key}"}),
            (f"{ws}/v1/ws", {"Cookie": f"newswire_session={cookie}"}),
        ):
            try:
                async with websockets.connect(url, additional_headers=headers, open_timeout=10) as conn:
                    await conn.close()
                    tried.append("WebSocket accepted")
            except websockets.InvalidStatus as exc:
                tried.append(f"WebSocket {exc.response.status_code}")
        await asyncio.sleep(1.0)  # let the last lines reach the log file
    finally:
        await pipeline.close()
    log = pipeline.logs("api").read_text(errors="replace")
    leaks = {"api key": log.count(key), "session cookie": log.count(cookie) if cookie else 0}
    passed = not any(leaks.values()) and bool(cookie) and "[redacted]" in log
    record(
        Outcome(
            case="input.api-secrets-in-logs",
            kind="bad input",
            tried="the API at DEBUG with keys on; the key sent as ?api_key=, ?token=, ?password=, Bearer, "
            "X-API-Key, in a WebSocket URL and header; a session cookie from POST /auth/login on SSE and WebSocket",
            behaviour="; ".join(tried) + f"; occurrences in {len(log.splitlines())} log lines: {leaks}",
            passed=passed,
            details={"leaks": leaks, "requests": tried},
        )
    )
    assert cookie, tried
    leaking = [line for line in log.splitlines() if key in line or (cookie and cookie in line)]
    assert not any(leaks.values()), leaking[:5]


def _metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0

