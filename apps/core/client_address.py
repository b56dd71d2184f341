"""The address of the client behind a request, also when the portal sits behind proxies.

Anyone can send an X-Forwarded-For header, so it is read only when the peer
(REMOTE_ADDR) is one of `PORTAL_TRUSTED_PROXIES` (addresses or CIDR networks). Each
proxy appends the address it received the request from, so the header is read from
the right: hops that are trusted proxies are skipped, and the first address that is
not one is the client. What lies further left was written by that client and is never
believed.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"PORTAL_TRUSTED_PROXIES: {error}") from error


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "PORTAL_TRUSTED_PROXIES", ())))


def _parse(text: str) -> Address | None:
    """An address as proxies write it: bare, `v4:port`, `[v6]` or `[v6]:port`."""
    text = text.strip()
    if text.startswith("["):
        text, bracket, _port = text[1:].partition("]")
        if not bracket:
            return None
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; they are one client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ("" when the server gives none).

    Walks X-Forwarded-For from the right only when the peer is a trusted proxy. A hop
    that is not an address (garbage, "unknown", empty) stops the walk at the trusted proxy
    that wrote it: anything further left cannot be told apart from what a client made up.
    When every hop is trusted, the leftmost is the client (a machine of our own).
    """
    remote_text = request.META.get("REMOTE_ADDR", "") or ""
    remote = _parse(remote_text)
    if remote is None:
        return remote_text.strip()
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        trusted_proxies()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint="List IP addresses or CIDR networks, e.g. 10.0.0.5,10.1.0.0/16.",
                id="portal.E001",
            )
        ]
    return []
