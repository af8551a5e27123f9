"""Accounts on other servers: fetched with a signed GET through `fetch`, and kept as
RemoteActor rows, refetched when older than the ACTOR_CACHE_SECONDS option or when a
signature no longer verifies with the key we hold (the account may have a new one)."""

import json
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from federation import documents, fetch
from federation.conf import option
from federation.keys import current_key
from federation.models import RemoteActor, Server
from federation.signatures import sign

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACTOR_TYPES = {"Person", "Service", "Application", "Group", "Organization"}
# A key is refetched at most this often, however many bad signatures name it.
REFRESH_AT_MOST_EVERY = timedelta(seconds=60)


class Unusable(Exception):
    """What the other server answered is not an account we can use; the message says why."""


def host(address):
    return urlsplit(address).netloc.lower()


def get_document(address):
    """The JSON object at `address`, fetched with a signed GET (servers in "secure mode" ask
    for one)."""
    key = current_key()
    headers = sign(
        method="GET",
        url=address,
        key_id=documents.key_id(),
        private_pem=key.private_pem,
        accept=ACCEPT,
    )
    answer = fetch.request(
        "GET",
        address,
        headers=headers,
        timeout=option("FETCH_TIMEOUT"),
        limit=option("MAX_DOCUMENT_BYTES"),
    )
    if answer.status != 200:
        raise Unusable(f"{address} answered {answer.status}")
    try:
        document = json.loads(answer.body)
    except ValueError as error:
        raise Unusable(f"{address} did not answer JSON") from error
    if not isinstance(document, dict):
        raise Unusable(f"{address} did not answer a JSON object")
    return document


def _text(value):
    return value if isinstance(value, str) else ""


def _web_address(value):
    value = _text(value)
    return value if urlsplit(value).scheme in ("http", "https") and host(value) else ""


def _store(document, fetched_from):
    """Keep the account described by `document`, fetched from `fetched_from`."""
    address = _web_address(document.get("id"))
    if not address or host(address) != host(fetched_from):
        raise Unusable(f"{fetched_from} describes an account on another server")
    if _text(document.get("type")) not in ACTOR_TYPES:
        raise Unusable(f"{address} is not an account")
    key = document.get("publicKey")
    key = key[0] if isinstance(key, list) and key else key
    if not isinstance(key, dict) or _text(key.get("owner")) != address:
        raise Unusable(f"{address} publishes no key of its own")
    key_id, pem = _web_address(key.get("id")), _text(key.get("publicKeyPem"))
    inbox = _web_address(document.get("inbox"))
    if not key_id or host(key_id) != host(address) or not pem or not inbox:
        raise Unusable(f"{address} lacks a key or an inbox")
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    name = _text(document.get("preferredUsername"))
    fields = {
        "key_id": key_id,
        "public_key_pem": pem,
        "inbox": inbox,
        "shared_inbox": _web_address(endpoints.get("sharedInbox")),
        "handle": f"@{name}@{urlsplit(address).hostname}" if name else "",
        "name": _text(document.get("name"))[:300],
        "profile_url": _web_address(document.get("url"))[:500],
        "fetched_at": timezone.now(),
    }
    with transaction.atomic():
        server, _ = Server.objects.get_or_create(domain=host(address))
        # A key id belongs to one account: an account that moved its key takes it over.
        RemoteActor.objects.filter(key_id=key_id).exclude(url=address).delete()
        try:
            with transaction.atomic():
                actor, _ = RemoteActor.objects.update_or_create(
                    url=address, defaults={"server": server, **fields}
                )
        except IntegrityError:  # stored meanwhile by another request: ours is as fresh
            actor = RemoteActor.objects.get(url=address)
    return actor


def _fresh(actor):
    age = timezone.now() - actor.fetched_at
    return age < timedelta(seconds=option("ACTOR_CACHE_SECONDS"))


def _may_refresh(actor):
    return timezone.now() - actor.fetched_at >= REFRESH_AT_MOST_EVERY


def actor(address, *, refresh=False):
    """The account at `address`, from the cache when fresh."""
    found = RemoteActor.objects.filter(url=address).select_related("server").first()
    if found is not None and _fresh(found) and not (refresh and _may_refresh(found)):
        return found
    return _store(get_document(address), fetched_from=address)


def actor_for_key(key_id, *, refresh=False):
    """The account whose key is `key_id`, from the cache when fresh. `refresh` fetches it
    again (at most once a minute): a signature that did not verify may be from a new key."""
    found = RemoteActor.objects.filter(key_id=key_id).select_related("server").first()
    if found is not None and _fresh(found) and not (refresh and _may_refresh(found)):
        return found
    address = key_id.split("#", 1)[0]
    document = get_document(address)
    if "publicKey" not in document:
        # The key is a document of its own (Key / CryptographicKey) naming its owner.
        owner = _web_address(document.get("owner"))
        if not owner or host(owner) != host(key_id) or _text(document.get("id")) != key_id:
            raise Unusable(f"{key_id} names no owner on its own server")
        address, document = owner, get_document(owner)
    account = _store(document, fetched_from=address)
    if account.key_id != key_id:
        raise Unusable(f"{key_id} is not the key of {account.url}")
    return account
