"""The newsroom's two roles, kept in step with this file on every `migrate`.

Groups are synced after migrations rather than in a data migration because, on a fresh
database, permissions are only created by the post_migrate step. Only this app's permissions
are managed here; other apps may grant the same groups their own.
"""

from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

ALL = ("add", "change", "delete", "view")
ROLES = {
    # Everything on the desk, and the right to decide what goes live and when.
    "Editors": {
        "article": ALL,
        "author": ALL,
        "topic": ALL,
        "section": ALL,
        "byline": ALL,
        "relatedpick": ALL,
        "slugredirect": ALL,
        "correction": ALL,
        "previewlink": ALL,
        "publish": ("publish_article",),
    },
    # Writing their own drafts, whole: sections and their place in the byline included.
    "Writers": {
        "article": ("add", "change", "view"),
        "section": ALL,
        "byline": ALL,
        "relatedpick": ("view",),
        "author": ("view",),
        "topic": ("view",),
    },
}


def codenames(role):
    names = set()
    for model, actions in ROLES[role].items():
        if model == "publish":
            names.update(actions)
        else:
            names.update(f"{action}_{model}" for action in actions)
    return names


def sync_roles(app_config, *, using=DEFAULT_DB_ALIAS):
    """Create the groups and give each exactly this app's permissions listed above."""
    from django.contrib.auth.models import Group, Permission

    create_permissions(app_config, verbosity=0, using=using)
    ours = Permission.objects.using(using).filter(content_type__app_label=app_config.label)
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = set(ours.filter(codename__in=codenames(role)))
        held = set(group.permissions.filter(content_type__app_label=app_config.label))
        group.permissions.remove(*(held - wanted))
        group.permissions.add(*(wanted - held))


def sync_roles_after_migrate(sender, app_config, using=DEFAULT_DB_ALIAS, **kwargs):
    sync_roles(app_config, using=using)
