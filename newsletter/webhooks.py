"""Email services' tracking webhooks, at /newsletter/webhooks/<provider>/tracking/.

django-anymail's views verify each request the way its service signs it (Mailgun's HMAC
signature, Postmark's and others' basic-auth credentials, from the ANYMAIL setting): a request
that fails is answered 400 and changes nothing. A service whose credentials are not configured
has no webhook here (404) rather than one that believes anybody. Each verified event that
matters reaches `suppression.record_event()`: bounces, deferrals and complaints, matched to the
digest by the delivery id the message carried in its metadata (newsletter/digest.py), and
recorded once under the service's own event id, so a service's retry changes nothing.
"""

import hashlib
import json
import warnings

from anymail.exceptions import AnymailConfigurationError, AnymailInsecureWebhookWarning
from anymail.signals import EventType, RejectReason
from django.http import Http404
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from newsletter.mail_events import MailEvent
from newsletter.models import Delivery
from newsletter.suppression import record_event

PROVIDERS = {
    name: f"anymail.webhooks.{name}.{view}TrackingWebhookView"
    for name, view in {
        "amazon_ses": "AmazonSES",
        "brevo": "Brevo",
        "mailersend": "MailerSend",
        "mailgun": "Mailgun",
        "mailjet": "Mailjet",
        "postal": "Postal",
        "postmark": "Postmark",
        "resend": "Resend",
        "sendgrid": "SendGrid",
        "sparkpost": "SparkPost",
    }.items()
}
# What each anymail event means for the address (kind, permanent); other events are ignored.
MEANING = {
    EventType.BOUNCED: (MailEvent.Kind.BOUNCE, True),
    EventType.DEFERRED: (MailEvent.Kind.DEFERRAL, False),
    EventType.COMPLAINED: (MailEvent.Kind.COMPLAINT, False),
}
# A service that refuses to send names why; these say the address itself is bad.
BAD_ADDRESS = {RejectReason.BOUNCED, RejectReason.INVALID}


@csrf_exempt
def tracking(request, provider):
    """Hand the request to the service's anymail view, once its credentials are configured."""
    if provider not in PROVIDERS:
        raise Http404("No such email service.")
    view_class = import_string(PROVIDERS[provider])
    try:
        with warnings.catch_warnings(action="ignore", category=AnymailInsecureWebhookWarning):
            configured = view_class()  # reads the credentials; refused below if there are none
    except AnymailConfigurationError:
        raise Http404("This email service is not configured.") from None
    if configured.warn_if_no_basic_auth and not configured.basic_auth:
        raise Http404("This email service's webhook has no credentials configured.")
    return view_class.as_view()(request)


def on_tracking(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal, sent for each event of a verified request."""
    meaning = MEANING.get(event.event_type)
    if event.event_type == EventType.REJECTED and event.reject_reason in BAD_ADDRESS:
        meaning = (MailEvent.Kind.BOUNCE, True)
    if meaning is None or not event.recipient:
        return
    kind, permanent = meaning
    provider = esp_name.lower().replace(" ", "_")
    record_event(
        kind=kind,
        address=event.recipient,
        provider=provider,
        event_id=f"{provider}:{event.event_id or _fingerprint(event)}",
        permanent=permanent,
        detail=" ".join(str(part) for part in (event.description, event.mta_response) if part),
        occurred_at=event.timestamp,
        delivery=_delivery(event.metadata, event.recipient),
    )


def _fingerprint(event):
    """For services that give an event no id: the same payload, retried, is the same event."""
    payload = json.dumps(event.esp_event, sort_keys=True, default=str)
    return hashlib.sha256(f"{event.event_type}:{payload}".encode()).hexdigest()[:32]


def _delivery(metadata, recipient):
    """The digest the event is about, when the message said which and the address agrees."""
    value = str((metadata or {}).get("newsletter_delivery", ""))
    if not value.isdigit():
        return None
    delivery = Delivery.objects.select_related("subscriber").filter(pk=int(value)).first()
    if delivery is None or delivery.subscriber.email.lower() != recipient.lower():
        return None
    return delivery
