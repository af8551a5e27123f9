from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Social web"

    def ready(self):
        from django.core import checks

        from articles.signals import article_changed
        from federation.conf import check_options
        from federation.receivers import article_changed_received

        checks.register(check_options)

        article_changed.connect(article_changed_received, dispatch_uid="federation-article")
