"""The signal pipeline per channel: validation, objects and pieces, idempotency, correlation
without leaking, notifications, attachments and bad input."""

from __future__ import annotations

import json

from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

import pytest

from havenbeeld.accounts.models import Role
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import api_headers, make_user, verified_client
from havenbeeld.registry.models import ObjectKind, Piece, Property, RegistryObject, Source
from havenbeeld.registry.selectors import pieces_visible_to
from havenbeeld.registry.services import Fact, Provenance, create_object
from havenbeeld.sharing.models import Distribution, LegalBasis
from havenbeeld.signals import intake
from havenbeeld.signals.correlation import COMMON_AFTER, visible_correlations
from havenbeeld.signals.models import (
    Attachment,
    CommonValue,
    Correlation,
    Notification,
    Signal,
    Theme,
    Watch,
)
from havenbeeld.signals.selectors import reporter_label, signals_visible_to

pytestmark = pytest.mark.django_db(transaction=True)

CONTAINER = "MSCU 123456 6"  # a valid ISO 6346 number (check digit 6)
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def _uithaler(**changes) -> intake.SignalInput:
    data = {
        "theme": "uithalers", "port": "rotterdam", "title": "Twee uithalers bij stack 14",
        "description": "Twee personen in donkere kleding verstopten zich in een container.",
        "distribution": Distribution.CONVENANT, "legal_basis": "wgs",
        "objects": (intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                                       identifiers=(("container", CONTAINER),)),
                    intake.ObjectEntry(kind=ObjectKind.VEHICLE, registration="XB-123-Z"),
                    intake.ObjectEntry(kind=ObjectKind.COMPANY, name="Kaaiwacht Logistiek B.V.",
                                       identifiers=(("kvk", "12345678"),))),
    }
    data.update(changes)
    return intake.SignalInput(**data)


def _customs_container(world, distribution=Distribution.CONVENANT):
    """Customs already recorded the container (an earlier piece, not a signal)."""
    return create_object(
        actor=world.customs_analyst, kind=ObjectKind.CONTAINER,
        facts=[Fact(Property.IDENTIFIER, "mscu1234566", scheme="container"),
               Fact(Property.CARGO, "Bananen uit Guayaquil")],
        provenance=Provenance(Source.MANUAL, distribution,
                              LegalBasis.objects.get(code="awr-douane")))


def test_a_signal_records_its_objects_as_pieces_with_the_reporters_provenance(world, port):
    submission = intake.submit(actor=world.terminal_contributor, data=_uithaler())
    signal = submission.signal
    assert signal.reference.startswith("S-") and signal.status == "new"
    assert submission.objects_created == 3
    pieces = list(signal.pieces.all())
    assert {p.organisation_id for p in pieces} == {world.terminal.pk}
    assert {p.source for p in pieces} == {Source.SIGNAL}
    assert {p.distribution for p in pieces} == {Distribution.CONVENANT}
    container = Piece.objects.get(scheme="container", signals=signal)
    assert container.value == CONTAINER and container.value_normalised == "MSCU1234566"
    assert AuditEvent.objects.filter(event_type=EventType.SIGNAL_REPORTED).count() == 1


def test_the_reporters_own_object_with_the_same_identifier_is_reused(world, port):
    first = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    second = intake.submit(actor=world.terminal_contributor, data=_uithaler(
        title="Weer dezelfde container")).signal
    for kind in ("container", "company"):  # both found in one read
        assert (set(first.entries.filter(object__kind=kind).values_list("object_id"))
                == set(second.entries.filter(object__kind=kind).values_list("object_id")))
    # Another organisation's record, or an identifier on an object of another kind, is not
    # joined.
    third = intake.submit(actor=world.police_analyst, data=_uithaler(
        title="Politie: dezelfde container")).signal
    assert not set(first.entries.values_list("object_id")) & set(
        third.entries.values_list("object_id"))


def test_a_retried_submission_with_the_same_key_records_nothing_twice(world, port):
    first = intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                          idempotency_key="retry-1")
    pieces = Piece.objects.count()
    again = intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                          idempotency_key="retry-1")
    assert (again.created, again.signal.pk) == (False, first.signal.pk)
    assert Piece.objects.count() == pieces and Signal.objects.count() == 1
    with pytest.raises(intake.SignalError, match=r"idempotency|idempotentie"):
        intake.submit(actor=world.terminal_contributor, data=_uithaler(title="Iets anders"),
                      idempotency_key="retry-1")


