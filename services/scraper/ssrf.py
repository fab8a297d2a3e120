"""SSRF guard: refuse URLs whose host resolves to loopback, private, link-local or metadata addresses.

A feed is untrusted input: an entry (or a redirect) pointing at http://169.254.169.254/ or at an
intranet host must not make the crawler fetch it. Every hop of a redirect chain is checked. Sources
that are meant to be local (the bundled sample site) set `allow_private: true`.

Two checks, one rule. `check_url` runs before every request and hop and gives a clear error early.
`GuardedBackend`, the network layer under httpx, then resolves the host once more when a connection
is opened, refuses the same addresses and connects to exactly the addresses it vetted: a DNS server
that answers with a public address for the check and a private one for the connection (rebinding)
gets nowhere. TLS still verifies the certificate against the host name.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import httpcore
import httpx

from .errors import FetchError

__all__ = [
    "GuardedBackend",
    "IPAddress",
    "Resolver",
    "blocked_reason",
    "check_url",
    "guarded_transport",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: host -> its addresses; tests pass a fake one so that nothing leaves loopback.
Resolver = Callable[[str], Awaitable[list[IPAddress]]]

_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
}
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, not "private" to ipaddress


def blocked_reason(address: IPAddress) -> str | None:
    """Why an address must not be fetched, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA:
        return "cloud metadata address"
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_private or (isinstance(address, ipaddress.IPv4Address) and address in _SHARED):
        return "private address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "non-unicast address"
    return None


async def system_resolver(host: str) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


async def _resolve(host: str, resolver: Resolver) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        return list(dict.fromkeys(await resolver(host)))


def _refuse_blocked(host: str, addresses: list[IPAddress], *, url: str) -> None:
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            raise FetchError("blocked_address", f"{host} resolves to {address}, a {reason}", url=url)


async def check_url(url: str, *, resolver: Resolver, allow_private: bool) -> None:
    """Raise `FetchError("blocked_address")` if any address of the URL's host is off limits."""
    if allow_private:
        return
    host = (urlsplit(url).hostname or "").strip("[]")
    if not host:
        raise FetchError("invalid_url", "no host", url=url)
    if host.endswith((".localhost", ".internal", ".local")) or host == "localhost":
        raise FetchError("blocked_address", f"{host} is a local name", url=url)
    try:
        addresses = await _resolve(host, resolver)
    except (OSError, UnicodeError) as exc:
        raise FetchError("connect_error", f"cannot resolve {host}: {exc}", url=url) from exc
    _refuse_blocked(host, addresses, url=url)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend for the crawler: connects only to addresses it has just vetted.

    `private_ok(host)` says whether a source that allows private addresses fetched from `host`.
    A refused connection raises `FetchError("blocked_address")`, which passes through httpx as is.
    """

    def __init__(self, *, resolver: Resolver, private_ok: Callable[[str], bool]) -> None:
        self._resolver = resolver
        self._private_ok = private_ok
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await _resolve(host, self._resolver)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not self._private_ok(host):
            _refuse_blocked(host, addresses, url=f"//{host}:{port}")
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the crawler does not fetch over Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(
    *, resolver: Resolver, private_ok: Callable[[str], bool], limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    """httpx's own transport over a `GuardedBackend`. httpx 0.28 takes no network backend
    (encode/httpx#3749 adds one), so the pool it builds is replaced by the same pool on the guarded
    backend. Proxies from the environment are not used: the guard must see the addresses it
    connects to."""
    transport = httpx.AsyncHTTPTransport(limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(resolver=resolver, private_ok=private_ok),
    )
    return transport
