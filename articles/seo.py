"""What a page says about itself to search engines and link previews.

Every public page gets a canonical address on SITE_URL, OpenGraph and Twitter card tags, and
JSON-LD. JSON-LD is built as Python dicts and serialized once by `ld_json_script()`, which
escapes `<`, `>` and `&` the way Django's `json_script` does, so a headline holding quotes,
`</script>` or emoji stays one valid JSON document inside its script element.
"""

import json
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe

from articles import images

LOGO = ("img/logo.png", 600, 60)
CARD = ("img/social-card.png", 1200, 630)
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def site_name():
    return settings.SITE_NAME


def site_description():
    return settings.SITE_DESCRIPTION


def absolute(path):
    """An absolute address on the public site (never the host a request happened to use)."""
    return settings.SITE_URL + path


def titled(name, page=None):
    """A page title: "Name · Site", with the page number after the first page."""
    if page is not None and page.number > 1:
        name = f"{name}, page {page.number}"
    return f"{name} · {site_name()}"


def isotime(moment):
    """ISO 8601 in the site's time zone, whole seconds, with the offset (or None)."""
    if not moment:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


@dataclass
class PageMeta:
    """Everything `articles/_meta.html` writes into a page's <head>."""

    title: str
    description: str
    canonical: str
    properties: list = field(default_factory=list)  # OpenGraph: (property, content)
    twitter: list = field(default_factory=list)  # (name, content)
    json_ld: list = field(default_factory=list)  # dicts
    robots: str = ""

    @property
    def json_ld_html(self):
        return mark_safe("".join(ld_json_script(data) for data in self.json_ld))  # noqa: S308


def page_meta(
    *, title, description, path, og_type="website", json_ld=(), robots="", extra=(), image=None
):
    """Metadata for a page at `path` (which may carry a query string such as ?page=2).
    `image` is (url, width, height, alt) for link previews; the site's card by default."""
    canonical = absolute(path)
    card, width, height = CARD
    image, width, height, image_alt = image or (absolute(static(card)), width, height, None)
    properties = [
        ("og:type", og_type),
        ("og:site_name", site_name()),
        ("og:locale", "en_US"),
        ("og:url", canonical),
        ("og:title", title),
        ("og:description", description),
        ("og:image", image),
        ("og:image:width", str(width)),
        ("og:image:height", str(height)),
        ("og:image:alt", image_alt or site_name()),
        *extra,
    ]
    twitter = [
        ("twitter:card", "summary_large_image"),
        ("twitter:title", title),
        ("twitter:description", description),
        ("twitter:image", image),
        *([("twitter:image:alt", image_alt)] if image_alt else []),
    ]
    return PageMeta(
        title=title,
        description=description,
        canonical=canonical,
        properties=properties,
        twitter=twitter,
        json_ld=list(json_ld),
        robots=robots,
    )


def article_meta(article):
    """The article page's metadata. Reads only what `for_page()`/`with_byline()` prefetched."""
    authors = article.byline_authors
    topics = list(article.topics.all())
    path = article.get_absolute_url()
    extra = [
        ("article:published_time", isotime(article.published_at)),
        ("article:modified_time", isotime(modified_time(article))),
        *(("article:author", absolute(author.get_absolute_url())) for author in authors),
    ]
    if topics:
        extra.append(("article:section", topics[0].name))
    extra.extend(("article:tag", each.name) for each in topics)
    crumbs = [(topics[0].name, topics[0].get_absolute_url())] if topics else []
    crumbs.append((article.headline, path))
    meta = page_meta(
        title=article.headline,
        description=article.dek,
        path=path,
        og_type="article",
        json_ld=[news_article_ld(article, authors, topics), breadcrumbs_ld(crumbs)],
        extra=[pair for pair in extra if pair[1]],
        image=_preview_image(article),
    )
    meta.twitter.extend(
        [("twitter:label1", "Written by"), ("twitter:data1", _names(authors))] if authors else []
    )
    return meta


def media_url(url):
    """An absolute address for a stored file (a bucket's URL already is one)."""
    return url if urlsplit(url).scheme else absolute(url)


def _preview_image(article):
    """The lead image's 1200×630 crop for OpenGraph and Twitter cards (joined by for_page())."""
    if not article.lead_image_id:
        return None
    shown = images.picture(article.lead_image, images.OPEN_GRAPH.name)
    return (media_url(shown.url), shown.width, shown.height, article.lead_image_alt)


def modified_time(article):
    """When readers were last told the article changed: the update time, else publication."""
    return article.updated_at if article.shows_update else article.published_at


def _names(authors):
    names = [author.name for author in authors]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


# JSON-LD ---------------------------------------------------------------------------------


def organization_ld():
    logo, width, height = LOGO
    return {
        "@type": "Organization",
        "name": site_name(),
        "url": absolute("/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(logo)),
            "width": width,
            "height": height,
        },
    }


def person(author):
    """An author as a schema.org Person, with the address of their page."""
    return {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}


def person_ld(author):
    """The author page: a ProfilePage about the author."""
    about = person(author)
    if author.bio:
        about["description"] = author.bio
    return {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": about}


def news_article_ld(article, authors, topics):
    canonical = absolute(article.get_absolute_url())
    card, _width, _height = CARD
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.dek,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "datePublished": isotime(article.published_at),
        "dateModified": isotime(modified_time(article)),
        "author": [person(author) for author in authors],
        "publisher": organization_ld(),
        "image": [absolute(static(card))],
        "inLanguage": settings.SITE_LANGUAGE,
        "isAccessibleForFree": True,
    }
    if article.lead_image_id:
        # The 16:9, 4:3 and 1:1 crops search engines choose from, each well over 50,000 px.
        data["image"] = [
            _image_object(images.picture(article.lead_image, crop.name)) for crop in images.CROPS
        ]
    corrections = article.correction_list  # prefetched by for_page()
    if corrections:
        data["correction"] = [correction_ld(each) for each in corrections]
    if topics:
        data["articleSection"] = topics[0].name
        data["keywords"] = [each.name for each in topics]
    return data


def _image_object(shown):
    return {
        "@type": "ImageObject",
        "url": media_url(shown.url),
        "width": shown.width,
        "height": shown.height,
    }


def correction_ld(correction):
    """A correction or update as a schema.org CorrectionComment (its text without markup)."""
    return {
        "@type": "CorrectionComment",
        "text": unescape(strip_tags(correction.text_html)),
        "datePublished": isotime(correction.published_at),
    }


def breadcrumbs_ld(crumbs):
    """A BreadcrumbList from the home page through `crumbs`, a list of (name, path)."""
    trail = [(site_name(), "/"), *crumbs]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": absolute(path)}
            for n, (name, path) in enumerate(trail, start=1)
        ],
    }


def website_ld():
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_name(),
        "url": absolute("/"),
        "description": site_description(),
        "inLanguage": settings.SITE_LANGUAGE,
        "publisher": organization_ld(),
    }


def ld_json_script(data):
    """One <script type="application/ld+json"> element holding `data`."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