def test_a_signal_s_reference_holds_its_key_and_no_key_is_given_twice(world, port):
    """The key is drawn in the insert itself and the reference made from it there: six
    digits at least, never cut off, and a removed signal's key is not given again."""
    from django.db import connection

    def report(title: str) -> Signal:
        return intake.submit(actor=world.terminal_contributor, data=_uithaler(title=title),
                             idempotency_key=title).signal

    first, second = report("een"), report("twee")
    year = timezone.localtime(first.received_at).year
    for signal in (first, second):
        signal.refresh_from_db()
        assert signal.reference == f"S-{signal.received_at:%Y}-{signal.pk:06d}"
    assert first.reference.startswith(f"S-{year}-") and second.pk > first.pk
    removed = second.pk
    Signal.objects.filter(pk=removed).delete()
    assert report("drie").pk > removed
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('signals_signal', 'id'), "
                           "1234566)")
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = 1234566 "
                           "WHERE name = 'signals_signal'")
    big = report("vier")
    big.refresh_from_db()
    assert (big.pk, big.reference) == (1234567, f"S-{big.received_at:%Y}-1234567")


def test_a_retry_the_checks_would_now_refuse_still_gets_the_first_signal(world, port):
    """The key is looked up only when the signal goes in or the checks refuse: a retry after
    its theme was retired returns the signal made the first time, and a different payload
    under the same key is refused as such, not for what the checks found."""
    first = intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                          idempotency_key="retry-2")
    Theme.objects.filter(code=_uithaler().theme).update(active=False)
    again = intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                          idempotency_key="retry-2")
    assert (again.created, again.signal.pk) == (False, first.signal.pk)
    with pytest.raises(intake.SignalError, match=r"idempotency|idempotentie"):
        intake.submit(actor=world.terminal_contributor, data=_uithaler(title="Iets anders"),
                      idempotency_key="retry-2")
    with pytest.raises(intake.SignalError) as refused:
        intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                      idempotency_key="retry-3")
    assert refused.value.field == "theme"
    assert Signal.objects.count() == 1


def test_a_payload_s_fingerprint_is_the_one_earlier_versions_stored():
    """Retries spanning an upgrade: the fingerprint is still the hash of the JSON of
    ``dataclasses.asdict`` of the payload."""
    import dataclasses
    import datetime as dt
    import hashlib

    data = intake.SignalInput(
        theme="uithaal", port="rotterdam", title="Uithalers", distribution="convenant",
        legal_basis="wpg", observed_at=dt.datetime(2026, 11, 3, 4, 5, tzinfo=dt.UTC),
        objects=(intake.ObjectEntry(kind="container", identifiers=(("container",
                                                                    "MSKU 123456-5"),)),
                 intake.ObjectEntry(kind="person", first_name="Jan", last_name="Élan")))
    before = hashlib.sha256(json.dumps(dataclasses.asdict(data), sort_keys=True,
                                       default=str).encode()).hexdigest()
    assert data.fingerprint() == before
    assert dataclasses.replace(data, title="Anders").fingerprint() != before


@pytest.mark.parametrize(("change", "field"), [
    ({"theme": "onbekend"}, "theme"),
    ({"port": "atlantis"}, "port"),
    ({"title": "  "}, "title"),
    ({"legal_basis": "riec-convenant"}, "legal_basis"),  # public partners only
    ({"objects": (intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                                     identifiers=(("container", "MSCU 123456 5"),)),)},
     "objects.0.container"),
    ({"objects": (intake.ObjectEntry(kind=ObjectKind.COMPANY,
                                     identifiers=(("kvk", "12AB5678"),)),)}, "objects.0.kvk"),
    ({"objects": (intake.ObjectEntry(kind="spaceship", name="X"),)}, "objects.0.kind"),
    ({"objects": (intake.ObjectEntry(kind=ObjectKind.PERSON, name="Jan",
                                     birth_date="2999-01-01"),)}, "objects.0.birth_date"),
    ({"objects": tuple(intake.ObjectEntry(kind=ObjectKind.VEHICLE, registration=f"AB-{i}")
                       for i in range(10_000))}, "objects"),
    ({"description": "x" * 10_001}, "description"),
    ({"pseudonymous": True, "distribution": "bogus"}, "distribution"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_recorded(world, port, change,
                                                                      field):
    with pytest.raises(intake.SignalError) as refused:
        intake.submit(actor=world.terminal_contributor, data=_uithaler(**change))
    assert refused.value.field == field and refused.value.message
    assert not Signal.objects.exists() and not Piece.objects.exists()
    assert not RegistryObject.objects.exists()


def test_a_wrong_check_digit_offers_the_corrected_form_without_applying_it(world, port):
    with pytest.raises(intake.SignalError) as refused:
        intake.submit(actor=world.terminal_contributor, data=_uithaler(objects=(
            intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                               identifiers=(("container", "MSCU1234565"),)),)))
    assert refused.value.suggestion == "MSCU1234566"
    assert not Signal.objects.exists()


def test_script_in_free_text_is_kept_as_text_and_shown_escaped(world, port):
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler(
        description="<script>alert('x')</script>\u202eevil")).signal
    assert "\u202e" not in signal.description
    page = verified_client(world.terminal_contributor).get(f"/signalen/{signal.pk}/")
    assert b"<script>alert" not in page.content
    assert b"&lt;script&gt;alert" in page.content


