"""Builders for the digest tests: articles in the house format, subscribers in each state, and
the parts of received digests the tests read."""

import re
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author, Byline, Section
from newsletter.models import Subscriber

Status = Subscriber.Status


def article(headline, *, hours_ago=1, authors=("Ada Reporter",), draft=False, **fields):
    now = timezone.now()
    story = Article.objects.create(
        headline=headline,
        slug=slugify(headline)[:200],
        dek=fields.get("dek", "A one-sentence dek."),
        summary_lead=fields.get("summary_lead", "The short version"),
        summary=fields.get("summary", f"What **{headline}** means, in [brief](/topics/)."),
        take=fields.get("take", ""),
        status=Article.Status.DRAFT if draft else Article.Status.PUBLISHED,
        published_at=None if draft else now - timedelta(hours=hours_ago),
    )
    for position, name in enumerate(authors):
        author, _ = Author.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        Byline.objects.create(article=story, author=author, position=position)
    sections = fields.get(
        "sections",
        [
            ("What happened", "A sentence with *emphasis*.", ["First point.", "Second point."]),
            ("Why it matters", "Another sentence.", ["A [linked](https://example.org/) point."]),
        ],
    )
    for position, (lead_in, text, bullets) in enumerate(sections):
        Section.objects.create(
            article=story, position=position, lead_in=lead_in, text=text, bullets="\n".join(bullets)
        )
    return story


def subscriber(address, status=Status.CONFIRMED):
    now = timezone.now()
    return Subscriber.objects.create(
        email=address,
        status=status,
        confirmed_at=now if status == Status.CONFIRMED else None,
        unsubscribed_at=now if status == Status.UNSUBSCRIBED else None,
    )


def audience(confirmed=5, pending=2, unsubscribed=2):
    """Confirmed readers plus people the digest must never reach."""
    readers = [subscriber(f"reader{i}@example.com") for i in range(confirmed)]
    others = [subscriber(f"pending{i}@example.com", Status.PENDING) for i in range(pending)]
    others += [subscriber(f"gone{i}@example.com", Status.UNSUBSCRIBED) for i in range(unsubscribed)]
    return readers, others


def parts(message):
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def flat(text):
    """Text with every run of whitespace as one space: lines are wrapped where HTML and
    readers do not care."""
    return " ".join(text.split())


UNSUBSCRIBE = re.compile(r"http://testserver(/newsletter/unsubscribe/[^/\s\"<>]+/)")
