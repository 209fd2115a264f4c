"""The audit log for platform administrators: filter, page, export, and the chain's state."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from havenbeeld.accounts import policy
from havenbeeld.audit import anchor
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.exports import csv_response


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEvent], dict]:
    params = {k: request.GET.get(k, "").strip()[:200]
              for k in ("who", "event", "object", "from", "until")}
    events = AuditEvent.objects.all()
    if params["who"]:
        events = events.filter(Q(actor_label__icontains=params["who"])
                               | Q(actor_organisation__icontains=params["who"]))
    if params["event"] in EventType.values:
        events = events.filter(event_type=params["event"])
    if params["object"]:
        events = events.filter(Q(target_id=params["object"])
                               | Q(target_label__icontains=params["object"]))
    if start := _date(params["from"]):
        events = events.filter(occurred_at__date__gte=start)
    if end := _date(params["until"]):
        events = events.filter(occurred_at__date__lte=end)
    return events.order_by("-id"), params


def audit_log(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.VIEW_AUDIT_LOG)
    events, params = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(request, "audit/log.html", {
        "page": page, "params": params, "event_types": EventType.choices,
        "query": f"{query}&" if query else "",
        # Walking the whole chain costs time on a large log: only when asked.
        "verification": anchor.verify_against_anchor() if request.GET.get("verify") else None})


def audit_export(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, policy.Action.VIEW_AUDIT_LOG)
    events, _params = _filtered(request)
    rows = ([e.pk, e.occurred_at.isoformat(), e.event_type, e.actor_label, e.actor_organisation,
             e.ip_address, e.target_type, e.target_id, e.target_label, e.details, e.entry_hash]
            for e in events.iterator(chunk_size=2000))
    return csv_response("auditlog.csv", ["id", "when", "event", "who", "organisation",
                                         "address", "object type", "object", "object label",
                                         "details", "hash"], rows)