def test_correlation_links_to_an_earlier_customs_piece_without_leaking_it(world, port,
                                                                          riec_analyst):
    earlier = _customs_container(world)
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    signal.refresh_from_db()
    assert signal.correlated
    seen_by_riec = list(visible_correlations(riec_analyst, signal))
    assert [c.piece.object_id for c in seen_by_riec] == [earlier.pk] * len(seen_by_riec)
    assert {c.piece.organisation_id for c in seen_by_riec} == {world.customs.pk}
    # Written as plain values: the moment reads back as the moment it was.
    assert all(abs((timezone.now() - c.created_at).total_seconds()) < 60
               and c.signal_id == signal.pk and c.via_id for c in seen_by_riec)
    # The reporter's organisation learns only that the signal was linked.
    assert not visible_correlations(world.terminal_contributor, signal).exists()
    reporter = verified_client(world.terminal_contributor)
    page = reporter.get(f"/signalen/{signal.pk}/").content.decode()
    assert "Bananen" not in page and "Douane" not in page
    api = reporter.get(f"/api/signals/{signal.pk}",
                       **api_headers(world.terminal_contributor)).json()
    assert api["linked"] is True and api["correlations"] is None
    assert "Bananen" not in json.dumps(api)
    analyst_page = verified_client(riec_analyst).get(f"/signalen/{signal.pk}/").content
    assert b"Bananen" in analyst_page


def test_a_correlation_to_a_piece_the_analyst_may_not_see_stays_hidden(world, port):
    _customs_container(world, distribution=Distribution.OWN)
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    assert Correlation.objects.filter(signal=signal).exists()
    assert not visible_correlations(world.police_analyst, signal).exists()
    assert visible_correlations(world.customs_analyst, signal).exists()


def test_two_signals_about_the_same_container_are_linked_both_ways(world, port,
                                                                    riec_analyst):
    first = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    second = intake.submit(actor=world.police_analyst, data=_uithaler(
        title="Controle container", objects=(intake.ObjectEntry(
            kind=ObjectKind.CONTAINER, identifiers=(("container", "mscu1234566"),)),))).signal
    first.refresh_from_db()
    assert first.correlated
    assert {c.other_signal_id for c in visible_correlations(riec_analyst, first)} == {
        second.pk}
    assert {c.other_signal_id for c in visible_correlations(riec_analyst, second)} == {
        first.pk}


def test_signals_arriving_together_still_find_each_other(world, port, riec_analyst,
                                                        monkeypatch):
    """Intake reads value matches before its write transaction. A signal about the same
    container recorded in between finds the first one itself and links them both ways."""
    from havenbeeld.signals import correlation

    read_before = correlation.prepare_values
    between: list = []

    def read_then_let_another_signal_in(own, kinds):
        prepared = read_before(own, kinds)
        if not between:  # once: another signal is recorded between this read and the write
            between.append(None)
            between[0] = intake.submit(actor=world.terminal_contributor,
                                       data=_uithaler()).signal
        return prepared

    monkeypatch.setattr(correlation, "prepare_values", read_then_let_another_signal_in)
    first = intake.submit(actor=world.police_analyst, data=_uithaler(
        title="Controle container", objects=(intake.ObjectEntry(
            kind=ObjectKind.CONTAINER, identifiers=(("container", "mscu1234566"),)),))).signal
    other = between[0]
    assert first.pk < other.pk  # ``first`` was recorded, and read, before ``other`` existed
    assert {c.other_signal_id for c in visible_correlations(riec_analyst, first)} == {
        other.pk}
    assert {c.other_signal_id for c in visible_correlations(riec_analyst, other)} == {
        first.pk}
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.correlated and other.correlated


