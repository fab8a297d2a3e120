"""SSRF guard: refuse URLs whose host resolves to loopback, private, link-local or metadata addresses.

A feed is untrusted input: an entry (or a redirect) pointing at http://169.254.169.254/ or at an
intranet host must not make the crawler fetch it. Every hop of a redirect chain is checked. Sources
that are meant to be local (the bundled sample site) set `allow_private: true`; even they never
reach a cloud metadata or link-local address, in any spelling (mapped, NAT64, 6to4, Teredo).

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
    "always_blocked_reason",
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
# Link-local space is where clouds serve metadata (169.254.169.254, .170.2, .169.253 DNS, .169.123
# time); nothing a news source could be is there, so it is refused even for private sources.
_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_COMPATIBLE = ipaddress.ip_network("::/96")


def _spellings(address: IPAddress) -> list[IPAddress]:
    """The address and every IPv4 address an IPv6 one carries inside it (mapped ::ffff:a.b.c.d,
    compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::, Teredo), which a
    translator or tunnel on the way may turn back into that IPv4 address."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found += list(address.teredo)
        if any(address in net for net in _NAT64) or (address in _COMPATIBLE and int(address) > 1):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def always_blocked_reason(address: IPAddress) -> str | None:
    """Why an address is refused even to a source that allows private addresses: cloud metadata
    and link-local space, in any spelling. None otherwise."""
    for candidate in _spellings(address):
        if candidate in _METADATA:
            return "cloud metadata address"
        if any(candidate in net for net in _LINK_LOCAL):
            return "link-local address (where cloud metadata lives)"
    return None


def blocked_reason(address: IPAddress) -> str | None:
    """Why an address must not be fetched, or None when it is a public unicast address."""
    reason = always_blocked_reason(address)
    if reason is not None:
        return reason
    for candidate in _spellings(address)[1:]:
        # An IPv6 spelling of a private IPv4 address is as private as the address it carries.
        inner = blocked_reason(candidate)
        if inner is not None:
            return inner
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
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def _resolve(host: str, resolver: Resolver) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        return list(dict.fromkeys(await resolver(host)))


def _refuse_blocked(host: str, addresses: list[IPAddress], *, url: str, private_ok: bool = False) -> None:
    for address in addresses:
        reason = always_blocked_reason(address) if private_ok else blocked_reason(address)
        if reason:
            raise FetchError("blocked_address", f"{host} resolves to {address}, a {reason}", url=url)


async def check_url(url: str, *, resolver: Resolver, allow_private: bool) -> None:
    """Raise `FetchError("blocked_address")` if any address of the URL's host is off limits;
    a source that allows private addresses still never reaches metadata or link-local ones."""
    host = (urlsplit(url).hostname or "").strip("[]")
    if not host:
        raise FetchError("invalid_url", "no host", url=url)
    if not allow_private and (host.endswith((".localhost", ".internal", ".local")) or host == "localhost"):
        raise FetchError("blocked_address", f"{host} is a local name", url=url)
    try:
        addresses = await _resolve(host, resolver)
    except (OSError, UnicodeError) as exc:
        raise FetchError("connect_error", f"cannot resolve {host}: {exc}", url=url) from exc
    _refuse_blocked(host, addresses, url=url, private_ok=allow_private)


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
        _refuse_blocked(host, addresses, url=f"//{host}:{port}", private_ok=self._private_ok(host))
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
