"""The newsletter's models: subscribers and their consent (subscribers.py), the daily digest's
editions and outbox (editions.py), and models defined beside the code that writes them."""

from newsletter.mail_events import MailEvent  # beside the code that writes it
from newsletter.models.editions import (
    Delivery,
    DeliveryQuerySet,
    Edition,
    EditionArticle,
    EditionQuerySet,
    published_articles,
)
from newsletter.models.subscribers import ConsentRecord, Subscriber, SubscriberQuerySet
from newsletter.ratelimit import RateLimit  # beside the code that writes it

__all__ = [
    "ConsentRecord",
    "Delivery",
    "DeliveryQuerySet",
    "Edition",
    "EditionArticle",
    "EditionQuerySet",
    "MailEvent",
    "RateLimit",
    "Subscriber",
    "SubscriberQuerySet",
    "published_articles",
]
