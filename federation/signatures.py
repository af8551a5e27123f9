"""HTTP Signatures the way Mastodon signs and checks them (draft-cavage-http-signatures-12 with
rsa-sha256), and the Digest header (SHA-256 of the body) that ties a POST's body to them."""

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils.http import http_date, parse_http_date_safe

from federation.keys import private_key, public_key

ACTIVITY_JSON = "application/activity+json"
SIGNED_POST = ("(request-target)", "host", "date", "digest", "content-type")
SIGNED_GET = ("(request-target)", "host", "date")
# A POST is accepted only if its signature covers at least these.
REQUIRED_POST = {"(request-target)", "host", "date", "digest"}
# How far a request's Date may be from our clock (a replayed request is refused after this).
MAX_AGE = 3600
_PARAM = re.compile(r'\s*(\w+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class Refused(Exception):
    """A request whose signature cannot be accepted; the message says why, for the log."""


def body_digest(body):
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def _target(method, url_or_path):
    parts = urlsplit(url_or_path)
    path = parts.path or "/"
    return f"{method.lower()} {path}{'?' + parts.query if parts.query else ''}"


def _signing_string(names, method, path, headers):
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {_target(method, path)}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise Refused(f"signed header {name!r} is missing")
    return "\n".join(lines).encode()


def sign(*, method, url, key_id, private_pem, body=None, accept=None):
    """Headers for a request to `url` signed with our key: Host, Date, the Signature, and for
    a body its Digest and Content-Type."""
    headers = {"host": urlsplit(url).netloc, "date": http_date()}
    if body is not None:
        headers["digest"] = body_digest(body)
        headers["content-type"] = ACTIVITY_JSON
    if accept:
        headers["accept"] = accept
    names = SIGNED_POST if body is not None else SIGNED_GET
    signature = private_key(private_pem).sign(
        _signing_string(names, method, url, headers), padding.PKCS1v15(), hashes.SHA256()
    )
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


@dataclass(frozen=True)
class Signed:
    """A request's signature, checked for form, date and digest; its key is still to try."""

    key_id: str
    string: bytes
    signature: bytes

    def verifies_with(self, public_pem):
        key = public_key(public_pem)
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        try:
            key.verify(self.signature, self.string, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True


def _params(header):
    params, position = {}, 0
    while position < len(header):
        match = _PARAM.match(header, position)
        if match is None:
            raise Refused("the Signature header is malformed")
        params[match.group(1)] = match.group(2)
        position = match.end()
    return params


def _digest_matches(value, body):
    expected = body_digest(body).split("=", 1)[1]
    for part in value.split(","):
        algorithm, _, encoded = part.strip().partition("=")
        if algorithm.lower() == "sha-256":
            return encoded == expected
    raise Refused("the Digest header has no SHA-256")


def read_signature(*, method, path, headers, body):
    """Check a received request's Signature header against its headers and body, up to the key.

    `headers` maps lower-case names to values. Raises Refused when the signature is missing,
    malformed, too old, does not cover what it must, or the body does not match its Digest."""
    header = headers.get("signature")
    if not header:
        raise Refused("the request is not signed")
    params = _params(header)
    if "keyId" not in params or "signature" not in params:
        raise Refused("the signature names no key or carries no signature")
    if params.get("algorithm", "hs2019").lower() not in ("rsa-sha256", "hs2019"):
        raise Refused(f"algorithm {params['algorithm']!r} is not supported")
    names = params.get("headers", "date").lower().split()
    if method.upper() == "POST" and not set(names) >= REQUIRED_POST:
        raise Refused("the signature does not cover (request-target), host, date and digest")
    sent = parse_http_date_safe(headers.get("date", ""))
    if sent is None or abs(time.time() - sent) > MAX_AGE:
        raise Refused("the Date header is missing or too far from now")
    if "digest" in names and not _digest_matches(headers.get("digest", ""), body):
        raise Refused("the body does not match its Digest")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError as error:
        raise Refused("the signature is not base64") from error
    string = _signing_string(names, method, path, headers)
    return Signed(key_id=params["keyId"], string=string, signature=signature)
