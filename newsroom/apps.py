from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


def _forget_public_pages(sender, **kwargs):
    if sender._meta.app_label in NewsroomConfig.reader_visible_apps:
        from newsroom.public_cache import content_changed

        content_changed()


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"
    # Any write to these apps' models can change what an anonymous reader sees.
    reader_visible_apps = {"articles"}

    def ready(self):
        from newsroom import checks  # noqa: F401 (registers them)

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_forget_public_pages, dispatch_uid=f"forget-pages-{signal!r}")
