"""URL normalisation: one spelling per page, so ids and deduplication do not depend on tracking noise.

Lower-case scheme and host, IDNA host, default ports dropped, dot segments resolved, percent
escapes normalised, fragment dropped, tracking parameters (utm_*, fbclid, gclid, ...) removed and
the remaining query parameters sorted.
"""

import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .errors import ScraperError

__all__ = ["TRACKING_PARAMS", "UrlError", "host_of", "is_tracking_param", "normalise_url", "origin_of"]

#: Exact (lower-case) names of query parameters that only track the visitor.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ocid",
        "ncid",
        "ref_src",
        "ref_url",
        "spm",
        "share",
        "sharetype",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "smid",
        "cid_source",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "ga_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


class UrlError(ScraperError, ValueError):
    """Not an absolute http(s) URL."""


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _normalise_escapes(part: str, *, safe: str) -> str:
    # Decode escapes of unreserved characters, upper-case the rest, and escape what must be.
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return quote(_ESCAPE.sub(fix, part), safe=safe + "%")


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host.startswith("[") or ":" in host:
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def normalise_url(url: str) -> str:
    """The canonical spelling of an absolute http(s) URL; raises `UrlError` for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"not a valid URL: {url!r} ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise UrlError(f"not an absolute http(s) URL: {url!r}")
    host = _host(parts.hostname)
    if not host:
        # "http://./" has a hostname of dots only, which names no host.
        raise UrlError(f"no host in URL: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalise_escapes(parts.path or "/", safe="/:@!$&'()*+,;=")
    if "/." in path or path.startswith("."):
        trailing = path.endswith(("/", "/.", "/.."))
        path = posixpath.normpath(path)
        # normpath keeps a leading "//" (POSIX) and drops the leading "/" of relative input.
        path = "/" + path.lstrip("/")
        if trailing and not path.endswith("/"):
            path += "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    # No '+' in safe: parse_qsl read '+' as a space, so a literal plus must go out as %2B.
    query = urlencode(sorted(pairs), quote_via=quote, safe="/:@!$'()*,;")
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """Lower-case host (with a non-default port) of a URL: the key of per-host politeness."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    return host if port in (None, default) else f"{host}:{port}"


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: the scope of a robots.txt file."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{host_of(url)}"
