"""Start page, workspace, area pages and the health check."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language

from havenbeeld.accounts import policy
from havenbeeld.core.access import public
from havenbeeld.core.areas import get_area


@public
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "core/start.html")


def dashboard(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.USE_WORKSPACE)
    return render(request, "core/dashboard.html")


def area(request: HttpRequest, slug: str) -> HttpResponse:
    policy.require(request.user, policy.Action.USE_WORKSPACE)
    found = get_area(slug)
    if found is None:
        raise Http404
    if found.url_name:
        return redirect(found.url_name)
    return render(request, "core/area_unavailable.html", {"area": found})


set_language = public(django_set_language)


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    body = {
        "status": "ok" if database == "ok" else "unavailable",
        "database": database,
        "database_vendor": connection.vendor,
        "environment": settings.ENVIRONMENT,
        "check_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)
