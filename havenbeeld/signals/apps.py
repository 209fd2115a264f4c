from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignalsConfig(AppConfig):
    name = "havenbeeld.signals"
    verbose_name = _("Signals")

    def ready(self) -> None:
        from havenbeeld.sharing import retention
        from havenbeeld.signals import retention as signal_retention

        if signal_retention.pinned_pieces not in retention.PIN_SOURCES:
            retention.PIN_SOURCES.append(signal_retention.pinned_pieces)
        retention.EXPIRY_STEPS["signals"] = signal_retention.remove_expired
