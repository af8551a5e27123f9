"""One spelling for each email address, taken before any lookup, rate limit or storage.

Mail servers read an address the way IDNA and Unicode say, so `victim@example.net`, the same
with a zero-width space, with fullwidth letters, or with its domain in punycode are one inbox.
Treated as different people, they each got a confirmation email and kept getting the digest
after one of them unsubscribed (issue 14.4). The spelling kept is the one the mail layer sends
to: compatibility forms folded (NFKC), invisible format characters removed, the domain in
lower-case ASCII (IDNA), the local part as typed otherwise (RFC 5321 lets it keep its case; the
unique index on Lower(email) still treats case as one).
"""

import unicodedata
from email.headerregistry import AddressHeader

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.encoding import punycode

MAX_LENGTH = 254
_valid_email = EmailValidator()


class Unmailable(ValueError):
    """An address our mail layer cannot send to; the message says why, for the visitor."""


def normalize_address(value):
    """The one spelling of `value`, or Unmailable. Idempotent: a normalised address comes
    back unchanged."""
    text = unicodedata.normalize("NFKC", value.strip())
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise Unmailable("Enter a complete email address, like name@example.com.")
    if not local.isascii():
        # Non-ASCII mailbox names need SMTPUTF8 end to end, which our mail layer does not use.
        raise Unmailable(
            "Letters outside A-Z before the @ cannot be delivered by our mail server; "
            "enter the address with plain letters, digits and dots."
        )
    try:
        # Python's IDNA codec, as Django's mail layer uses for a domain it sends to.
        domain = punycode(domain.rstrip(".")).lower()
        domain.encode().decode("idna")  # an "xn--" label must be real punycode
    except UnicodeError:
        raise Unmailable("That domain (the part after @) is not a valid name.") from None
    address = f"{local}@{domain}"
    if len(address) > MAX_LENGTH:
        raise Unmailable(
            f"That is too long for an email address ({len(address)} characters; "
            f"the most is {MAX_LENGTH})."
        )
    _check_mailable(address)
    return address


def _check_mailable(address):
    """Refuse what the mail layer would refuse when sending, so that no row is kept for it."""
    try:
        _valid_email(address)
    except ValidationError:
        raise Unmailable("Enter a complete email address, like name@example.com.") from None
    parsed = AddressHeader.value_parser(address)
    if parsed.all_defects or len(parsed.all_mailboxes) != 1:
        raise Unmailable("Enter just one address, like name@example.com.")
