"""The client's address: REMOTE_ADDR, unless it is a trusted proxy, and then the first
untrusted hop of X-Forwarded-For read from the right."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from apps.core.client_address import check_trusted_proxies, client_address

PROXIES = ["10.0.0.0/8", "192.0.2.10"]


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_client_is_the_peer_whatever_the_header_says(settings):
    settings.PORTAL_TRUSTED_PROXIES = []
    assert address("198.51.100.20", "203.0.113.5") == "198.51.100.20"


def test_a_spoofed_header_from_an_untrusted_peer_changes_nothing(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("198.51.100.20", "203.0.113.5") == "198.51.100.20"
    assert address("198.51.100.20", "10.0.0.7") == "198.51.100.20"


def test_behind_a_trusted_proxy_the_client_is_the_hop_it_received_the_request_from(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2", "203.0.113.5") == "203.0.113.5"
    assert address("192.0.2.10", "203.0.113.6") == "203.0.113.6"


def test_trusted_hops_are_skipped_and_what_the_client_wrote_further_left_is_ignored(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    # The client claimed 1.1.1.1; our outer proxy (10.0.0.3) saw it come from 203.0.113.5.
    assert address("10.0.0.2", "1.1.1.1, 203.0.113.5, 10.0.0.3") == "203.0.113.5"


def test_a_request_from_a_trusted_proxy_without_the_header_is_the_proxy_itself(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2") == "10.0.0.2"
    assert address("10.0.0.2", "10.0.0.9, 10.0.0.3") == "10.0.0.9"


@pytest.mark.parametrize(
    "forwarded",
    ["garbage", "unknown", "", " , ", "\x00", "1.2.3.4.5", "[::1", "٣.٣.٣.٣", "x" * 100_000,
     "999.1.1.1", "203.0.113.5, garbage", "1' OR '1'='1"],
)  # fmt: skip
def test_garbage_in_the_header_stops_at_the_proxy_and_never_crashes(settings, forwarded):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2", forwarded) == "10.0.0.2"


def test_garbage_left_of_the_real_client_is_never_reached(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2", "unknown, 203.0.113.5") == "203.0.113.5"


def test_ports_brackets_and_ipv4_mapped_addresses_are_read_as_the_address(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2", "203.0.113.5:51234") == "203.0.113.5"
    assert address("10.0.0.2", "[2001:db8::7]:443") == "2001:db8::7"
    assert address("10.0.0.2", "2001:DB8:0:0::7") == "2001:db8::7"
    assert address("::ffff:10.0.0.2", "::ffff:203.0.113.5") == "203.0.113.5"


def test_a_peer_without_an_address_gives_what_the_server_gave(settings):
    settings.PORTAL_TRUSTED_PROXIES = PROXIES
    assert address("", "203.0.113.5") == ""


def test_a_bad_trusted_proxy_setting_is_reported_by_the_system_check(settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.example"]
    errors = check_trusted_proxies()
    assert [error.id for error in errors] == ["portal.E001"]
    assert "proxy.example" in errors[0].msg
    with pytest.raises(ImproperlyConfigured):
        address("10.0.0.2", "203.0.113.5")
