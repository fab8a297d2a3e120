"""SSRF guard: refuse URLs whose host resolves to loopback, private, link-local or metadata addresses.

A feed is untrusted input: an entry (or a redirect) pointing at http://169.254.169.254/ or at an
intranet host must not make the crawler fetch it. Every hop of a redirect chain is checked. Sources
that are meant to be local (the bundled sample site) set `allow_private: true`.

The guard checks the addresses the resolver returns; httpx resolves again when it connects, so a
DNS server that answers differently within seconds (rebinding) is outside what this guard covers.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from .errors import FetchError

__all__ = ["IPAddress", "Resolver", "blocked_reason", "check_url", "system_resolver"]

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


async def check_url(url: str, *, resolver: Resolver, allow_private: bool) -> None:
    """Raise `FetchError("blocked_address")` if any address of the URL's host is off limits."""
    if allow_private:
        return
    host = (urlsplit(url).hostname or "").strip("[]")
    if not host:
        raise FetchError("invalid_url", "no host", url=url)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if host.endswith((".localhost", ".internal", ".local")) or host == "localhost":
            raise FetchError("blocked_address", f"{host} is a local name", url=url) from None
        try:
            addresses = await resolver(host)
        except (OSError, UnicodeError) as exc:
            raise FetchError("connect_error", f"cannot resolve {host}: {exc}", url=url) from exc
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            raise FetchError("blocked_address", f"{host} resolves to {address}, a {reason}", url=url)
