"""Retention with a frozen clock: due pieces go, corrections stay, counts are logged."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

import pytest
import time_machine

from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject, Source
from havenbeeld.registry.services import Fact, Provenance, correct_piece, create_object
from havenbeeld.sharing.models import Distribution, LegalBasis
from havenbeeld.sharing.retention import apply_retention

pytestmark = pytest.mark.django_db


def make(world, name, days, kind=ObjectKind.COMPANY):
    return create_object(actor=world.customs_analyst, kind=kind,
                         facts=[Fact(Property.NAME, name)],
                         provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                               LegalBasis.objects.get(code="wgs"),
                                               retain_until=timezone.localdate()
                                               + dt.timedelta(days=days)))


def test_due_pieces_and_emptied_objects_are_removed_and_counted(world):
    short = make(world, "Kort B.V.", 10)
    long = make(world, "Lang B.V.", 400)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        report = apply_retention()
    assert report.pieces_removed == 1 and report.objects_removed == 1
    assert not RegistryObject.objects.filter(pk=short.pk).exists()
    assert RegistryObject.objects.filter(pk=long.pk).exists()
    event = AuditEvent.objects.get(event_type=EventType.RETENTION_RUN)
    assert event.details["by_legal_basis"] == {"wgs": 1}
    assert "Kort" not in str(event.details)  # counts, never content


def test_a_correction_outlives_what_it_corrected(world):
    obj = make(world, "Oud B.V.", 10)
    old = Piece.objects.get(object=obj)
    correct_piece(actor=world.customs_analyst, piece=old, value="Nieuw B.V.",
                  provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                        LegalBasis.objects.get(code="wgs"),
                                        retain_until=timezone.localdate()
                                        + dt.timedelta(days=400)))
    call_command("retention", "--date", str(timezone.localdate() + dt.timedelta(days=30)))
    assert list(obj.pieces.values_list("value", flat=True)) == ["Nieuw B.V."]


def test_nothing_due_removes_nothing(world):
    make(world, "Lang B.V.", 400)
    assert apply_retention().pieces_removed == 0


def test_administrators_shorten_retention_per_source(world):
    from havenbeeld.registry.services import forget_retention_defaults
    from havenbeeld.sharing.models import RetentionDefault

    RetentionDefault.objects.create(source="manual", days=30)
    forget_retention_defaults()
    obj = create_object(actor=world.customs_analyst, kind=ObjectKind.COMPANY,
                        facts=[Fact(Property.NAME, "Kort Bewaard B.V.")],
                        provenance=Provenance(Source.MANUAL, Distribution.CONVENANT,
                                              LegalBasis.objects.get(code="wgs")))
    piece = Piece.objects.get(object=obj)
    assert piece.retain_until == (piece.recorded_at + dt.timedelta(days=30)).date()


def test_retention_defaults_are_kept_on_the_reference_page(world):
    from havenbeeld.core.testing import verified_client
    from havenbeeld.sharing.models import RetentionDefault

    client = verified_client(world.platform_admin)
    response = client.post("/beheer/referentie/bewaartermijnen/nieuw/",
                           {"source": "signal", "days": 730})
    assert response.status_code == 302
    assert RetentionDefault.objects.get(source="signal").days == 730


def test_tens_of_thousands_of_pinned_pieces_are_kept_without_failing(world, monkeypatch):
    """Open work may pin more pieces than a PostgreSQL statement takes parameters (65,535):
    retention still runs, keeps what is pinned and counts it."""
    from havenbeeld.sharing import retention

    kept = make(world, "Vast B.V.", 10)
    gone = make(world, "Weg B.V.", 10)
    pinned_piece = Piece.objects.get(object=kept).pk
    many = {pinned_piece, *range(10**9, 10**9 + 70_000)}  # ids of pieces of open work
    monkeypatch.setattr(retention, "PIN_SOURCES", [lambda: many])
    monkeypatch.setattr(retention, "BATCH", 1)  # a batch of only pinned pieces, too
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        report = apply_retention()
    assert report.pieces_removed == 1 and report.pinned == 1
    assert Piece.objects.filter(pk=pinned_piece).exists()
    assert not RegistryObject.objects.filter(pk=gone.pk).exists()