def test_common_values_do_not_correlate_and_very_common_ones_are_found(world, port,
                                                                       monkeypatch):
    holding = (intake.ObjectEntry(kind=ObjectKind.COMPANY, name="Holding B.V."),)
    intake.submit(actor=world.police_analyst, data=_uithaler(objects=holding))
    second = intake.submit(actor=world.customs_analyst, data=_uithaler(
        objects=holding, legal_basis="awr-douane")).signal
    assert not Correlation.objects.filter(signal=second).exists()

    from havenbeeld.signals import correlation

    monkeypatch.setattr(correlation, "COMMON_AFTER", 2)
    address = {"street": "Waalhaven Oostzijde", "house_number": "1", "postcode": "3087 BM",
               "city": "Rotterdam"}
    for n in range(3):
        intake.submit(actor=world.customs_analyst, data=_uithaler(
            title=f"Adres {n}", legal_basis="awr-douane", objects=(intake.ObjectEntry(
                kind=ObjectKind.COMPANY, name=f"Bedrijf {n}", **address),)))
    last = intake.submit(actor=world.police_analyst, data=_uithaler(objects=(
        intake.ObjectEntry(kind=ObjectKind.ADDRESS, **address),))).signal
    found = CommonValue.objects.get(automatic=True)
    assert found.scheme == "address"
    assert not Correlation.objects.filter(signal=last, basis="identifier").exists()
    assert COMMON_AFTER >= 10  # the real threshold is not this test's 2


def test_the_triage_team_of_the_port_and_watchers_are_notified_without_content(
        world, port, riec_analyst):
    earlier = _customs_container(world)
    Watch.objects.create(user=world.customs_analyst, object=earlier)
    outsider = make_user("analist@elders.example", world.municipality, Role.ANALYST)
    outsider.organisation.ports.clear()
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    notified = set(Notification.objects.filter(signal=signal).values_list("user__email",
                                                                          "kind"))
    assert ("analist@riec.example", "new_signal") in notified
    assert ("analist@politie.example", "new_signal") in notified
    assert ("analist@douane.example", "new_signal") in notified  # Customs serves the port
    assert not any(email == outsider.email for email, _kind in notified)
    assert not any(email == world.terminal_contributor.email for email, _kind in notified)
    bodies = " ".join(m.subject + m.body for m in mail.outbox)
    assert signal.reference in bodies and "uithalers" not in bodies.lower()
    assert "XB-123-Z" not in bodies


def test_the_other_records_of_the_same_entity_correlate_and_their_watchers_hear(
        world, port, riec_analyst):
    """Resolution links the signal's container to the one Customs recorded (a shared
    container number); what that record says correlates as the same entity, and who watches
    it is told — from one read of the clusters after resolution."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    earlier = _customs_container(world)
    watcher = make_user("analist@elders.example", world.municipality, Role.ANALYST)
    watcher.organisation.ports.clear()  # not on the port's triage team
    Watch.objects.create(user=watcher, object=earlier)
    with CaptureQueriesContext(connection) as queries:
        signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    entity = Correlation.objects.filter(signal=signal, basis="entity")
    assert {c.piece.object_id for c in entity} == {earlier.pk}
    assert {c.piece.property for c in entity} >= {"cargo"}
    assert Notification.objects.filter(signal=signal, user=watcher, kind="watched").exists()
    clusters = [q["sql"] for q in queries.captured_queries
                if '"resolution_cluster"' in q["sql"] and q["sql"].startswith("SELECT")]
    # One as resolution recomputes the cluster it changed, one after it for correlation and
    # notification together.
    assert len(clusters) == 2, clusters


def test_a_value_told_again_and_again_links_to_its_newest_pieces(world, port, monkeypatch):
    """The container of every earlier signal: the new one links to the newest pieces stating
    it. Past ``_FETCH`` of them, one more read takes the newest — and judges on those whether
    the value is too common — instead of counting every object that ever stated it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from havenbeeld.signals import correlation

    earlier = [intake.submit(actor=world.terminal_contributor, data=_uithaler(
        title=f"Melding {n}", objects=_uithaler().objects[:1])).signal for n in range(7)]
    monkeypatch.setattr(correlation, "_FETCH", 4)
    monkeypatch.setattr(correlation, "PER_VALUE", 2)
    with CaptureQueriesContext(connection) as queries:
        signal = intake.submit(actor=world.terminal_contributor, data=_uithaler(
            objects=_uithaler().objects[:1])).signal
    linked = Correlation.objects.filter(signal=signal, basis="identifier")
    assert {c.other_signal_id for c in linked} == {s.pk for s in earlier[-2:]}
    statements = [q["sql"] for q in queries.captured_queries]
    reads = [sql for sql in statements if 'AS "n" FROM' in sql]
    assert len(reads) == 2 and 'ORDER BY p."recorded_at" DESC' in reads[1], reads
    assert not [sql for sql in statements if 'SELECT DISTINCT "registry_piece"' in sql]


