"""The newsroom's records: what an article is made of, who writes it, how it is corrected.

- article.py: Article (with `published()`, the one rule of what readers may see), its
  sections, byline, Recent News picks and old addresses;
- taxonomy.py: Author and Topic;
- integrity.py: corrections and shareable preview links;
- images.py: uploaded lead images and their renditions.
"""

from articles.models.article import (
    Article,
    ArticleQuerySet,
    Byline,
    RelatedPick,
    Section,
    SlugRedirect,
)
from articles.models.images import LeadImage, Rendition
from articles.models.integrity import Correction, PreviewLink
from articles.models.taxonomy import Author, Topic, address

__all__ = [
    "Article",
    "ArticleQuerySet",
    "Author",
    "Byline",
    "Correction",
    "LeadImage",
    "PreviewLink",
    "RelatedPick",
    "Rendition",
    "Section",
    "SlugRedirect",
    "Topic",
    "address",
]
