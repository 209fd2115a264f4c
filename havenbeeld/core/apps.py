from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "havenbeeld.core"
    verbose_name = "Havenbeeld"