def test_an_entity_of_many_records_links_a_signal_to_its_latest_records_only(
        world, port, monkeypatch):
    """A container Customs recorded at every call (a record each time), or a person reported
    again and again without an identifier: resolution makes them one entity of many records.
    A new signal links to the newest pieces of the newest records — not to every piece of
    every record, which would grow with the entity."""
    from havenbeeld.signals import correlation

    records = [_customs_container(world) for _call in range(6)]
    monkeypatch.setattr(correlation, "MAX_MEMBERS", 4)
    monkeypatch.setattr(correlation, "PER_OBJECT", 1)
    monkeypatch.setattr(correlation, "PER_ENTITY", 3)
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    entity = list(Correlation.objects.filter(signal=signal, basis="entity"))
    assert len(entity) == 3
    assert {c.piece.object_id for c in entity} == {r.pk for r in records[-3:]}


class _FailsOnTheSecondMessage(locmem.EmailBackend):
    def send_messages(self, messages):
        if len(mail.outbox) >= 1:
            raise OSError("mail server went away")
        return super().send_messages(messages)


def test_mail_that_went_out_is_marked_when_a_later_one_fails(world, port, riec_analyst,
                                                              settings):
    # Two messages: the triage team's (a new signal) and a watcher's (a watched object).
    watcher = make_user("analist@elders.example", world.municipality, Role.ANALYST)
    watcher.organisation.ports.clear()  # not on the port's triage team
    Watch.objects.create(user=watcher, object=_customs_container(world))
    settings.EMAIL_BACKEND = f"{__name__}._FailsOnTheSecondMessage"
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler(
        objects=(intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                                    identifiers=(("container", "MSCU1234566"),)),))).signal
    notifications = Notification.objects.filter(signal=signal)
    assert len(mail.outbox) == 1
    sent = set(notifications.filter(emailed=True).values_list("user__email", flat=True))
    assert sent == set(mail.outbox[0].recipients())
    assert notifications.filter(emailed=False).exists()  # the other message's


def test_the_people_told_the_same_thing_get_one_message_as_blind_copies(world, port,
                                                                          riec_analyst):
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    team = set(Notification.objects.filter(signal=signal, kind="new_signal")
               .values_list("user__email", flat=True))
    assert len(team) >= 2
    [message] = [m for m in mail.outbox if signal.reference in m.subject]
    assert set(message.recipients()) == team and message.to == []
    headers = message.message().as_string().split("\n\n", 1)[0]
    assert "undisclosed-recipients" in headers
    assert not any(email in headers for email in team)  # no one sees who else was told


def test_a_large_team_is_told_in_messages_of_at_most_so_many_blind_copies(
        world, port, riec_analyst, monkeypatch):
    from havenbeeld.signals import notifications

    monkeypatch.setattr(notifications, "MAX_RECIPIENTS", 2)
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    team = set(Notification.objects.filter(signal=signal, kind="new_signal")
               .values_list("user__email", flat=True))
    assert len(team) >= 3
    messages = [m for m in mail.outbox if signal.reference in m.subject]
    assert all(len(m.recipients()) <= 2 for m in messages)
    told = [email for m in messages for email in m.recipients()]
    assert sorted(told) == sorted(team)  # each once
    assert Notification.objects.filter(signal=signal, emailed=False).count() == 0


def test_nobody_is_notified_of_a_signal_they_may_not_see(world, port, riec_analyst):
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler(
        distribution=Distribution.OWN)).signal
    assert not Notification.objects.filter(signal=signal).exists()
    assert not signals_visible_to(riec_analyst).filter(pk=signal.pk).exists()


def test_a_pseudonymous_signal_names_a_private_partner_except_to_the_riec(world, port,
                                                                          riec_analyst):
    signal = intake.submit(actor=world.terminal_contributor,
                           data=_uithaler(pseudonymous=True)).signal
    assert reporter_label(world.police_analyst, signal) == "een private partner in Rotterdam"
    assert reporter_label(riec_analyst, signal) == world.terminal.name
    assert reporter_label(world.terminal_coordinator, signal) == world.terminal.name
    container = signal.entries.get(object__kind="container").object
    page = verified_client(world.police_analyst).get(f"/objecten/{container.pk}/")
    assert world.terminal.name.encode() not in page.content
    assert b"een private partner in Rotterdam" in page.content
    with pytest.raises(intake.SignalError):
        intake.submit(actor=world.police_analyst, data=_uithaler(pseudonymous=True))


