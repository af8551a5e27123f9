"""The newsletter in the admin: subscribers (subscribers.py) with the bounces and complaints
reported about them (mail_events.py), the digest's editions (editions.py) and the figures
editors look at (figures.py). Django's autodiscovery imports this package, which registers all."""

from newsletter.admin.editions import PREVIEW_CSP, EditionAdmin
from newsletter.admin.figures import FiguresAdmin
from newsletter.admin.mail_events import MailEventAdmin
from newsletter.admin.subscribers import SubscriberAdmin

__all__ = ["PREVIEW_CSP", "EditionAdmin", "FiguresAdmin", "MailEventAdmin", "SubscriberAdmin"]
