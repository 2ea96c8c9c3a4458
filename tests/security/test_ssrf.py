"""SSRF: a webhook URL must not reach the server's own network through an IPv6 form
of a private IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) or a legacy
IPv4 spelling (2130706433, 0x7f.1, 0177.0.0.1); refused when the workspace's
settings are validated AND at delivery, after DNS resolution."""

from __future__ import annotations

import socket

import pytest
from marshmallow import ValidationError

from guide.addresses import is_public, literal_address
from guide.automation import http
from guide.automation.http import AddressRefused, resolve
from guide.schemas.support import SupportSchema

# Each carries 127.0.0.1, 10.0.0.1, 169.254.169.254 or 192.168.1.1 inside.
HIDDEN_PRIVATE = [
    "::127.0.0.1",              # IPv4-compatible (deprecated)
    "::a00:1",                  # IPv4-compatible, 10.0.0.1
    "::ffff:127.0.0.1",         # IPv4-mapped
    "::ffff:a9fe:a9fe",         # IPv4-mapped, the cloud metadata address
    "64:ff9b::7f00:1",          # NAT64 well-known prefix
    "64:ff9b::c0a8:101",        # NAT64, 192.168.1.1
    "64:ff9b:1::7f00:1",        # NAT64 local-use prefix
    "64:ff9b:1::808:808",       # local-use prefix: only a local translator, refused whole
    "2002:7f00:1::1",           # 6to4
    "2002:a9fe:a9fe::1",        # 6to4, metadata address
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]
LEGACY_IPV4 = ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "0x7f000001", "017700000001"]
PUBLIC = ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1"]


def load(url: str) -> dict:
    return SupportSchema().load({"webhooks": [{"url": url}]})


def bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@pytest.mark.parametrize("host", HIDDEN_PRIVATE + LEGACY_IPV4)
def test_hidden_private_addresses_are_refused_at_validation(host):
    with pytest.raises(ValidationError) as caught:
        load(f"https://{bracket(host)}/hook")
    assert "private, loopback or reserved" in str(caught.value.messages)


@pytest.mark.parametrize("host", ["localhost", "api.localhost", "LOCALHOST."])
def test_localhost_names_are_refused_at_validation(host):
    with pytest.raises(ValidationError):
        load(f"https://{host}/hook")


@pytest.mark.parametrize("host", HIDDEN_PRIVATE + LEGACY_IPV4)
def test_hidden_private_addresses_are_allowed_when_the_workspace_allows_private(host):
    loaded = SupportSchema().load({"webhooks": [{"url": f"https://{bracket(host)}/h"}],
                                   "allow_private_webhooks": True})
    assert loaded["webhooks"][0]["url"] == f"https://{bracket(host)}/h"


@pytest.mark.parametrize("host", PUBLIC + ["hooks.example.com"])
def test_public_addresses_and_names_still_validate(host):
    assert load(f"https://{bracket(host)}/hook")["webhooks"][0]["url"]


def test_a_port_out_of_range_is_a_validation_error_not_a_crash_at_delivery():
    with pytest.raises(ValidationError, match="port"):
        load("https://hooks.example.com:99999/hook")


@pytest.mark.parametrize("host", HIDDEN_PRIVATE + LEGACY_IPV4)
def test_hidden_private_literals_are_refused_at_delivery(host):
    with pytest.raises(AddressRefused, match="loopback/private/reserved"):
        resolve(host, 443, allow_private=False)


@pytest.mark.parametrize("answer", ["::127.0.0.1", "64:ff9b::7f00:1", "::ffff:10.0.0.1",
                                    "2002:c0a8:101::1", "64:ff9b:1::a9fe:a9fe"])
def test_a_name_resolving_to_a_hidden_private_address_is_refused_at_delivery(monkeypatch, answer):
    """A DNS64 resolver (or a hostile zone) answers with an IPv6 form of a private address."""
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (answer, port, 0, 0))]

    monkeypatch.setattr(http.socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(AddressRefused, match="hooks.example.com resolves to"):
        resolve("hooks.example.com", 443, allow_private=False)
    assert resolve("hooks.example.com", 443, allow_private=True) == answer


def test_post_refuses_before_connecting(monkeypatch):
    """The whole delivery path: nothing is connected to when the address is refused."""
    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(http.socket, "create_connection", no_connection)
    for host in ("[::127.0.0.1]", "[64:ff9b::7f00:1]", "2130706433", "0x7f.1"):
        with pytest.raises(AddressRefused):
            http.post(f"https://{host}:8443/hook", b"{}", {}, timeout=1, allow_private=False)


@pytest.mark.parametrize("host", PUBLIC)
def test_public_addresses_pass_the_shared_check(host):
    address = literal_address(host)
    assert address is not None and is_public(address)
