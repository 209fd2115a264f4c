"""Sign-in enforcement and the idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from havenbeeld.audit import events
from havenbeeld.core.access import is_public

LAST_SEEN_KEY = "havenbeeld_last_seen"


class IdleTimeoutMiddleware:
    """Signs a user out after ``IDLE_TIMEOUT_MINUTES`` without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                user = request.user
                events.session_timed_out(user, request)
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)d minutes of "
                                         "inactivity. Please sign in again.")
                              % {"minutes": settings.IDLE_TIMEOUT_MINUTES})
                return redirect(_login_url(request))
            request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireVerifiedUserMiddleware:
    """Every non-public view needs a signed-in user who passed the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple,
                     view_kwargs: dict) -> HttpResponse | None:
        if is_public(view_func):
            return None
        user = request.user
        if user.is_authenticated and user.is_verified():
            return None
        if user.is_authenticated:
            # Password accepted in another flow but no second factor: start over.
            logout(request)
        return redirect(_login_url(request))


def _login_url(request: HttpRequest) -> str:
    url = reverse(settings.LOGIN_URL)
    if request.method == "GET" and request.path not in {"/", url}:
        url += "?" + urlencode({"next": request.get_full_path()})
    return url
