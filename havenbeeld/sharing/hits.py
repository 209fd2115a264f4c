"""Hit/no-hit: which other organisations hold pieces on an object that the viewer cannot see.

"On an object" means on the entity: the object and the other partners' records resolution has
linked to it (its cluster), so a partner that recorded the company as its own object is found.

Only analysts and coordinators of public partners get hits (DESIGN.md §7); they learn the
holding organisation, that it holds pieces, how many, and the month of the latest — no content.
Private partners receive no hits. Every hit query is audit logged with its purpose and counted
against a per-user hourly limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import User
from havenbeeld.audit import events
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.registry.models import Piece, RegistryObject
from havenbeeld.sharing.visibility import contributor_name, piece_filter


@dataclass(frozen=True)
class Hit:
    organisation_id: int
    organisation: str
    pieces: int
    latest_month: str  # "2026-03"


class HitLimitReached(Exception):
    pass


def may_ask(user: User) -> bool:
    return policy.can(user, policy.Action.ANALYSE) and user.organisation.is_public


def hits_asked_recently(user: User) -> int:
    """Hit questions (on objects or identifiers) the user asked in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    return AuditEvent.objects.filter(
        actor=user, occurred_at__gte=since,
        event_type__in=(EventType.HIT_QUERY, EventType.IDENTIFIER_HIT_QUERY)).count()


def entity_objects(obj: RegistryObject) -> list[int]:
    """The object and the records of the same entity at other partners (its resolution
    cluster): a hit is about the company or person, however each partner recorded it."""
    from havenbeeld.resolution.services import cluster_members

    return cluster_members(obj.pk)


def hits_for(user: User, obj: RegistryObject, *, purpose: str,
             request: HttpRequest | None = None) -> list[Hit]:
    """Other organisations' pieces on ``obj`` that ``user`` cannot see, as counts only."""
    if not may_ask(user):
        return []
    if hits_asked_recently(user) >= settings.HIT_QUERIES_PER_HOUR:
        raise HitLimitReached
    hidden = (Piece.objects.filter(object_id__in=entity_objects(obj)).exclude(piece_filter(user))
              .exclude(organisation_id=user.organisation_id)
              .values("organisation_id", "organisation__name", "pseudonymous_in")
              .annotate(count=Count("id"), latest=Max("observed_at"))
              .order_by("organisation__name"))
    hits = [Hit(row["organisation_id"], contributor_name(
                user, row["organisation_id"], row["organisation__name"],
                row["pseudonymous_in"]), row["count"],
                f"{row['latest']:%Y-%m}")
            for row in hidden]
    events.hit_query(user, obj, request, purpose, len(hits))
    return hits
