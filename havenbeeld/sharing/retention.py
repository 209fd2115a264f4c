"""Retention: pieces past their retain-until date are removed, and the run is logged in counts.

A correction outlives the piece it corrected (its own date rules it). A retraction whose piece
is gone has nothing left to withdraw and goes too. An object left without pieces is removed
unless another object's relation still points at it. Removal is logged with counts per legal
basis, never with content (DESIGN.md §7).

Other areas plug in without this module knowing them: ``PIN_SOURCES`` name pieces an open piece
of work keeps beyond their date (signals linked to an analysis now; cases once they exist), and
``EXPIRY_STEPS`` remove their own records past retention (signals) after the pieces, reporting
a count each.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from havenbeeld.audit import events
from havenbeeld.registry.models import Piece, RegistryObject

BATCH = 5000


@dataclass
class RetentionReport:
    pieces_removed: int = 0
    objects_removed: int = 0
    by_legal_basis: Counter = field(default_factory=Counter)
    other: dict[str, int] = field(default_factory=dict)  # e.g. {"signals": 3}
    pinned: int = 0


PIN_SOURCES: list[Callable[[], set[int]]] = []
EXPIRY_STEPS: dict[str, Callable[[dt.date], int]] = {}


def pinned_piece_ids() -> set[int]:
    """Pieces open work keeps beyond their date (see ``PIN_SOURCES``)."""
    pinned: set[int] = set()
    for source in PIN_SOURCES:
        pinned |= source()
    return pinned


def apply_retention(today: dt.date | None = None) -> RetentionReport:
    today = today or timezone.localdate()
    report = RetentionReport()
    pinned = pinned_piece_ids()
    after = 0
    while True:
        # In the order of the ids, from where the batch before ended; the pinned are left out
        # here, not in SQL: a list of them as parameters would pass PostgreSQL's limit of
        # 65,535 once thousands of signals are linked to analyses.
        rows = list(Piece.objects.filter(retain_until__lt=today, pk__gt=after).order_by("pk")
                    .values_list("pk", "legal_basis__code", "object_id")[:BATCH])
        if not rows:
            break
        after = rows[-1][0]
        due = [row for row in rows if row[0] not in pinned]
        report.pinned += len(rows) - len(due)
        if not due:
            continue
        with transaction.atomic():
            ids = [pk for pk, _code, _obj in due]
            report.by_legal_basis.update(code for _pk, code, _obj in due)
            # Retractions of what is now gone have nothing left to withdraw.
            orphans = list(Piece.objects.filter(corrects_id__in=ids, retracts=True)
                           .exclude(pk__in=ids).values_list("pk", flat=True))
            Piece.objects.filter(pk__in=ids + orphans).delete()
            report.pieces_removed += len(ids) + len(orphans)
            touched = {obj for _pk, _code, obj in due}
            empty = (RegistryObject.objects.filter(pk__in=touched, pieces__isnull=True)
                     .exclude(pk__in=Piece.objects.filter(target_id__in=touched)
                              .values("target_id")))
            report.objects_removed += empty.count()
            empty.delete()
    for name, step in EXPIRY_STEPS.items():
        report.other[name] = step(today)
    events.retention_run(today, report.pieces_removed, report.objects_removed,
                         dict(report.by_legal_basis), pinned=report.pinned, **report.other)
    return report


__all__ = ["RetentionReport", "apply_retention"]
