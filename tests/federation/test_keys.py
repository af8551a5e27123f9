"""The key pair: made once, stored, replaced by `federation_rotate_key`, which tells followers'
servers with an Update of the account signed by the new key."""

import io

import pytest
from cryptography.exceptions import InvalidSignature
from django.core.management import call_command

from federation.delivery import drain
from federation.keys import current_key
from federation.models import Activity, KeyPair
from tests.federation.fediverse import verify
from tests.federation.test_delivery import followed_by

pytestmark = pytest.mark.django_db


def test_the_key_pair_is_made_once():
    first = current_key()
    assert current_key().pk == first.pk and KeyPair.objects.count() == 1
    assert "PRIVATE KEY" in first.private_pem and "PUBLIC KEY" in first.public_pem


def test_rotating_replaces_the_key_and_tells_followers(client, remote):
    followed_by(remote, "reader")
    old = current_key()
    out = io.StringIO()
    call_command("federation_rotate_key", stdout=out)
    assert "New key pair made" in out.getvalue()
    new = current_key()
    assert new.pk != old.pk and KeyPair.objects.count() == 1  # the old private key is gone
    published = client.get("/ap/actor").json()["publicKey"]["publicKeyPem"]
    assert published == new.public_pem

    drain()
    [update] = remote.wait_for_posts(1)
    assert update.json["type"] == "Update"
    assert update.json["object"]["publicKey"]["publicKeyPem"] == new.public_pem
    assert verify(update, new.public_pem)
    with pytest.raises(InvalidSignature):  # not the old one
        verify(update, old.public_pem)
    assert Activity.objects.get().kind == "UpdateActor"
