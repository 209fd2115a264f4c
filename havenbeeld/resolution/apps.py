from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionConfig(AppConfig):
    name = "havenbeeld.resolution"
    verbose_name = _("Entity resolution")
