"""Retention of signals (plugged into ``sharing.retention``).

A signal linked to an analysis is open work: it and its pieces stay beyond their date until it
is closed (the analyses area will pin through its own cases). Other signals past their
retain-until date are removed with their history, correlations, notifications and attachment
files; their pieces follow their own dates. A signal left without correlations is no longer
marked as linked.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef

from havenbeeld.signals.attachments import remove_files
from havenbeeld.signals.models import Attachment, Correlation, Signal, Status


def pinned_pieces() -> set[int]:
    return set(Signal.pieces.through.objects.filter(signal__status=Status.LINKED)
               .values_list("piece_id", flat=True))


BATCH = 1000  # signals removed per transaction


def remove_expired(today: dt.date) -> int:
    """Remove the expired signals, ``BATCH`` at a time: Django deletes a signal's history,
    correlations and notifications by listing the signals, and PostgreSQL takes at most 65,535
    parameters in a statement (a backlog of expired signals passed it)."""
    count = 0
    while True:
        batch = list(Signal.objects.filter(retain_until__lt=today).exclude(
            status=Status.LINKED).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            break
        with transaction.atomic():
            files = list(Attachment.objects.filter(signal__in=batch)
                         .values_list("stored_name", flat=True))
            Signal.objects.filter(pk__in=batch).delete()
            transaction.on_commit(lambda files=files: remove_files(files))
        count += len(batch)
    # A signal whose every correlation went with removed pieces or signals is no longer
    # linked: its reporter must not be told it is.
    Signal.objects.filter(correlated=True).exclude(
        Exists(Correlation.objects.filter(signal=OuterRef("pk")))).update(correlated=False)
    return count
