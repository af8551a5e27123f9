"""Bounces that arrive later, over plain SMTP: delivery status notifications (RFC 3464) and
spam complaints in the Abuse Reporting Format (ARF, RFC 5965), sent to a digest's VERP return
path (newsletter/bounces.py) and read from the maildir that address delivers to
(`manage.py read_bounces --maildir …`).

A report counts only when it names one of our return paths, whose keyed check proves it is
about a digest we sent; the address suppressed is that delivery's subscriber, never an address
the report's text claims, so a message forged to the bounce mailbox cannot suppress anyone.
Each report is recorded once (its event id is the message's hash and the recipient): reading
the same maildir twice changes nothing.
"""

import email
import email.policy
import hashlib
from dataclasses import dataclass
from email.utils import getaddresses

from newsletter import bounces
from newsletter.mail_events import MailEvent
from newsletter.models import Delivery
from newsletter.suppression import record_event

# Where a return path appears: added by the delivering server, then the report's own To, then
# the returned original's Return-Path (an ARF report attaches the message complained about).
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "X-RcptTo", "To")


@dataclass(frozen=True)
class Report:
    kind: str
    permanent: bool
    detail: str


def reports_in(message):
    """What a notification says: one Report per failed or delayed recipient, or a complaint."""
    if message.get_content_type() != "multipart/report":
        return []
    found = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            found += _delivery_status(part)
        elif kind == "message/feedback-report":
            fields = email.message_from_string(_text(part).lstrip())
            if (fields.get("Feedback-Type") or "").strip().lower() == "abuse":
                found.append(Report(MailEvent.Kind.COMPLAINT, False, "Abuse report (ARF)"))
    return found


def _text(part):
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n".join(block.as_string() for block in payload)
    return part.get_payload(decode=True).decode("utf-8", "replace")


def _delivery_status(part):
    """The per-recipient blocks of a message/delivery-status part (the first block is about
    the whole message)."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):  # a parser that left it as text: split the blocks
        blocks = [email.message_from_string(b) for b in _text(part).split("\n\n") if b.strip()]
    found = []
    for block in blocks[1:]:
        action = (block.get("Action") or "").strip().lower()
        status = (block.get("Status") or "").strip()
        detail = " ".join(
            str(v).strip()
            for v in (status, block.get("Diagnostic-Code"), block.get("Final-Recipient"))
            if v
        )
        if action == "failed":
            found.append(Report(MailEvent.Kind.BOUNCE, status.startswith("5"), detail))
        elif action == "delayed":
            found.append(Report(MailEvent.Kind.DEFERRAL, False, detail))
    return found


def delivery_named_by(message):
    """The delivery whose return path the notification was sent to, or None."""
    candidates = [message]
    candidates += [
        part.get_payload()[0]
        if part.get_content_type() == "message/rfc822"
        else email.message_from_string(_text(part))
        for part in message.walk()
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers")
    ]
    for headers in candidates:
        for name in (*RECIPIENT_HEADERS, "Return-Path"):
            for _, address in getaddresses(headers.get_all(name) or []):
                pk = bounces.delivery_of(address)
                if pk is not None:
                    return Delivery.objects.select_related("subscriber").filter(pk=pk).first()
    return None


def process(data):
    """Record what one notification (its raw bytes) reports; returns the recorded events."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    delivery = delivery_named_by(message)
    if delivery is None:
        return []
    fingerprint = hashlib.sha256(data).hexdigest()[:32]
    recorded = []
    for n, report in enumerate(reports_in(message)):
        recorded.append(
            record_event(
                kind=report.kind,
                address=delivery.subscriber.email,
                provider="arf" if report.kind == MailEvent.Kind.COMPLAINT else "dsn",
                event_id=f"dsn:{fingerprint}:{n}",
                permanent=report.permanent,
                detail=report.detail,
                delivery=delivery,
            )
        )
    return recorded
