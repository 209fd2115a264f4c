"""Retention of signals: per theme, pinned while linked to an analysis, removed with counts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

import pytest
import time_machine

from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import api_headers, verified_client
from havenbeeld.registry.models import ObjectKind, Piece
from havenbeeld.sharing.models import Distribution
from havenbeeld.sharing.retention import apply_retention
from havenbeeld.signals import intake, triage
from havenbeeld.signals.models import Attachment, Signal, Theme

pytestmark = pytest.mark.django_db(transaction=True)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def _report(user, title, theme="uithalers", uploads=()):
    return intake.submit(actor=user, uploads=uploads, data=intake.SignalInput(
        theme=theme, port="rotterdam", title=title, distribution=Distribution.CONVENANT,
        legal_basis="wgs", objects=(intake.ObjectEntry(kind=ObjectKind.VEHICLE,
                                                       registration=f"XB-{title}"),))).signal


def test_a_theme_shortens_retention_and_linked_signals_are_kept(world, port, riec_analyst,
                                                                 settings):
    Theme.objects.filter(code="uithalers").update(retention_days=30)
    short = _report(world.terminal_contributor, "kort", uploads=[intake.Upload("a.png", PNG)])
    linked = _report(world.terminal_contributor, "analyse")
    other = _report(world.terminal_contributor, "lang", theme="drugs")
    assert short.retain_until == timezone.localdate() + dt.timedelta(days=30)
    assert other.retain_until > short.retain_until
    triage.change_status(actor=riec_analyst, signal=linked, status="in_progress")
    triage.change_status(actor=riec_analyst, signal=linked, status="linked", analysis="IA-1")
    stored = settings.SIGNAL_ATTACHMENT_DIR / Attachment.objects.get().stored_name
    assert stored.exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        report = apply_retention()
    assert set(Signal.objects.values_list("title", flat=True)) == {"analyse", "lang"}
    assert report.other["signals"] == 1 and report.pinned == 1
    assert Piece.objects.filter(signals=linked).exists()
    assert not Piece.objects.filter(value="XB-KORT").exists()
    assert not stored.exists()
    event = AuditEvent.objects.filter(event_type=EventType.RETENTION_RUN).latest("pk")
    assert event.details["signals"] == 1 and "kort" not in str(event.details)


def test_a_signal_whose_correlated_signal_expired_is_no_longer_linked(world, port, riec_analyst):
    Theme.objects.filter(code="uithalers").update(retention_days=30)
    early = _report(world.terminal_contributor, "zelfde", theme="uithalers")
    late = _report(world.customs_analyst, "zelfde", theme="drugs")  # same plate, kept longer
    late.refresh_from_db()
    assert late.correlated and late.correlations.exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        apply_retention()
    assert not Signal.objects.filter(pk=early.pk).exists()
    late.refresh_from_db()
    assert not late.correlations.exists() and not late.correlated
    reporter = verified_client(world.customs_analyst)
    api = reporter.get(f"/api/signals/{late.pk}", **api_headers(world.customs_analyst))
    assert api.json()["linked"] is False


def test_expired_signals_go_in_batches_with_their_files(world, port, settings, monkeypatch):
    """A backlog of expired signals is removed a batch at a time (each its own transaction):
    every one of them, with its attachment files, and counted once."""
    from havenbeeld.signals import retention as signal_retention

    monkeypatch.setattr(signal_retention, "BATCH", 2)
    Theme.objects.filter(code="uithalers").update(retention_days=30)
    signals = [_report(world.terminal_contributor, f"oud{i}",
                       uploads=[intake.Upload(f"{i}.png", PNG)]) for i in range(5)]
    files = [settings.SIGNAL_ATTACHMENT_DIR / a.stored_name for a in Attachment.objects.all()]
    assert len(files) == 5 and all(f.exists() for f in files)
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        report = apply_retention()
    assert report.other["signals"] == 5
    assert not Signal.objects.filter(pk__in=[s.pk for s in signals]).exists()
    assert not any(f.exists() for f in files)
