"""Requests to other servers, made safe to point at any address a stranger sends us.

- Only public addresses: every address the host name resolves to is checked, and the
  connection goes to a checked address (a second lookup could answer differently). Loopback
  is allowed only with the ALLOW_LOOPBACK option (tests); private ranges never.
- A deadline for the whole exchange, not per read: a server that answers one byte at a time
  is cut off like one that never answers.
- A size limit on what is read.

The standard library's http.client rather than a client package: the address check must hold
for the connection actually made, which here is one small `connect()` of our own, and no
redirect is ever followed.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from federation.conf import option


class Unreachable(Exception):
    """No answer: the address is refused, the connection failed, timed out or was too long."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict  # lower-case names
    body: bytes


def _allowed(ip):
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return option("ALLOW_LOOPBACK")
    return ip.is_global and not ip.is_multicast


def checked_addresses(host, port):
    """Where `host` may be reached: every address it resolves to, all of them public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unreachable(f"{host}: {error}") from error
    addresses = []
    for family, _type, _proto, _name, sockaddr in found:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not _allowed(ip):
            raise Unreachable(f"{host} resolves to {ip}, which is not a public address")
        addresses.append((family, sockaddr, ip.is_loopback))
    return addresses


class _Pinned(http.client.HTTPConnection):
    """A connection to one checked address, whatever the host name says now."""

    def __init__(self, host, port, *, family, sockaddr, timeout):
        super().__init__(host, port, timeout=timeout)
        self.family, self.sockaddr = family, sockaddr

    def _open(self):
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.sockaddr)
        except OSError:
            sock.close()
            raise
        return sock

    def connect(self):
        self.sock = self._open()


class _PinnedTLS(_Pinned):
    default_port = 443
    tls = ssl.create_default_context()

    def connect(self):
        self.sock = self.tls.wrap_socket(self._open(), server_hostname=self.host)


def _connect(parts, timeout):
    secure = parts.scheme == "https"
    if not secure and parts.scheme != "http":
        raise Unreachable(f"{parts.scheme!r} is not http or https")
    if not parts.hostname:
        raise Unreachable("the address names no host")
    port = parts.port or (443 if secure else 80)
    addresses = checked_addresses(parts.hostname, port)
    if not secure and not all(loopback for _f, _s, loopback in addresses):
        raise Unreachable("plain http is only for loopback test servers")
    error = None
    for family, sockaddr, _loopback in addresses:
        connection = (_PinnedTLS if secure else _Pinned)(
            parts.hostname, port, family=family, sockaddr=sockaddr, timeout=timeout
        )
        try:
            connection.connect()
            return connection
        except OSError as failure:
            error = failure
            connection.close()
    raise Unreachable(f"{parts.netloc}: {error}")


def _cut(connection):
    """Unblock a read that outlived the deadline."""
    if connection.sock is not None:
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


def request(method, url, *, headers, body=None, timeout, limit):
    """Send one request and read its answer within `timeout` seconds and `limit` bytes."""
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    try:
        connection = _connect(parts, timeout)
    except (OSError, ssl.SSLError) as error:
        raise Unreachable(f"{parts.netloc}: {error}") from error
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, [connection])
    watchdog.daemon = True
    watchdog.start()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"host": parts.netloc, "user-agent": user_agent(), **headers}
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        length = response.getheader("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise Unreachable(f"{parts.netloc} sent {length} bytes; the limit is {limit}")
        content = response.read(limit + 1)
        if len(content) > limit:
            raise Unreachable(f"{parts.netloc} sent more than {limit} bytes")
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, content)
    except (OSError, http.client.HTTPException) as error:
        if time.monotonic() >= deadline:
            raise Unreachable(f"{parts.netloc}: no answer within {timeout:g} s") from error
        raise Unreachable(f"{parts.netloc}: {type(error).__name__}: {error}") from error
    finally:
        watchdog.cancel()
        connection.close()


def user_agent():
    return f"Newsroom (+{settings.SITE_URL}/)"
