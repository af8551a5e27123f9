from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "Social web"

    def ready(self):
        from articles.signals import article_changed
        from federation.receivers import article_changed_received

        article_changed.connect(article_changed_received, dispatch_uid="federation-article")
