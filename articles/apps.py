from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from articles import checks  # noqa: F401 (registers the deployment checks)
        from articles.roles import sync_roles_after_migrate

        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="articles-sync-roles"
        )
