"""Who is asking: the client address, as far as we can trust it.

Our proxies are the addresses and networks in FORWARDED_ALLOW_IPS, the variable gunicorn reads
to trust their X-Forwarded-Proto: 127.0.0.1 and ::1 by default, which is the shipped
deploy/nginx.conf on the same machine. A request from one of them names its client in
X-Forwarded-For; any other request's client is its REMOTE_ADDR, whatever headers it sent.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _proxies(entries):
    """FORWARDED_ALLOW_IPS as networks, and whether it is "*" (any peer is our proxy)."""
    try:
        networks = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in entries if entry != "*"
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"FORWARDED_ALLOW_IPS: {error}") from None
    return networks, "*" in entries


def proxies():
    return _proxies(tuple(settings.FORWARDED_ALLOW_IPS))


def _ip(text):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def is_proxy(address, *, peer=False):
    """Whether `address` is one of our proxies. `peer`: it is REMOTE_ADDR, the one address the
    network vouches for (a Unix socket gives none: that is our own front, as gunicorn holds)."""
    networks, any_peer = proxies()
    ip = _ip(address)
    if ip is None:
        return peer and not address
    return (peer and any_peer) or any(ip in network for network in networks)


def _forwarded_for(request):
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    return [hop.strip() for hop in hops if hop.strip()]


def client_ip(request):
    """The first address, from REMOTE_ADDR back along X-Forwarded-For, that is not our proxy.

    Each proxy appends the address it was talking to, so the walk goes right to left and stops
    at the first address that is not one of ours: anything further left was written by someone
    we do not trust (a client may send the header itself). Something that is not an address
    stops the walk too, at the last address known.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = _forwarded_for(request)
    if not is_proxy(address, peer=True):
        return address
    while hops and _ip(hops[-1]) is not None:
        address = str(_ip(hops.pop()))
        if not is_proxy(address):
            break
    return address


def axes_client_ip(request, *args, **kwargs):
    return client_ip(request)


class UntrustedProxyWarning:
    """Say once per process when requests arrive through a proxy we do not trust.

    Behind such a proxy every reader has the proxy's address, so the admin lockout and the
    signup limits would count everybody as one client. Only requests can show it, so it is
    said in the log, not by `check --deploy`.
    """

    def __init__(self, get_response):
        proxies()  # a malformed FORWARDED_ALLOW_IPS stops start-up, not a login later
        self.get_response = get_response
        self.warned = False

    def __call__(self, request):
        if not self.warned and "HTTP_X_FORWARDED_FOR" in request.META:
            peer = request.META.get("REMOTE_ADDR", "")
            if not is_proxy(peer, peer=True):
                self.warned = True
                logger.warning(
                    "A request from %s carries X-Forwarded-For, but %s is not in "
                    "FORWARDED_ALLOW_IPS (%s). If it is your proxy, add it there: until then "
                    "every client behind it counts as %s for the admin lockout and the signup "
                    "limits. (A client may also have sent the header itself.)",
                    peer,
                    peer,
                    ", ".join(settings.FORWARDED_ALLOW_IPS) or "empty",
                    peer,
                )
        return self.get_response(request)
