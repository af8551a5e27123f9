"""Issue 14.4: one inbox is one subscriber however its address is spelt (zero-width
characters, fullwidth letters, a domain in Unicode or in punycode, decomposed accents), and an
address our mail layer cannot send to is refused on the form, with nothing kept."""

import pytest
from django.utils import timezone

from newsletter.addresses import Unmailable, normalize_address
from newsletter.models import ConsentRecord, Subscriber

SUBSCRIBE = "/newsletter/subscribe/"
pytestmark = pytest.mark.django_db

TWINS = {
    "victim@example.net": [
        "victim@example.net",
        "victim@exam\u200bple.net",  # zero-width space
        "vic\u200btim@example.net",
        "\uff56\uff49\uff43\uff54\uff49\uff4d@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.net",
        "victim@EXAMPLE.NET",
        "victim@exa\ufeffmple.net",  # byte order mark
        "victim@ex\u00adample.net",  # soft hyphen
    ],
    "leser@xn--bcher-kva.example": [
        "leser@bücher.example",
        "leser@xn--bcher-kva.example",  # its punycode twin
        "leser@BÜCHER.example",
        "leser@bu\u0308cher.example",  # the same letter, decomposed
        "le\u200dser@bücher.example",
    ],
}


@pytest.fixture(autouse=True)
def room_to_sign_up(settings):
    settings.NEWSLETTER_SIGNUPS_PER_NETWORK = 100


def join(client, email):
    return client.post(SUBSCRIBE, {"email": email, "source": "/"})


@pytest.mark.parametrize("canonical", TWINS)
def test_twins_of_one_address_are_one_subscriber_and_one_email(
    canonical, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for spelling in TWINS[canonical]:
            assert join(client, spelling).status_code == 303, spelling

    subscriber = Subscriber.objects.get()
    assert subscriber.email == canonical
    assert subscriber.consent_records.count() == len(TWINS[canonical])
    assert [m.to for m in mailoutbox] == [[canonical]]


def test_unsubscribing_one_spelling_stops_them_all(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        join(client, "victim@example.net")
    Subscriber.objects.update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    assert Subscriber.objects.with_address("victim@exam\u200bple.net").get().status == (
        Subscriber.Status.UNSUBSCRIBED
    )


@pytest.mark.parametrize(
    ("address", "error"),
    [
        # Django's EmailValidator took these; the IDNA codec of the mail layer cannot.
        ("reader@\u05d01.example", "That domain (the part after @) is not a valid name."),
        ("reader@\ufffd.example", "That domain (the part after @) is not a valid name."),
        ("reader@x\u2488.example", "That domain (the part after @) is not a valid name."),
        ("reader@\u2024example.com", "That domain (the part after @) is not a valid name."),
        ("reader@xn--zz.example", "That domain (the part after @) is not a valid name."),
        ("r\u00e9ader@example.com", "Letters outside A-Z before the @ cannot be delivered"),
    ],
)
def test_an_address_the_mail_layer_cannot_send_to_is_refused(client, mailoutbox, address, error):
    response = join(client, address)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Subscriber.objects.exists() and not ConsentRecord.objects.exists()
    assert mailoutbox == []


def test_the_one_spelling_is_stable():
    for canonical, spellings in TWINS.items():
        for spelling in spellings:
            assert normalize_address(spelling) == canonical
        assert normalize_address(canonical) == canonical
    assert normalize_address("Reader.One@Example.COM") == "Reader.One@example.com"
    with pytest.raises(Unmailable):
        normalize_address("no-at-sign")
