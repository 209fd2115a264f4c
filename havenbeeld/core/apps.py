from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "havenbeeld.core"
    verbose_name = "Havenbeeld"

    def ready(self) -> None:
        from django.conf import settings

        if any(db["ENGINE"].endswith("postgresql") for db in settings.DATABASES.values()):
            from havenbeeld.core.database import cache_statement_conversions

            cache_statement_conversions()
