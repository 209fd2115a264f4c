import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "havenbeeld.settings")
application = get_wsgi_application()


def _settle() -> None:
    from django.urls import get_resolver

    from havenbeeld.core.startup import settle_heap

    get_resolver().url_patterns  # noqa: B018 — the URL configuration is loaded now, not at the first request
    settle_heap()


_settle()
