"""Coordinators (of their own organisation) and platform administrators decide on requests."""

from __future__ import annotations

from django.core import mail
from django.utils import timezone

import pytest

from havenbeeld.accounts.models import AccountRequest, Role, User
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import verified_client

pytestmark = pytest.mark.django_db


def pending_request(organisation, email="nieuw@politie.example", name="Nieuwe Collega"):
    now = timezone.now()
    return AccountRequest.objects.create(
        full_name=name, email=email, organisation=organisation, function="Analist",
        phone="0101234567", motivation="Werk", status=AccountRequest.Status.PENDING,
        expires_at=now + timezone.timedelta(days=14), confirmed_at=now)


def test_coordinator_sees_only_requests_of_their_own_organisation(world):
    own = pending_request(world.police)
    other = pending_request(world.terminal, email="nieuw@kade.example", name="Terminal Collega")
    client = verified_client(world.police_coordinator)
    body = client.get("/beheer/aanvragen/").content.decode()
    assert "Nieuwe Collega" in body
    assert "Terminal Collega" not in body
    assert client.get(f"/beheer/aanvragen/{own.pk}/").status_code == 200
    assert client.get(f"/beheer/aanvragen/{other.pk}/").status_code == 404


def test_platform_admin_sees_requests_of_every_organisation(world):
    pending_request(world.police)
    pending_request(world.terminal, email="nieuw@kade.example", name="Terminal Collega")
    body = verified_client(world.platform_admin).get("/beheer/aanvragen/").content.decode()
    assert "Nieuwe Collega" in body and "Terminal Collega" in body


@pytest.mark.parametrize("persona", ["police_analyst", "terminal_contributor",
                                     "municipal_reader", "customs_analyst"])
def test_roles_without_vetting_rights_cannot_open_the_requests(world, persona):
    request = pending_request(world.police)
    client = verified_client(getattr(world, persona))
    assert client.get("/beheer/aanvragen/").status_code == 403
    assert client.post(f"/beheer/aanvragen/{request.pk}/",
                       {"decision": "approve", "role": "reader"}).status_code == 403
    assert AccountRequest.objects.get().status == AccountRequest.Status.PENDING


