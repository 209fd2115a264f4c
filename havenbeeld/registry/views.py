"""Registry pages: search and the object page. Thin: they call search, selectors, picture."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation
from havenbeeld.audit import events
from havenbeeld.core.exports import csv_response
from havenbeeld.places.geo import PORT_POSTCODES, approximate_location
from havenbeeld.places.models import Port
from havenbeeld.registry.models import ObjectKind, RegistryObject
from havenbeeld.registry.network import build_network
from havenbeeld.registry.picture import build_picture
from havenbeeld.registry.search import Filters, search
from havenbeeld.registry.selectors import get_object_for_user
from havenbeeld.resolution.selectors import cluster_for
from havenbeeld.sharing import hits, purpose


def _filter_details(filters: Filters) -> dict:
    return {k: str(v) for k, v in vars(filters).items() if v}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def object_search(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    query = request.GET.get("q", "")[:200]
    kind = request.GET.get("kind", "")
    if kind not in ObjectKind.values:
        kind = ""
    organisations = Organisation.objects.filter(active=True).order_by("name")
    ports = Port.objects.all()
    organisation = request.GET.get("organisation", "")
    organisation_id = int(organisation) if organisation.isdigit() else None
    port = request.GET.get("port", "")
    filters = Filters(kind=kind or None, organisation_id=organisation_id,
                      observed_from=_date(request.GET.get("from", "")),
                      observed_until=_date(request.GET.get("until", "")),
                      port=port if port in PORT_POSTCODES else None)
    hits = search(request.user, query, filters=filters) if query.strip() else []
    if query.strip():
        events.search_made(request.user, request, query, _filter_details(filters), len(hits),
                           "web")
    return render(request, "registry/search.html", {
        "query": query, "kind": kind, "kinds": ObjectKind.choices, "hits": hits,
        "organisations": organisations, "ports": ports, "filters": filters,
        "can_import": policy.can(request.user, policy.Action.CONTRIBUTE_INFORMATION),
    })


def _purpose_gate(request: HttpRequest, obj: RegistryObject) -> tuple[str | None,
                                                                     HttpResponse | None]:
    """For a person: the stated purpose, or the page that asks for it."""
    if not purpose.requires_purpose(obj):
        return None, None
    stated = purpose.purpose_for(request, obj)
    if stated:
        return stated, None
    error = ""
    if request.method == "POST":
        try:
            purpose.state_purpose(request, obj, request.POST.get("purpose", ""))
        except purpose.PurposeError as exc:
            error = exc.message
        else:
            return None, redirect(request.get_full_path())
    return None, render(request, "registry/purpose.html", {"object": obj, "error": error},
                        status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    obj = get_object_for_user(request.user, pk)
    stated, gate = _purpose_gate(request, obj)
    if gate is not None:
        return gate
    picture = build_picture(request.user, obj)
    events.picture_viewed(request.user, obj, request, picture.piece_count, stated)
    holders, hit_limit = [], False
    if hits.may_ask(request.user):
        try:
            holders = hits.hits_for(request.user, obj, request=request,
                                    purpose=stated or "object page")
        except hits.HitLimitReached:
            hit_limit = True
    location = None
    for value in picture.properties.get("postcode", []):
        location = approximate_location(value.value)
        if location:
            break
    ports = [{"name": p.name, "lat": float(p.latitude), "lon": float(p.longitude)}
             for p in Port.objects.all()]
    from havenbeeld.signals import notifications as signal_notifications
    from havenbeeld.signals.selectors import signals_about

    return render(request, "registry/object_detail.html", {
        "cluster": cluster_for(request.user, obj),
        "signals": signals_about(request.user, obj),
        "watching": signal_notifications.is_watching(request.user, obj.pk),
        "may_split": policy.can(request.user, policy.Action.ANALYSE),
        "picture": picture, "location": location, "map_ports": ports,
        "hits": holders, "hit_limit": hit_limit, "may_ask_hits": hits.may_ask(request.user),
        "map_tiles": settings.MAP_TILE_URL, "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    })


def object_network(request: HttpRequest, pk: int) -> JsonResponse:
    """Nodes and edges 1–2 steps around the object, as far as the viewer may see them."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    obj = get_object_for_user(request.user, pk)
    try:
        depth = int(request.GET.get("depth", "2"))
    except ValueError:
        depth = 2
    return JsonResponse(build_network(request.user, obj, depth).as_json())


EXPORT_COLUMNS = ("property", "identifier scheme", "relation", "value", "valid from",
                  "valid until", "organisation", "source", "observed at", "recorded at",
                  "distribution", "legal basis", "reliability", "credibility", "retain until",
                  "status")


def object_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The object's picture as CSV: the same pieces the page shows, formula-safe."""
    policy.require(request.user, policy.Action.READ_SHARED_INFORMATION)
    obj = get_object_for_user(request.user, pk)
    stated = purpose.purpose_for(request, obj)
    if purpose.requires_purpose(obj) and not stated:
        return redirect("registry:object", pk=obj.pk)
    picture = build_picture(request.user, obj)
    events.picture_exported(request.user, obj, request, picture.piece_count, stated)

    def rows():
        for piece in picture.timeline:
            status = ("retraction" if piece.retracts else
                      "corrected" if piece.pk in picture.superseded else "current")
            yield [piece.property, piece.scheme, piece.relation, piece.value, piece.valid_from,
                   piece.valid_until, piece.contributor, piece.source,
                   piece.observed_at.isoformat(), piece.recorded_at.isoformat(),
                   piece.distribution, piece.legal_basis.name, piece.reliability,
                   piece.credibility, piece.retain_until, status]

    return csv_response(f"object-{obj.pk}.csv", list(EXPORT_COLUMNS), rows())
