"""Signed session cookies: how a browser authenticates without its API key in any URL.

`POST /auth/login` with the key in a JSON body sets an HttpOnly, SameSite=Strict cookie holding
`<expiry>.<key fingerprint>.<signature>`. The signature is an HMAC whose secret is derived from the
configured keys themselves, so every replica with the same keys accepts the cookie, and removing a
key (or changing the set) revokes every cookie made with the old set. EventSource and WebSocket
requests from the dashboard carry the cookie by themselves.
"""

import hashlib
import hmac
import time

__all__ = ["COOKIE_NAME", "fingerprint", "make_session_cookie", "read_session_cookie"]

COOKIE_NAME = "newswire_session"


def fingerprint(key: str) -> str:
    """A key's public name: what limits are counted by, and what a cookie names (never the key)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _secret(keys: list[str]) -> bytes:
    material = "\n".join(sorted(keys)).encode()
    return hashlib.sha256(b"newswire-session-cookie\n" + material).digest()


def _sign(keys: list[str], payload: str) -> str:
    return hmac.new(_secret(keys), payload.encode(), hashlib.sha256).hexdigest()


def make_session_cookie(keys: list[str], key: str, *, lifetime: float, now: float | None = None) -> str:
    expiry = int((now or time.time()) + lifetime)
    payload = f"{expiry}.{fingerprint(key)}"
    return f"{payload}.{_sign(keys, payload)}"


def read_session_cookie(keys: list[str], value: str, *, now: float | None = None) -> str | None:
    """The key fingerprint a valid, unexpired cookie names, else None."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(value) > 200:
        return None
    expiry, name, signature = parts
    if not hmac.compare_digest(signature, _sign(keys, f"{expiry}.{name}")):
        return None
    if int(expiry) < (now or time.time()):
        return None
    if name not in {fingerprint(k) for k in keys}:
        return None
    return name
