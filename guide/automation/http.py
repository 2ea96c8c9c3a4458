"""POST a webhook to a receiver we do not trust, without letting it reach our network.

The host is resolved once, every address is checked (no loopback, private,
link-local, multicast or reserved address unless allowed, nor an IPv6 address
carrying one: guide/addresses.py), and the connection
goes to that checked address, so a DNS answer that changes between the check
and the connection (rebinding) cannot redirect us. TLS still verifies the
certificate against the host name. Redirects are never followed: a 3xx is a
failed delivery, like any non-2xx answer.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from guide.addresses import is_public

MAX_RESPONSE_BYTES = 64 * 1024


class AddressRefused(Exception):
    """The URL resolves to an address the workspace may not deliver to."""


@dataclass
class Answer:
    status: int
    body: str


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The first address of ``host``; refuses the host if any address is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host}: {error.strerror}") from error
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allow_private and not is_public(ip):
            raise AddressRefused(
                f"{host} resolves to {ip}, a loopback/private/reserved address; deliveries "
                "there need support.allow_private_webhooks: true"
            )
    return addresses[0]


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address, with SNI and certificate checks for the real host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float,
         allow_private: bool) -> Answer:
    """POST ``body``; raises ``AddressRefused`` or ``OSError`` when nothing was answered."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise AddressRefused(f"not an http(s) URL: {url}")
    if parts.scheme == "http" and not allow_private:
        raise AddressRefused("plain http is allowed only with allow_private_webhooks")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port, allow_private=allow_private)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, address, port, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": "Guide-Webhooks/1", **headers})
        response = connection.getresponse()
        text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")
        return Answer(response.status, text)
    finally:
        connection.close()
