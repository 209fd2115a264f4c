"""The demo world's third layer: signals of every theme, in every port, over two years, with
planted clusters, triage, and the Customs piece of the signals issue's "done when"."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

import pytest

from havenbeeld.accounts.models import Sector, User
from havenbeeld.core.testing import verified_client
from havenbeeld.demo import signals_world
from havenbeeld.demo import world as demo
from havenbeeld.places.models import Port
from havenbeeld.registry.models import ObjectKind, Piece, Property
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.signals import intake, triage
from havenbeeld.signals.correlation import visible_correlations
from havenbeeld.signals.models import (
    Correlation,
    EventKind,
    Notification,
    Signal,
    SignalObject,
    Status,
    Theme,
)

pytestmark = pytest.mark.django_db
SEED, SCALE = 4, 20


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One small demo world for the whole module, rolled back afterwards (each test runs in a
    savepoint inside it)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo.build(seed=SEED, scale=SCALE)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _user(email: str) -> User:
    return User.objects.select_related("organisation").get(email=email)


def test_every_theme_and_every_port_has_signals(built):
    themes = set(Theme.objects.filter(active=True).values_list("code", flat=True))
    assert set(Signal.objects.values_list("theme__code", flat=True)) == themes
    assert set(Signal.objects.values_list("port_id", flat=True)) == set(
        Port.objects.values_list("pk", flat=True))
    assert built["signals"] == Signal.objects.count() >= 30


def test_signals_span_two_years_and_were_received_after_they_were_observed(built):
    now = timezone.now()
    oldest = Signal.objects.order_by("observed_at").first().observed_at
    newest = Signal.objects.order_by("-observed_at").first().observed_at
    assert now - dt.timedelta(days=731) <= oldest <= now - dt.timedelta(days=600)
    assert newest >= now - dt.timedelta(days=30)
    for signal in Signal.objects.all():
        assert signal.observed_at <= signal.received_at <= now
        assert signal.reference == f"S-{signal.received_at:%Y}-{signal.pk:06d}"
        assert all(signal.received_at <= event.at <= now for event in signal.events.all())


def test_reporters_are_plausible_and_share_under_their_legal_basis(built):
    for signal in Signal.objects.select_related("organisation", "legal_basis"):
        if signal.organisation.sector == Sector.PRIVATE:
            assert signal.legal_basis.code == "wgs"
            assert signal.distribution in ("all", "convenant")
        else:
            assert not signal.pseudonymous
            assert signal.legal_basis.code in ("wpg", "awr-douane", "avg-publieke-taak", "wgs")
    assert Signal.objects.filter(pseudonymous=True).exists()
    fishers = Signal.objects.filter(organisation__kind="fishery")
    assert set(fishers.values_list("theme__code", flat=True)) & {"drugs", "mensensmokkel"}
    assert Signal.objects.filter(organisation__kind="container_terminal",
                                 theme__code="uithalers").exists()
    assert Signal.objects.filter(organisation__kind="police", legal_basis__code="wpg").exists()


def test_signals_reuse_the_registry_world_so_they_correlate_with_its_pieces(built):
    from_registry = Correlation.objects.filter(other_signal__isnull=True).exclude(
        piece__source="signal")
    assert from_registry.filter(basis="identifier").exists()
    assert from_registry.filter(piece__scheme__in=("kvk", "imo", "container")).exists()
    assert SignalObject.objects.filter(object__kind=ObjectKind.VEHICLE).exists()


def test_every_planted_cluster_is_correlated_within_itself(built):
    clusters = signals_world.planted_clusters(SEED)
    assert set(clusters) == set(signals_world.CLUSTERS)
    for name, signals in clusters.items():
        assert len(signals) >= 3, name
        ids = {s.pk for s in signals}
        pairs = set(Correlation.objects.filter(signal_id__in=ids, other_signal_id__in=ids)
                    .values_list("signal_id", "other_signal_id"))
        missing = {(a, b) for a in ids for b in ids if a != b} - pairs
        assert not missing, (name, missing)
        assert len({s.organisation_id for s in signals}) >= 2, name
    insiders = clusters["insider-terminals"]
    assert {"container_terminal", "other"} <= {s.organisation.kind for s in insiders}
    fiod = [s for s in clusters["malafide-flexadres"] if s.organisation.kind == "tax"]
    assert fiod


def test_older_signals_are_triaged_with_feedback_and_recent_ones_are_new(built):
    from havenbeeld.signals.models import Notification

    assert Notification.objects.exists()
    assert not Notification.objects.filter(emailed=False).exists()  # history: in the app only
    statuses = dict(Signal.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Status.values)
    for signal in Signal.objects.filter(status=Status.LINKED):
        assert re.fullmatch(r"IA-\d{4}-\d{3}", signal.analysis_reference)
    assert not Signal.objects.filter(status=Status.CLOSED, close_reason="").exists()
    recent = Signal.objects.filter(received_at__gte=timezone.now() - dt.timedelta(days=3))
    assert recent.exists()
    assert set(recent.values_list("status", flat=True)) == {Status.NEW}
    fortnight = timezone.now() - dt.timedelta(days=14)
    assert not Signal.objects.filter(received_at__gte=fortnight, status__in=(
        Status.LINKED, Status.CLOSED)).exists()
    feedback = Notification.objects.filter(kind=Notification.Kind.FEEDBACK)
    assert feedback.exists()
    assert all(n.user_id == n.signal.reported_by_id for n in feedback)
    assert not Notification.objects.filter(emailed=False).exists()
    # One analysis per planted cluster.
    for signals in signals_world.planted_clusters(SEED).values():
        assert len({s.analysis_reference for s in signals if s.status == Status.LINKED}) <= 1


def test_the_done_when_container_has_a_customs_piece_and_no_signal_yet(built):
    pieces = Piece.objects.filter(property=Property.IDENTIFIER, scheme="container",
                                  value_normalised=signals_world.DEMO_CONTAINER_FOR_TERMINAL)
    [customs] = pieces
    assert customs.organisation.name == "Douane Rotterdam Rijnmond"
    assert (customs.distribution, customs.legal_basis.code) == ("convenant", "awr-douane")
    assert Piece.objects.filter(object=customs.object, property=Property.CARGO).exists()
    assert not Signal.objects.filter(pieces__object=customs.object).exists()
    assert not SignalObject.objects.filter(object=customs.object).exists()
    # The demo's private contributors cannot see it; the RIEC analyst can.
    for email in ("meldkamer@kaaiwacht-terminal.example", "security@kaaiwacht-terminal.example",
                  "security@noordstroom-lijndienst.example"):
        assert not pieces_visible_to(_user(email)).filter(object=customs.object).exists()
    assert pieces_visible_to(_user("analist@riec-rotterdam.example")).filter(
        pk=customs.pk).exists()


def test_the_done_when_scenario_plays_in_the_demo_world(built):
    reporter = _user(signals_world.DONE_WHEN_USERS["reporter"])
    analyst = _user(signals_world.DONE_WHEN_USERS["analyst"])
    customs = Piece.objects.get(scheme="container",
                                value_normalised=signals_world.DEMO_CONTAINER_FOR_TERMINAL)
    signal = intake.submit(actor=reporter, data=intake.SignalInput(
        theme="uithalers", port="rotterdam", title="Container open aangetroffen",
        distribution="all", legal_basis="wgs", objects=(intake.ObjectEntry(
            kind=ObjectKind.CONTAINER,
            identifiers=(("container", signals_world.DEMO_CONTAINER_DISPLAY),)),))).signal
    assert {c.piece_id for c in visible_correlations(analyst, signal)} >= {customs.pk}
    assert not visible_correlations(reporter, signal).exists()
    triage.change_status(actor=analyst, signal=signal, status=Status.IN_PROGRESS)
    triage.give_feedback(actor=analyst, signal=signal, text="Dank, we kijken ernaar.")
    assert signal.events.filter(kind=EventKind.FEEDBACK, for_reporter=True).exists()
    assert Notification.objects.filter(user=reporter, signal=signal,
                                       kind=Notification.Kind.FEEDBACK).exists()
    assert not pieces_visible_to(reporter).filter(pk=customs.pk).exists()
    # The pages say the same: the analyst sees the Customs piece, the reporter the feedback.
    analyst_page = verified_client(analyst).get(f"/signalen/{signal.pk}/").content.decode()
    assert "Douane Rotterdam Rijnmond" in analyst_page and "Risicoselectie" in analyst_page
    reporter_page = verified_client(reporter).get(f"/signalen/{signal.pk}/").content.decode()
    assert "Dank, we kijken ernaar." in reporter_page
    assert "Douane" not in reporter_page and "Risicoselectie" not in reporter_page


def test_building_twice_adds_nothing(built):
    signals, correlations = Signal.objects.count(), Correlation.objects.count()
    users = User.objects.count()
    again = demo.build(seed=SEED, scale=SCALE)
    assert again == built
    assert (Signal.objects.count(), Correlation.objects.count(), User.objects.count()) == (
        signals, correlations, users)
    assert signals_world.is_built(SEED) and not signals_world.is_built(SEED + 1)
