"""The newsletter in the admin: subscribers (subscribers.py) and the digest's editions
(editions.py). Django's autodiscovery imports this package, which registers both."""

from newsletter.admin.editions import PREVIEW_CSP, EditionAdmin
from newsletter.admin.subscribers import SubscriberAdmin

__all__ = ["PREVIEW_CSP", "EditionAdmin", "SubscriberAdmin"]
