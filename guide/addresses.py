"""Is an address or URL host one a webhook may reach? (SSRF, docs/WEBHOOKS.md)

Used twice, with the same answer: when a workspace's webhook URLs are validated
(an IP literal in the URL) and at every delivery, on each address the host
resolves to. ``ipaddress``'s ``is_global`` alone is not enough: an IPv6 address
can carry an IPv4 address that a host, a NAT64 gateway or a tunnel turns back
into IPv4, and Python 3.11 calls ``::127.0.0.1`` and ``64:ff9b::7f00:1`` global.
So every IPv4 address embedded in an IPv6 one must itself be public.
"""

from __future__ import annotations

import ipaddress
import re
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 6052 well-known NAT64 prefix (IPv4 in the last 32 bits) and RFC 8215's
# local-use prefix, which only ever leads to a local translator: refused whole.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# The deprecated IPv4-compatible form ::a.b.c.d (RFC 4291 2.5.5.1).
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# What inet_aton (and so getaddrinfo) reads as IPv4: 2130706433, 0x7f.1, 0177.0.0.1.
_LEGACY_IPV4 = re.compile(r"^[0-9a-fA-FxX.]+$")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, compatible, NAT64, 6to4, Teredo."""
    found: list[ipaddress.IPv4Address] = []
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in IPV4_COMPATIBLE or ip in NAT64:
        found.append(low32)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def is_public(ip: IPAddress) -> bool:
    """A unicast, globally routed address that leads nowhere private once translated."""
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id or ip in NAT64_LOCAL:
            return False
        return all(is_public(inner) for inner in embedded_ipv4(ip))
    return True


def literal_address(host: str) -> IPAddress | None:
    """The address a URL's host names without DNS, in any form the resolver accepts
    (``[::127.0.0.1]``, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_local_name(host: str) -> bool:
    """``localhost`` and ``*.localhost`` always resolve to loopback (RFC 6761)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def client_network(address: str | None) -> str:
    """What a per-client limit counts against: an IPv4 address as is (an IPv4-mapped
    IPv6 one too), an IPv6 client by its /64, one subscriber's whole network.
    Anything that is not an address (a Unix socket, none) is returned as given."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
