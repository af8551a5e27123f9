"""The newsroom's RSA key pair: made the first time it is needed, stored, and replaced only by
`manage.py federation_rotate_key`. Followers' servers find the public half in the actor
document; the private half never leaves the database."""

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction

from federation.models import KeyPair

KEY_SIZE = 2048  # what Mastodon makes and expects


def _new_pair():
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def current_key():
    """The key pair in use, made and stored on first use (once, whoever asks first)."""
    key = KeyPair.objects.filter(current=True).first()
    if key is not None:
        return key
    private_pem, public_pem = _new_pair()
    try:
        with transaction.atomic():
            return KeyPair.objects.create(private_pem=private_pem, public_pem=public_pem)
    except IntegrityError:  # another process stored one first: use it
        return KeyPair.objects.get(current=True)


@transaction.atomic
def rotate_key():
    """Replace the key pair. The old private key is deleted: nothing may sign with it again."""
    KeyPair.objects.filter(current=True).delete()
    private_pem, public_pem = _new_pair()
    return KeyPair.objects.create(private_pem=private_pem, public_pem=public_pem)


@lru_cache(maxsize=4)
def private_key(private_pem):
    """The loaded key (parsing a PEM costs more than signing with it)."""
    return serialization.load_pem_private_key(private_pem.encode(), password=None)


@lru_cache(maxsize=1024)
def public_key(public_pem):
    return serialization.load_pem_public_key(public_pem.encode())
