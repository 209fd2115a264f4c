"""Requesting an account from the public start page, confirming the e-mail address, expiry."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest
import time_machine

from havenbeeld.accounts.models import AccountRequest, User
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import links_in_outbox, path_of

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    data = {
        "full_name": "Jan de Vries",
        "email": "jan.devries@politie.example",
        "organisation": world.police.pk,
        "function": "Wijkagent haven",
        "phone": "010 123 4567",
        "motivation": "Ik wil signalen van terminals kunnen inzien.",
    }
    data.update(overrides)
    return data


def submit(client, django_capture_on_commit_callbacks, data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/account-aanvragen/", data, REMOTE_ADDR="198.51.100.7")


def test_start_page_offers_account_request_without_signing_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/account-aanvragen/"' in response.content.decode()
    assert "Account aanvragen" in response.content.decode()


def test_request_form_is_public_and_lists_only_active_organisations(client, world):
    world.customs.active = False
    world.customs.save()
    response = client.get("/account-aanvragen/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Zeehavenpolitie" in body
    assert "Douane" not in body


def test_request_sends_confirmation_link_and_waits_for_it(client, world,
                                                         django_capture_on_commit_callbacks):
    response = submit(client, django_capture_on_commit_callbacks, form_data(world))
    assert response.status_code == 302
    request = AccountRequest.objects.get()
    assert request.status == AccountRequest.Status.UNCONFIRMED
    assert request.email == "jan.devries@politie.example"
    assert request.request_ip == "198.51.100.7"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jan.devries@politie.example"]
    assert len(links_in_outbox("/account-aanvragen/bevestigen/")) == 1
    page = client.get(response["Location"])
    assert "jan.devries@politie.example" in page.content.decode()
    event = AuditEvent.objects.get(event_type=EventType.ACCOUNT_REQUESTED)
    assert event.ip_address == "198.51.100.7"


def test_confirming_needs_a_button_press_not_just_opening_the_link(
        client, world, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks, form_data(world))
    url = path_of(links_in_outbox("/account-aanvragen/bevestigen/")[0])
    assert client.get(url).status_code == 200
    assert AccountRequest.objects.get().status == AccountRequest.Status.UNCONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200
    request = AccountRequest.objects.get()
    assert request.status == AccountRequest.Status.PENDING
    assert request.confirmed_at is not None
    # The police coordinator (and not the terminal's) is told there is a request to decide.
    review_mail = mail.outbox[-1]
    assert review_mail.to == ["coordinator@politie.example"]
    assert f"/beheer/aanvragen/{request.pk}/" in review_mail.body


def test_a_confirmation_link_works_once(client, world, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks, form_data(world))
    url = path_of(links_in_outbox("/account-aanvragen/bevestigen/")[0])
    client.post(url)
    again = client.post(url)
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()


def test_an_unknown_link_is_refused_clearly(client):
    response = client.get("/account-aanvragen/bevestigen/not-a-real-token/")
    assert response.status_code == 410
    assert "niet geldig" in response.content.decode()


def test_organisation_without_coordinator_goes_to_platform_admins(
        client, world, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks,
           form_data(world, organisation=world.municipality.pk, email="a@gemeente.example"))
    url = path_of(links_in_outbox("/account-aanvragen/bevestigen/")[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert mail.outbox[-1].to == ["beheer@riec.example"]


def test_duplicate_request_creates_nothing_and_tells_the_address_owner(
        client, world, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks, form_data(world))
    response = submit(client, django_capture_on_commit_callbacks,
                      form_data(world, email="Jan.DeVries@Politie.example"))
    assert response.status_code == 302  # the page does not reveal that a request exists
    assert AccountRequest.objects.count() == 1
    assert "loopt al een aanvraag" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(event_type=EventType.ACCOUNT_REQUEST_DUPLICATE).count() == 1


def test_request_for_an_existing_account_creates_nothing(client, world,
                                                        django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks,
           form_data(world, email="analist@politie.example"))
    assert AccountRequest.objects.count() == 0
    assert "bestaat al een account" in mail.outbox[-1].body
    assert "/wachtwoord-vergeten/" in mail.outbox[-1].body


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "geen-adres", "geldig e-mailadres"),
    ("email", "jan@gmail.example", "@politie.example"),
    ("organisation", "999999", "onbekend of niet actief"),
    ("full_name", "x" * 151, "maximaal 150 tekens"),
    ("motivation", "m" * 2001, "maximaal 2000 tekens"),
    ("phone", "bel mij maar", "telefoonnummer"),
    ("function", "", "verplicht"),
])
def test_bad_input_gets_a_clear_dutch_message_and_creates_nothing(
        client, world, django_capture_on_commit_callbacks, field, value, message):
    response = submit(client, django_capture_on_commit_callbacks,
                      form_data(world, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode(), response.content.decode()
    assert AccountRequest.objects.count() == 0
    assert mail.outbox == []


def test_inactive_organisation_is_refused(client, world, django_capture_on_commit_callbacks):
    world.police.active = False
    world.police.save()
    response = submit(client, django_capture_on_commit_callbacks, form_data(world))
    assert response.status_code == 400
    assert AccountRequest.objects.count() == 0


def test_html_in_fields_is_stored_as_text_and_shown_escaped(
        client, world, django_capture_on_commit_callbacks):
    hostile = '<script>alert("x")</script>'
    submit(client, django_capture_on_commit_callbacks,
           form_data(world, full_name=f"Jan {hostile}", motivation=hostile))
    request = AccountRequest.objects.get()
    assert request.full_name == f"Jan {hostile}"
    url = path_of(links_in_outbox("/account-aanvragen/bevestigen/")[0])
    client.post(url)
    from havenbeeld.core.testing import verified_client
    page = verified_client(world.police_coordinator).get(f"/beheer/aanvragen/{request.pk}/")
    body = page.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_requests_expire_after_fourteen_days(client, world, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks, form_data(world))
    url = path_of(links_in_outbox("/account-aanvragen/bevestigen/")[0])
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = client.post(url)
        assert response.status_code == 410
        assert AccountRequest.objects.get().status == AccountRequest.Status.EXPIRED
        assert AuditEvent.objects.filter(event_type=EventType.ACCOUNT_REQUEST_EXPIRED).exists()
        # Once expired, the address may ask again.
        submit(client, django_capture_on_commit_callbacks, form_data(world))
        assert AccountRequest.objects.filter(status="unconfirmed").count() == 1


def test_a_confirmed_request_still_expires_if_nobody_decides(
        client, world, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks, form_data(world))
    client.post(path_of(links_in_outbox("/account-aanvragen/bevestigen/")[0]))
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        from havenbeeld.core.testing import verified_client
        coordinator = verified_client(world.police_coordinator)
        page = coordinator.get("/beheer/aanvragen/")
        assert "Jan de Vries" not in page.content.decode()
        assert AccountRequest.objects.get().status == AccountRequest.Status.EXPIRED
    assert not User.objects.filter(email="jan.devries@politie.example").exists()


def test_one_address_cannot_flood_the_coordinators(client, world, settings,
                                                   django_capture_on_commit_callbacks):
    settings.ACCOUNT_REQUESTS_PER_ADDRESS_PER_HOUR = 3
    for i in range(3):
        submit(client, django_capture_on_commit_callbacks,
               form_data(world, email=f"persoon{i}@politie.example"))
    response = submit(client, django_capture_on_commit_callbacks,
                      form_data(world, email="persoon9@politie.example"))
    assert response.status_code == 400
    assert "Te veel" in response.content.decode()
    assert AccountRequest.objects.count() == 3
