from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionConfig(AppConfig):
    name = "havenbeeld.resolution"
    verbose_name = _("Entity resolution")

    def ready(self) -> None:
        from havenbeeld.registry.signals import pieces_saved
        from havenbeeld.resolution.services import on_pieces_saved

        pieces_saved.connect(on_pieces_saved, dispatch_uid="resolution-intake")
