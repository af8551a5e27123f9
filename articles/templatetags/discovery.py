"""Template access to articles.seo for pages whose views are not the discovery code's own."""

from django import template

from articles import seo

register = template.Library()


@register.simple_tag
def article_meta(article):
    """`{% article_meta article as meta %}`: the article page's PageMeta (see _meta.html)."""
    return seo.article_meta(article)


@register.filter
def isotime(moment):
    """ISO 8601 with the offset and whole seconds, for <time datetime>, sitemaps and feeds."""
    return seo.isotime(moment) or ""
