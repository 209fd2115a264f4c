"""Data-subject access: for a person, which pieces exist, from whom, under which basis, and who
looked at them. For the privacy officer (platform administrators); values are not included —
the report says what is held and by whom, and the privacy officer asks the holders for content.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.http import Http404

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.registry.models import ObjectKind, Piece, RegistryObject

VIEW_EVENTS = (EventType.PICTURE_VIEWED, EventType.PICTURE_EXPORTED, EventType.PURPOSE_STATED,
               EventType.HIT_QUERY)
HEADER = ["section", "piece or event", "what", "organisation or user", "legal basis or purpose",
          "distribution", "observed", "recorded", "retain until"]


def person_for_subject_access(actor: User, pk: int) -> RegistryObject:
    policy.require(actor, policy.Action.VIEW_AUDIT_LOG)
    obj = RegistryObject.objects.filter(pk=pk, kind=ObjectKind.PERSON).first()
    if obj is None:
        raise Http404
    return obj


def subject_access_rows(actor: User, obj: RegistryObject,
                        request: object = None) -> Iterator[list[object]]:
    events.subject_access(actor, obj, request)
    pieces = (Piece.objects.filter(object=obj).select_related("organisation", "legal_basis")
              .order_by("observed_at"))
    for piece in pieces:
        what = piece.get_relation_display() if piece.relation else piece.get_property_display()
        if piece.scheme:
            what = f"{what} ({piece.get_scheme_display()})"
        yield ["piece", piece.pk, what, piece.organisation.name, piece.legal_basis.name,
               piece.get_distribution_display(), piece.observed_at.isoformat(),
               piece.recorded_at.isoformat(), piece.retain_until.isoformat()]
    viewings = AuditEvent.objects.filter(target_type="registry.registryobject",
                                         target_id=str(obj.pk),
                                         event_type__in=VIEW_EVENTS).order_by("id")
    for event in viewings:
        yield ["viewing", event.pk, event.label,
               f"{event.actor_label} ({event.actor_organisation})",
               event.details.get("purpose", ""), "", event.occurred_at.isoformat(), "", ""]
