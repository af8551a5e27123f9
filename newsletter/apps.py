from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from anymail.signals import tracking

        from articles import sitemaps
        from newsletter.archive import ArchiveSitemap
        from newsletter.roles import sync_roles_after_migrate
        from newsletter.webhooks import on_tracking

        # The site's sitemap index lives with the articles, which know nothing of the
        # newsletter: the archive adds its own section, as an app registers with the admin.
        sitemaps.SITEMAPS["newsletter"] = ArchiveSitemap

        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="newsletter-sync-roles"
        )
        tracking.connect(on_tracking, dispatch_uid="newsletter-tracking-events")