def test_attachments_are_checked_by_content_stored_and_served_only_to_readers(
        world, port, riec_analyst):
    submission = intake.submit(actor=world.terminal_contributor, data=_uithaler(), uploads=[
        intake.Upload("zegel.jpg", PNG)])
    attachment = Attachment.objects.get()
    assert (attachment.mime, attachment.extension) == ("image/png", "png")
    url = f"/signalen/{submission.signal.pk}/bijlagen/{attachment.pk}/"
    response = verified_client(riec_analyst).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    hidden = intake.submit(actor=world.terminal_contributor, data=_uithaler(
        distribution=Distribution.OWN), uploads=[intake.Upload("foto.png", PNG)]).signal
    other = hidden.attachments.get()
    assert verified_client(riec_analyst).get(
        f"/signalen/{hidden.pk}/bijlagen/{other.pk}/").status_code == 404


@pytest.mark.parametrize(("name", "data"), [
    ("eicar.txt", EICAR),
    ("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200),
    ("stukken.zip", b"PK\x05\x06" + b"\x00" * 18),
    ("leeg.png", b""),
])
def test_disguised_infected_or_empty_attachments_refuse_the_whole_signal(world, port, name,
                                                                          data):
    with pytest.raises(intake.SignalError) as refused:
        intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                      uploads=[intake.Upload(name, data)])
    assert name in refused.value.message
    assert not Signal.objects.exists() and not Attachment.objects.exists()


def test_pieces_of_a_signal_follow_the_distribution_rule(world, port):
    signal = intake.submit(actor=world.police_analyst, data=_uithaler(
        legal_basis="wpg")).signal
    pieces = signal.pieces.all()
    assert pieces_visible_to(world.customs_analyst).filter(pk__in=pieces).count() == len(pieces)
    assert not pieces_visible_to(world.terminal_contributor).filter(pk__in=pieces).exists()
    assert not signals_visible_to(world.terminal_contributor).filter(pk=signal.pk).exists()


def test_a_pseudonymous_report_is_not_found_by_its_reporters_name(world, port, riec_analyst):
    from havenbeeld.registry.search import Filters, search

    intake.submit(actor=world.terminal_contributor, data=_uithaler(pseudonymous=True))
    by_terminal = Filters(organisation_id=world.terminal.pk)
    assert not search(world.police_analyst, "MSCU1234566", filters=by_terminal)
    assert search(world.police_analyst, "MSCU1234566")
    assert search(riec_analyst, "MSCU1234566", filters=by_terminal)


def test_the_hit_index_never_names_a_pseudonymous_reporter(world, port, riec_analyst):
    from havenbeeld.sharing.hitindex import export_entries, who_holds

    intake.submit(actor=world.terminal_contributor, data=_uithaler(pseudonymous=True))
    holders = {entry["holder"] for entry in export_entries()}
    assert world.terminal.name not in holders
    assert "een private partner in Rotterdam" in holders
    asked = who_holds(world.police_analyst, "container", CONTAINER, purpose="test")
    assert {h.holder for h in asked} == {"een private partner in Rotterdam"}
    assert {h.holder for h in who_holds(riec_analyst, "container", CONTAINER,
                                        purpose="test")} == {world.terminal.name}


def test_an_oversize_attachment_is_refused_and_the_choice_of_pseudonym_is_recorded(
        world, port, settings):
    settings.SIGNAL_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(intake.SignalError, match=r"groter|larger"):
        intake.submit(actor=world.terminal_contributor, data=_uithaler(),
                      uploads=[intake.Upload("groot.png", PNG + b"\x00" * 2048)])
    assert not Signal.objects.exists()
    intake.submit(actor=world.terminal_contributor, data=_uithaler(pseudonymous=True))
    event = AuditEvent.objects.get(event_type=EventType.SIGNAL_REPORTED)
    assert event.details["pseudonymous"] is True


def test_triage_of_a_pseudonymous_signal_does_not_name_the_reporting_person(world, port):
    signal = intake.submit(actor=world.terminal_contributor,
                           data=_uithaler(pseudonymous=True)).signal
    page = verified_client(world.police_analyst).get(f"/signalen/{signal.pk}/").content
    assert world.terminal_contributor.full_name.encode() not in page
    assert b"XB-123-Z" in page  # the vehicle is named by its plate


