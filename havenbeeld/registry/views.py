"""Registry pages: search and the object page. Thin: they call search, selectors, picture."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from havenbeeld.accounts import policy
from havenbeeld.audit import events
from havenbeeld.registry.models import ObjectKind
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.search import search
from havenbeeld.registry.selectors import get_object_for_user


def object_search(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    query = request.GET.get("q", "")[:200]
    kind = request.GET.get("kind", "")
    if kind not in ObjectKind.values:
        kind = ""
    hits = search(request.user, query, kind=kind or None) if query.strip() else []
    return render(request, "registry/search.html", {
        "query": query, "kind": kind, "kinds": ObjectKind.choices, "hits": hits,
    })


def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    obj = get_object_for_user(request.user, pk)
    picture = build_picture(request.user, obj)
    events.picture_viewed(request.user, obj, request, picture.piece_count)
    return render(request, "registry/object_detail.html", {"picture": picture})
