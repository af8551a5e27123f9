"""Template access to lead image renditions (articles.images): addresses and sizes computed
from the lead image row, without a query or any image work."""

from django import template

from articles import images

register = template.Library()


@register.simple_tag
def lead_picture(lead_image, spec):
    """`{% lead_picture article.lead_image "w480" as shown %}`: shown.url, .width, .height."""
    return images.picture(lead_image, spec)


@register.simple_tag
def lead_srcset(lead_image):
    """Every width of the lead image, for an <img srcset>."""
    return images.srcset(lead_image)
