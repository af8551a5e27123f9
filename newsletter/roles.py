"""What the newsroom's roles (articles/roles.py) may do with the daily digest, kept in step on
every `migrate`. Editors build, edit, test and send editions; writers only look at them.
Only the digest's own permissions are managed here, so subscriber rights stay as granted."""

from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

DIGEST_MODELS = ("edition", "editionarticle", "delivery")
ROLES = {
    "Editors": {
        "add_edition",
        "change_edition",
        "delete_edition",
        "view_edition",
        "send_edition",
        "add_editionarticle",
        "change_editionarticle",
        "delete_editionarticle",
        "view_editionarticle",
        "view_delivery",
    },
    "Writers": {"view_edition", "view_editionarticle"},
}


def sync_roles(app_config, *, using=DEFAULT_DB_ALIAS):
    from django.contrib.auth.models import Group, Permission

    create_permissions(app_config, verbosity=0, using=using)
    digest = Permission.objects.using(using).filter(
        content_type__app_label=app_config.label, content_type__model__in=DIGEST_MODELS
    )
    for role, codenames in ROLES.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = set(digest.filter(codename__in=codenames))
        held = set(group.permissions.filter(pk__in=digest.values("pk")))
        group.permissions.remove(*(held - wanted))
        group.permissions.add(*(wanted - held))


def sync_roles_after_migrate(sender, app_config, using=DEFAULT_DB_ALIAS, **kwargs):
    sync_roles(app_config, using=using)
