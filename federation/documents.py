"""The JSON the newsroom shows the social web: its account, its stories and what it sends.

Every address is absolute on SITE_URL. A story's object id carries its publication count
(`generation`): a story withdrawn and published again is a new object, because servers that
saw the first one deleted refuse its id for good.
"""

import re
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from articles import images, seo

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = f"{AS}#Public"
CONTEXT = [
    AS,
    "https://w3id.org/security/v1",
    {
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "Hashtag": "as:Hashtag",
    },
]
ACTIVITY_JSON = "application/activity+json"
PAGE_SIZE = 20
_HREF = re.compile(r'href="([^"]*)"')
_NOT_IN_TAG = re.compile(r"[^\w]+")


def url(name, *args):
    return seo.absolute(reverse(f"federation:{name}", args=args))


def domain():
    """The host in the account's handle (with a port only where the site has one)."""
    return urlsplit(settings.SITE_URL).netloc


def handle():
    return f"{settings.FEDERATION_NAME}@{domain()}"


def actor_id():
    return url("actor")


def key_id():
    return f"{actor_id()}#main-key"


def object_id(article_id, generation):
    return url("article", article_id, generation)


def actor(public_pem):
    logo, width, height = seo.LOGO
    return {
        "@context": CONTEXT,
        "id": actor_id(),
        "type": "Organization",
        "preferredUsername": settings.FEDERATION_NAME,
        "name": settings.SITE_NAME,
        "summary": f"<p>{escape(settings.SITE_DESCRIPTION)}</p>",
        "url": seo.absolute("/"),
        "icon": {"type": "Image", "mediaType": "image/png", "url": seo.absolute(static(logo))},
        "inbox": url("inbox"),
        "outbox": url("outbox"),
        "followers": url("followers"),
        "following": url("following"),
        "endpoints": {"sharedInbox": url("inbox")},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "indexable": True,
        "publicKey": {"id": key_id(), "owner": actor_id(), "publicKeyPem": public_pem},
    }


def webfinger():
    return {
        "subject": f"acct:{handle()}",
        "aliases": [actor_id(), seo.absolute("/")],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id()},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": seo.absolute("/"),
            },
        ],
    }


def hashtag(topic):
    words = _NOT_IN_TAG.split(topic.name)
    return {
        "type": "Hashtag",
        "href": seo.absolute(topic.get_absolute_url()),
        "name": "#" + "".join(word[:1].upper() + word[1:] for word in words),
    }


def _absolute_links(html, base):
    """Editors may link within the site (`/news/…`); elsewhere those must be absolute."""
    return _HREF.sub(lambda m: f'href="{escape(urljoin(base, unescape(m.group(1))))}"', html)


def _lead_image(article):
    shown = images.picture(article.lead_image, images.OPEN_GRAPH.name)
    return {
        "type": "Image",
        "mediaType": "image/png" if article.lead_image.has_alpha else "image/jpeg",
        "url": seo.media_url(shown.url),
        "name": article.lead_image_alt,
        "width": shown.width,
        "height": shown.height,
    }


def article_object(article, generation, *, updated=None):
    """A published article (read with `for_page()`) as an ActivityPub Article. The dek opens
    the content rather than filling `summary`, which Mastodon shows as a content warning."""
    link = seo.absolute(article.get_absolute_url())
    authors = [seo.person(author) for author in article.byline_authors]
    hashtags = [hashtag(topic) for topic in article.topics.all()]
    content = render_to_string(
        "federation/article_content.html",
        {
            "article": article,
            "link": link,
            "site_name": settings.SITE_NAME,
            "authors": authors,
            "hashtags": hashtags,
        },
    )
    data = {
        "id": object_id(article.pk, generation),
        "type": "Article",
        "attributedTo": actor_id(),
        "name": article.headline,
        "content": _absolute_links(content.strip(), link),
        "mediaType": "text/html",
        "url": link,
        "published": seo.isotime(article.published_at),
        "to": [PUBLIC],
        "cc": [url("followers")],
        "tag": hashtags,
        "sensitive": False,
    }
    if settings.SITE_LANGUAGE:
        data["contentMap"] = {settings.SITE_LANGUAGE: data["content"]}
    if updated or article.shows_update:
        # Servers apply an edit only when `updated` moved forward.
        data["updated"] = seo.isotime(updated or article.updated_at)
    if article.lead_image_id:
        data["image"] = _lead_image(article)
        data["attachment"] = [data["image"]]
    return data


def with_context(data):
    return {"@context": CONTEXT, **data}


def create(article_object):
    return with_context(
        {
            "id": f"{article_object['id']}#create",
            "type": "Create",
            "actor": actor_id(),
            "published": article_object["published"],
            "to": article_object["to"],
            "cc": article_object["cc"],
            "object": article_object,
        }
    )


def update(article_object, activity_uuid):
    return with_context(
        {
            "id": f"{article_object['id']}#updates/{activity_uuid}",
            "type": "Update",
            "actor": actor_id(),
            "to": article_object["to"],
            "cc": article_object["cc"],
            "object": article_object,
        }
    )


def delete(article_id, generation):
    withdrawn = object_id(article_id, generation)
    return with_context(
        {
            "id": f"{withdrawn}#delete",
            "type": "Delete",
            "actor": actor_id(),
            "to": [PUBLIC],
            "cc": [url("followers")],
            "object": {"id": withdrawn, "type": "Tombstone"},
        }
    )


def accept(follow, activity_uuid):
    return with_context(
        {
            "id": f"{actor_id()}#accepts/{activity_uuid}",
            "type": "Accept",
            "actor": actor_id(),
            "object": follow,
        }
    )


def update_actor(public_pem, activity_uuid):
    account = actor(public_pem)
    del account["@context"]
    return with_context(
        {
            "id": f"{actor_id()}#updates/{activity_uuid}",
            "type": "Update",
            "actor": actor_id(),
            "to": [PUBLIC],
            "object": account,
        }
    )