def test_the_api_answer_says_a_new_signal_was_linked(world, port, client):
    _customs_container(world)
    response = client.post("/api/signals", {
        "theme": "uithalers", "port": "rotterdam", "title": "Gekoppeld?",
        "distribution": "convenant", "legal_basis": "wgs",
        "objects": [{"kind": "container",
                     "identifiers": [{"scheme": "container", "value": CONTAINER}]}]},
        content_type="application/json", **api_headers(world.terminal_contributor))
    assert response.status_code == 201 and response.json()["linked"] is True


@pytest.mark.parametrize("failing", ["correlation", "notification"])
def test_a_failing_step_after_the_commit_keeps_the_signal_and_the_other_step(
        world, port, riec_analyst, failing, monkeypatch, caplog):
    from havenbeeld.signals import correlation, notifications

    earlier = intake.submit(actor=world.customs_analyst, data=_uithaler()).signal

    def broken(*args, **kwargs):
        raise RuntimeError("stuk")

    target = correlation if failing == "correlation" else notifications
    monkeypatch.setattr(target, "correlate" if failing == "correlation" else
                        "signal_reported", broken)
    Notification.objects.all().delete()
    submission = intake.submit(actor=world.terminal_contributor, data=_uithaler())
    assert submission.created and submission.warnings == [failing]
    assert Signal.objects.filter(pk=submission.signal.pk).exists()
    linked = Correlation.objects.filter(signal=submission.signal, other_signal=earlier).exists()
    told = Notification.objects.filter(signal=submission.signal).exists()
    assert (linked, told) == ((False, True) if failing == "correlation" else (True, False))
    assert "failed" in caplog.text


def test_a_database_error_in_a_step_keeps_the_signal_and_the_other_steps(
        world, port, riec_analyst, monkeypatch, caplog):
    """On PostgreSQL the signal and its steps share one transaction, which a failed statement
    would spoil: each step's reads and writes have a savepoint of their own."""
    from django.db import connection

    from havenbeeld.signals import correlation

    def broken_read(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(correlation, "prepare_values", broken_read)
    submission = intake.submit(actor=world.terminal_contributor, data=_uithaler())
    assert submission.created and submission.warnings == ["correlation"]
    assert Signal.objects.filter(pk=submission.signal.pk).exists()
    assert Notification.objects.filter(signal=submission.signal).exists()
    assert submission.signal.pieces.count() == submission.pieces == 4
    assert "failed" in caplog.text


def test_with_a_queue_in_the_database_the_mail_task_is_committed_with_the_signal(
        world, port, riec_analyst, settings):
    """The production task backend: the mail task is queued in the signal's transaction — no
    commit of its own, and gone with the notifications if that transaction is undone."""
    from django.db import transaction

    from django_tasks_db.models import DBTaskResult

    from havenbeeld.signals import notifications

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    queued = DBTaskResult.objects.filter(task_path__endswith="send_notification_emails")
    assert queued.count() == 1 and not mail.outbox  # queued for the worker, not sent
    assert set(queued.get().args_kwargs["args"][0]) == set(
        Notification.objects.filter(signal=signal).values_list("pk", flat=True))
    with pytest.raises(RuntimeError), transaction.atomic():
        assert notifications.status_changed(signal, riec_analyst) == 1  # to the reporter
        assert queued.count() == 2
        raise RuntimeError("undone")
    assert queued.count() == 1


def test_a_signal_with_many_values_correlates_each_in_statements_within_the_limits(
        world, port, monkeypatch):
    """The correlating values go in several statements when one would pass SQLite's limits
    (terms of a UNION ALL, parameters — the signal's own pieces repeat in every term)."""
    from havenbeeld.signals import correlation

    earlier = _uithaler(title="Eerdere melding")
    intake.submit(actor=world.police_analyst, data=earlier)
    monkeypatch.setattr(correlation, "MAX_TERMS", 2)
    monkeypatch.setattr(correlation, "MAX_PARAMETERS", 12)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        signal = intake.submit(actor=world.terminal_contributor, data=_uithaler()).signal
    reads = [q["sql"] for q in queries.captured_queries if 'AS "n" FROM' in q["sql"]]
    assert len(reads) >= 2  # four values, at most two a statement
    assert all(sql.count("UNION ALL") <= 1 for sql in reads)
    bases = {(c.basis, c.via_id) for c in Correlation.objects.filter(signal=signal)}
    # The container, the registration and the company's KvK number and name: each found.
    values = {c.value for c in Correlation.objects.filter(signal=signal)}
    assert {"XB-123-Z", "12345678", "Kaaiwacht Logistiek B.V."} <= values
    assert any(value.replace(" ", "") == "MSCU1234566" for value in values)
    assert len({via for _basis, via in bases}) == 3


def test_parallel_intakes_do_not_wait_for_each_other_on_the_audit_chain(world, port,
                                                                        monkeypatch):
    """PostgreSQL: one transaction records, resolves, correlates and notifies; the audit
    entry, whose append locks the chain's head until the commit, comes last — while the
    signal correlates, another intake (another connection) can take the head at once."""
    from django.db import connection

    from havenbeeld.audit.models import ChainHead
    from havenbeeld.signals import correlation

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's write transaction holds the whole database anyway")
    intake.submit(actor=world.terminal_contributor, data=_uithaler(title="Eerste"))  # a head
    import psycopg

    params = connection.get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items()
                               if k in ("host", "port", "user", "password", "dbname")})
    seen: list[str] = []
    original = correlation.correlate

    def correlate_and_look(*args, **kwargs):
        try:
            with other.transaction():
                other.execute(f'SELECT "last_hash" FROM "{ChainHead._meta.db_table}" '  # noqa: S608
                              'WHERE "id" = 1 FOR UPDATE NOWAIT')
            seen.append("free")
        except psycopg.errors.LockNotAvailable:
            seen.append("locked")
        return original(*args, **kwargs)

    monkeypatch.setattr(correlation, "correlate", correlate_and_look)
    try:
        submission = intake.submit(actor=world.terminal_contributor,
                                   data=_uithaler(title="Tweede"))
    finally:
        other.close()
    assert seen == ["free"]
    event = AuditEvent.objects.filter(event_type=EventType.SIGNAL_REPORTED).latest("id")
    assert event.target_id == str(submission.signal.pk)
    assert event.details["objects"] == 3 and event.details["pieces"] == submission.pieces