def test_approval_creates_the_account_and_sends_a_one_time_password_link(
        world, django_capture_on_commit_callbacks):
    request = pending_request(world.police)
    client = verified_client(world.police_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/beheer/aanvragen/{request.pk}/",
                               {"decision": "approve", "role": "analyst", "reason": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.APPROVED
    assert request.decided_by == world.police_coordinator
    user = User.objects.get(email="nieuw@politie.example")
    assert user.role == Role.ANALYST
    assert user.organisation == world.police
    assert not user.has_usable_password()
    assert mail.outbox[-1].to == ["nieuw@politie.example"]
    assert "/wachtwoord-instellen/" in mail.outbox[-1].body
    event = AuditEvent.objects.get(event_type=EventType.ACCOUNT_APPROVED)
    assert event.actor == world.police_coordinator
    assert event.details["role"] == "analyst"


def test_coordinator_cannot_grant_the_platform_admin_role(world):
    request = pending_request(world.police)
    response = verified_client(world.police_coordinator).post(
        f"/beheer/aanvragen/{request.pk}/", {"decision": "approve", "role": "platform_admin"})
    assert response.status_code == 400
    assert AccountRequest.objects.get().status == AccountRequest.Status.PENDING
    assert not User.objects.filter(email="nieuw@politie.example").exists()


def test_rejection_needs_a_reason_which_the_applicant_receives(
        world, django_capture_on_commit_callbacks):
    request = pending_request(world.police)
    client = verified_client(world.police_coordinator)
    response = client.post(f"/beheer/aanvragen/{request.pk}/", {"decision": "reject",
                                                               "reason": ""})
    assert response.status_code == 400
    assert AccountRequest.objects.get().status == AccountRequest.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/beheer/aanvragen/{request.pk}/",
                    {"decision": "reject", "reason": "Geen functie in de havenaanpak."})
    request.refresh_from_db()
    assert request.status == AccountRequest.Status.REJECTED
    assert "Geen functie in de havenaanpak." in mail.outbox[-1].body
    assert not User.objects.filter(email="nieuw@politie.example").exists()


def test_a_decided_request_cannot_be_decided_again(world):
    request = pending_request(world.police)
    client = verified_client(world.police_coordinator)
    client.post(f"/beheer/aanvragen/{request.pk}/", {"decision": "reject", "reason": "Nee"})
    response = client.post(f"/beheer/aanvragen/{request.pk}/",
                           {"decision": "approve", "role": "reader"})
    assert response.status_code == 400
    assert "kan niet meer" in response.content.decode()
    assert not User.objects.filter(email="nieuw@politie.example").exists()


def test_an_unconfirmed_request_cannot_be_approved(world):
    request = pending_request(world.police)
    request.status = AccountRequest.Status.UNCONFIRMED
    request.save()
    response = verified_client(world.police_coordinator).post(
        f"/beheer/aanvragen/{request.pk}/", {"decision": "approve", "role": "reader"})
    assert response.status_code == 400
    assert not User.objects.filter(email="nieuw@politie.example").exists()


def test_coordinator_deactivates_a_user_of_their_organisation_and_their_session_ends(world):
    analyst_client = verified_client(world.police_analyst)
    assert analyst_client.get("/werkruimte/").status_code == 200
    coordinator = verified_client(world.police_coordinator)
    response = coordinator.post(f"/beheer/gebruikers/{world.police_analyst.pk}/deactiveren/",
                                {"reason": "Uit dienst"})
    assert response.status_code == 302
    world.police_analyst.refresh_from_db()
    assert not world.police_analyst.is_active
    after = analyst_client.get("/werkruimte/")
    assert after.status_code == 302 and after["Location"].startswith("/inloggen/")
    event = AuditEvent.objects.get(event_type=EventType.USER_DEACTIVATED)
    assert event.details["reason"] == "Uit dienst"


def test_coordinator_cannot_deactivate_users_of_another_organisation(world):
    coordinator = verified_client(world.terminal_coordinator)
    response = coordinator.post(f"/beheer/gebruikers/{world.police_analyst.pk}/deactiveren/",
                                {"reason": "Waarom niet"})
    assert response.status_code == 404
    world.police_analyst.refresh_from_db()
    assert world.police_analyst.is_active
    assert "analist@politie.example" not in coordinator.get(
        "/beheer/gebruikers/").content.decode()


def test_deactivation_needs_a_reason(world):
    response = verified_client(world.police_coordinator).post(
        f"/beheer/gebruikers/{world.police_analyst.pk}/deactiveren/", {"reason": ""})
    assert response.status_code == 400
    world.police_analyst.refresh_from_db()
    assert world.police_analyst.is_active


def test_a_deactivated_user_can_be_reactivated(world):
    coordinator = verified_client(world.police_coordinator)
    coordinator.post(f"/beheer/gebruikers/{world.police_analyst.pk}/deactiveren/",
                     {"reason": "Tijdelijk"})
    coordinator.post(f"/beheer/gebruikers/{world.police_analyst.pk}/heractiveren/")
    world.police_analyst.refresh_from_db()
    assert world.police_analyst.is_active


def test_a_coordinator_cannot_deactivate_a_platform_admin_of_their_organisation(world):
    from havenbeeld.core.testing import make_user

    riec_coordinator = make_user("coordinator@riec.example", world.riec, Role.COORDINATOR)
    response = verified_client(riec_coordinator).post(
        f"/beheer/gebruikers/{world.platform_admin.pk}/deactiveren/", {"reason": "Test"})
    assert response.status_code == 400
    world.platform_admin.refresh_from_db()
    assert world.platform_admin.is_active


def test_a_coordinator_resets_a_lost_authenticator(world, django_capture_on_commit_callbacks):
    from django.test import Client

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from havenbeeld.core.testing import PASSWORD, links_in_outbox, path_of

    old_session = verified_client(world.police_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(world.police_coordinator).post(
            f"/beheer/gebruikers/{world.police_analyst.pk}/tweestapsverificatie-herstellen/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.police_analyst).exists()
    assert old_session.get("/werkruimte/").status_code == 302
    # The old password no longer works; only the e-mailed link leads to a new enrolment.
    assert Client().post("/inloggen/", {"email": "analist@politie.example",
                                        "password": PASSWORD}).status_code == 400
    url = path_of(links_in_outbox("/wachtwoord-instellen/")[0])
    client = Client()
    response = client.post(url, {"password1": "Nieuwe-Start-2026!", "password2":
                                 "Nieuwe-Start-2026!"})
    assert response["Location"] == "/inloggen/tweestapsverificatie/"
    assert AuditEvent.objects.filter(event_type=EventType.SECOND_FACTOR_RESET).exists()


def test_a_coordinator_cannot_reset_users_of_another_organisation(world):
    response = verified_client(world.terminal_coordinator).post(
        f"/beheer/gebruikers/{world.police_analyst.pk}/tweestapsverificatie-herstellen/")
    assert response.status_code == 404


def test_each_label_on_the_decision_page_belongs_to_its_own_field(world):
    import re as _re

    request = pending_request(world.police)
    body = verified_client(world.police_coordinator).get(
        f"/beheer/aanvragen/{request.pk}/").content.decode()
    ids = _re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "(optioneel) (optioneel)" not in body
