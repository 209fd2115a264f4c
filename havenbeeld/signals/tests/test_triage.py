"""Triage states, feedback visibility per role, the API and the web form."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

import pytest

from havenbeeld.core.testing import api_headers, verified_client
from havenbeeld.registry.models import ObjectKind, Piece
from havenbeeld.sharing.models import Distribution
from havenbeeld.signals import intake, triage
from havenbeeld.signals.models import Notification, Signal, SignalEvent

pytestmark = pytest.mark.django_db(transaction=True)

CONTAINER = "MSCU 123456 6"


def _report(user, **changes):
    data = {"theme": "uithalers", "port": "rotterdam", "title": "Uithaler bij stack 14",
            "distribution": Distribution.CONVENANT, "legal_basis": "wgs",
            "description": "Persoon in container aangetroffen.",
            "objects": (intake.ObjectEntry(kind=ObjectKind.CONTAINER,
                                           identifiers=(("container", CONTAINER),)),)}
    data.update(changes)
    return intake.submit(actor=user, data=intake.SignalInput(**data)).signal


def test_a_signal_moves_through_its_lifecycle_and_the_reporter_is_told(world, port,
                                                                        riec_analyst):
    signal = _report(world.terminal_contributor)
    triage.change_status(actor=riec_analyst, signal=signal, status="in_progress")
    assert signal.assigned_to == riec_analyst
    with pytest.raises(triage.TriageError):  # an analysis needs a name
        triage.change_status(actor=riec_analyst, signal=signal, status="linked")
    triage.change_status(actor=riec_analyst, signal=signal, status="linked",
                         analysis="IA-2026-014", message="Opgenomen in de analyse.")
    with pytest.raises(triage.TriageError):  # closing needs a reason
        triage.change_status(actor=riec_analyst, signal=signal, status="closed")
    triage.change_status(actor=riec_analyst, signal=signal, status="closed",
                         reason="in_analysis")
    with pytest.raises(triage.TriageError):  # no jump back to new
        triage.change_status(actor=riec_analyst, signal=signal, status="new")
    signal.refresh_from_db()
    assert (signal.status, signal.close_reason, signal.analysis_reference) == (
        "closed", "in_analysis", "IA-2026-014")
    told = Notification.objects.filter(user=world.terminal_contributor, signal=signal)
    assert told.filter(kind="status").count() == 3


def test_contributors_and_private_partners_cannot_triage(world, port):
    signal = _report(world.police_analyst, legal_basis="wpg")
    for user in (world.terminal_contributor, world.terminal_coordinator,
                 world.municipal_reader):
        with pytest.raises(PermissionDenied):
            triage.change_status(actor=user, signal=signal, status="in_progress")
    hidden = _report(world.terminal_contributor, distribution=Distribution.OWN)
    with pytest.raises(PermissionDenied):  # an analyst who may not see it
        triage.comment(actor=world.police_analyst, signal=hidden, text="?")


def test_the_reporter_reads_status_and_feedback_but_not_the_team_s_comments(
        world, port, riec_analyst):
    signal = _report(world.terminal_contributor)
    triage.comment(actor=riec_analyst, signal=signal, text="Intern: bekende uithalersgroep")
    triage.give_feedback(actor=riec_analyst, signal=signal,
                         text="Dank, we nemen dit mee in de controle.")
    triage.change_status(actor=riec_analyst, signal=signal, status="in_progress")
    reporter_page = verified_client(world.terminal_contributor).get(
        f"/signalen/{signal.pk}/").content.decode()
    assert "Dank, we nemen dit mee" in reporter_page
    assert "in behandeling" in reporter_page.lower()
    assert "bekende uithalersgroep" not in reporter_page
    colleague = verified_client(world.terminal_coordinator).get(f"/signalen/{signal.pk}/")
    assert b"Dank, we nemen dit mee" in colleague.content
    analyst_page = verified_client(riec_analyst).get(f"/signalen/{signal.pk}/").content
    assert b"bekende uithalersgroep" in analyst_page
    mine = verified_client(world.terminal_contributor).get("/signalen/").content.decode()
    assert signal.reference in mine and "in behandeling" in mine.lower()
    feedback = Notification.objects.get(user=world.terminal_contributor, kind="feedback")
    assert feedback.signal == signal


def test_the_triage_queue_filters_and_hides_what_the_analyst_may_not_see(world, port,
                                                                          riec_analyst):
    seen = _report(world.terminal_contributor)
    _report(world.terminal_contributor, distribution=Distribution.OWN, title="Alleen intern")
    drugs = _report(world.customs_analyst, theme="drugs", legal_basis="awr-douane",
                    title="Verdachte lading")
    client = verified_client(riec_analyst)
    page = client.get("/signalen/triage/").content.decode()
    assert seen.reference in page and drugs.reference in page and "Alleen intern" not in page
    only_drugs = client.get("/signalen/triage/?theme=drugs").content.decode()
    assert drugs.reference in only_drugs and seen.reference not in only_drugs
    assert verified_client(world.terminal_contributor).get(
        "/signalen/triage/").status_code == 403


def test_triage_from_the_pages(world, port, riec_analyst):
    signal = _report(world.terminal_contributor)
    client = verified_client(riec_analyst)
    client.post(f"/signalen/{signal.pk}/status/", {"status": "in_progress"})
    client.post(f"/signalen/{signal.pk}/terugkoppeling/", {"text": "Bedankt voor de melding"})
    client.post(f"/signalen/{signal.pk}/status/", {"status": "closed", "reason": ""})
    signal.refresh_from_db()
    assert signal.status == "in_progress"  # closing without a reason was refused
    assert SignalEvent.objects.filter(signal=signal, kind="feedback").exists()


def test_the_api_reports_idempotently_and_triages(world, port, riec_analyst, client):
    payload = {"theme": "uithalers", "port": "rotterdam", "title": "Via de API",
               "distribution": "convenant", "legal_basis": "wgs",
               "objects": [{"kind": "container",
                            "identifiers": [{"scheme": "container", "value": CONTAINER}]},
                           {"kind": "person", "first_name": "Jan", "last_name": "de Vries",
                            "birth_date": "1990-04-01"}]}
    headers = {**api_headers(world.terminal_contributor), "HTTP_IDEMPOTENCY_KEY": "abc-1"}
    first = client.post("/api/signals", payload, content_type="application/json", **headers)
    again = client.post("/api/signals", payload, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Signal.objects.count() == 1
    assert Piece.objects.filter(signals__isnull=False).count() == Piece.objects.count()

    bad = client.post("/api/signals", {**payload, "objects": [
        {"kind": "container", "identifiers": [{"scheme": "container",
                                               "value": "MSCU 123456 5"}]}]},
        content_type="application/json", **api_headers(world.terminal_contributor))
    assert bad.status_code == 422 and bad.json()["suggestion"] == "MSCU1234566"
    unknown = client.post("/api/signals", {**payload, "theme": "ufo"},
                          content_type="application/json",
                          **api_headers(world.terminal_contributor))
    assert unknown.status_code == 422 and unknown.json()["field"] == "theme"

    signal_id = first.json()["id"]
    moved = client.post(f"/api/signals/{signal_id}/status", {"status": "in_progress"},
                        content_type="application/json", **api_headers(riec_analyst))
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    refused = client.post(f"/api/signals/{signal_id}/status", {"status": "closed"},
                          content_type="application/json",
                          **api_headers(world.terminal_contributor))
    assert refused.status_code == 403
    mine = client.get("/api/signals?mine=true", **api_headers(world.terminal_contributor))
    assert [s["status"] for s in mine.json()] == ["in_progress"]
    themes = client.get("/api/themes", **api_headers(world.terminal_contributor)).json()
    assert {"uithalers", "drugs", "overig"} <= {t["code"] for t in themes}


def test_the_web_form_reports_a_signal_with_objects(world, port):
    client = verified_client(world.terminal_contributor)
    form = client.get("/signalen/melden/")
    assert form.status_code == 200
    key = form.context["submission_key"]
    data = {"theme": "uithalers", "port": "rotterdam", "title": "Via het formulier",
            "description": "Twee personen bij de reefer-stack", "distribution": "convenant",
            "legal_basis": "wgs", "submission_key": key,
            "objects-TOTAL_FORMS": "2", "objects-INITIAL_FORMS": "0",
            "objects-MIN_NUM_FORMS": "0", "objects-MAX_NUM_FORMS": "50",
            "objects-0-kind": "container", "objects-0-scheme": "container",
            "objects-0-identifier": CONTAINER,
            "objects-1-kind": "vehicle", "objects-1-registration": "XB-123-Z"}
    response = client.post("/signalen/melden/", data)
    assert response.status_code == 302
    signal = Signal.objects.get()
    assert signal.entries.count() == 2 and signal.channel == "web"
    again = client.post("/signalen/melden/", data)  # a double click
    assert again.status_code == 302 and Signal.objects.count() == 1
    wrong = client.post("/signalen/melden/", {**data, "submission_key": "other",
                                              "objects-0-identifier": "MSCU 123456 5"})
    assert wrong.status_code == 400 and "MSCU 123456 6" in wrong.content.decode()
    check = client.post("/signalen/melden/controle/", {
        "prefix": "objects-0", "field": "identifier", "objects-0-scheme": "container",
        "objects-0-identifier": "mscu 1234565"})
    assert "MSCU 123456 6" in check.content.decode()


def test_following_an_object_brings_notifications_of_new_signals(world, port):
    first = _report(world.police_analyst, legal_basis="wpg")
    container = first.entries.get().object
    client = verified_client(world.customs_analyst)
    client.post(f"/objecten/{container.pk}/volgen/", {"on": "1"})
    Notification.objects.all().delete()
    world.customs.ports.clear()  # not in the triage team: only following brings news
    second = _report(world.police_analyst, legal_basis="wpg", title="Nogmaals")
    assert Notification.objects.filter(user=world.customs_analyst, signal=second,
                                       kind="watched").exists()
    page = client.get("/meldingen/").content.decode()
    assert second.reference in page


def test_the_api_refuses_ten_thousand_objects_and_huge_bodies_clearly(world, port, client):
    headers = api_headers(world.terminal_contributor)
    payload = {"theme": "uithalers", "port": "rotterdam", "title": "Te veel",
               "distribution": "convenant", "legal_basis": "wgs",
               "objects": [{"kind": "vehicle", "registration": f"AB-{i}"}
                           for i in range(10_000)]}
    response = client.post("/api/signals", payload, content_type="application/json", **headers)
    assert response.status_code == 422 and "10000" in response.json()["detail"]
    huge = {**payload, "objects": [], "description": "x" * (6 * 1024 * 1024)}
    response = client.post("/api/signals", huge, content_type="application/json", **headers)
    assert response.status_code in (400, 413, 422)
    assert not Signal.objects.exists()


def test_other_readers_of_a_shared_signal_see_its_status_not_the_messages(world, port,
                                                                         riec_analyst):
    signal = _report(world.police_analyst, legal_basis="wpg", distribution=Distribution.ALL)
    triage.give_feedback(actor=riec_analyst, signal=signal, text="Alleen voor de politie")
    triage.change_status(actor=riec_analyst, signal=signal, status="in_progress",
                         message="Ook alleen voor de politie")
    terminal = verified_client(world.terminal_contributor).get(f"/signalen/{signal.pk}/")
    assert terminal.status_code == 200 and b"in behandeling" in terminal.content
    assert b"alleen voor de politie" not in terminal.content.lower()
    police = verified_client(world.police_analyst).get(f"/signalen/{signal.pk}/").content
    assert b"Alleen voor de politie" in police


def test_the_partner_filter_names_only_reporters_the_analyst_may_know(world, port,
                                                                       riec_analyst):
    _report(world.terminal_contributor, pseudonymous=True)
    _report(world.customs_analyst, legal_basis="awr-douane", distribution=Distribution.OWN)
    police = verified_client(world.police_analyst).get("/signalen/triage/").content.decode()
    riec = verified_client(riec_analyst).get("/signalen/triage/").content.decode()
    assert world.terminal.name not in police and world.terminal.name in riec
    assert f'<option value="{world.customs.pk}"' not in police


def _queries_listing(client, user) -> tuple[int, list]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/signals", **api_headers(user))
    assert response.status_code == 200
    return len(queries), response.json()


def test_the_api_list_reads_a_fixed_number_of_queries_however_long(world, port, riec_analyst,
                                                                    client):
    first = _report(world.terminal_contributor, title="Eerste")
    triage.give_feedback(actor=riec_analyst, signal=first, text="Wordt bekeken.")
    few, listed = _queries_listing(client, riec_analyst)
    for number in range(6):  # same container: these correlate with each other
        _report(world.terminal_contributor, title=f"Melding {number}")
    many, listed = _queries_listing(client, riec_analyst)
    assert len(listed) == 7 and many == few
    # What each signal shows is as before: its objects, its steps, its correlations.
    latest = next(s for s in listed if s["title"] == "Melding 5")
    assert len(latest["objects"]) == 1 and latest["events"][0]["kind"] == "reported"
    assert latest["correlations"] and latest["linked"]
    eerste = next(s for s in listed if s["title"] == "Eerste")
    assert [e["kind"] for e in eerste["events"]] == ["reported", "feedback"]
    # The reporter's own list: its own feedback, no correlations.
    mine = client.get("/api/signals?mine=true", **api_headers(world.terminal_contributor))
    eerste = next(s for s in mine.json() if s["title"] == "Eerste")
    assert eerste["events"][-1]["text"] == "Wordt bekeken." and not eerste["correlations"]