def test_two_intakes_about_one_object_at_once_both_resolve_it(world, port, monkeypatch):
    """PostgreSQL: an intake rebuilds the resolution profiles of the objects it adds pieces
    to. A second intake about the same object, arriving while the first is still open, waits
    for it, then reads what it committed — it used to rebuild beside it and fail its
    resolution step on the keys the first had written."""
    import threading
    import time

    from django.db import connection, connections

    from havenbeeld.resolution.models import BlockingKey
    from havenbeeld.signals import correlation

    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    intake.submit(actor=world.terminal_contributor, data=_uithaler(title="Eerste"))
    holding, go = threading.Event(), threading.Event()
    original = correlation.correlate

    def correlate_slowly(*args, **kwargs):
        if threading.current_thread().name == "tweede":  # resolved, not yet committed
            holding.set()
            go.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(correlation, "correlate", correlate_slowly)
    outcome: dict[str, object] = {}

    def report(title: str) -> None:
        try:
            outcome[title] = intake.submit(actor=world.terminal_contributor,
                                           data=_uithaler(title=title))
        except BaseException as exc:  # reported by the test
            outcome[title] = exc
        finally:
            connections.close_all()

    second = threading.Thread(target=report, args=("tweede",), name="tweede")
    second.start()
    assert holding.wait(10)
    third = threading.Thread(target=report, args=("derde",), name="derde")
    third.start()
    time.sleep(0.5)  # the third has read (and, before, would have written) meanwhile
    go.set()
    second.join(20)
    third.join(20)
    for title in ("tweede", "derde"):
        submission = outcome[title]
        assert isinstance(submission, intake.Submission), submission
        assert submission.warnings == [], (title, submission.warnings)
    container = outcome["derde"].signal.entries.get(position=0).object_id
    assert BlockingKey.objects.filter(object_id=container).exists()


def test_the_statements_of_an_intake_do_not_grow_with_its_objects(world, port, riec_analyst):
    """Every step reads and writes all of a signal's objects at once (a statement per object
    would show here long before it showed in the benchmark). Candidate lookup read the
    clusters, their members and sources of each name's holders object by object."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    intake.submit(actor=world.terminal_contributor, data=_uithaler(title="Eerste"))
    counts = {}
    for count in (3, 12):
        companies = tuple(intake.ObjectEntry(
            kind=ObjectKind.COMPANY, name=f"Kadewerk {n} Logistiek B.V.",
            identifiers=(("kvk", f"{23456780 + n + count * 100:08d}"),)) for n in range(count))
        with CaptureQueriesContext(connection) as queries:
            submission = intake.submit(actor=world.terminal_contributor,
                                       data=_uithaler(title=f"{count}", objects=companies))
        assert submission.objects_created == count and submission.warnings == []
        counts[count] = len(queries.captured_queries)
    # Nine more companies, fewer than nine more statements: what differs is what the steps
    # find (a correlation, a rare-name check), never a statement per company.
    assert counts[12] - counts[3] < 12 - 3, counts
