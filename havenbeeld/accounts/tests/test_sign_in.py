"""Sign-in with password and TOTP, lockout, recovery codes, idle timeout, reset, enrolment."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

import pytest
import time_machine
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from havenbeeld.accounts.models import AccountRequest
from havenbeeld.audit.models import AuditEvent, EventType
from havenbeeld.core.testing import (
    PASSWORD,
    code_for_key,
    current_code,
    links_in_outbox,
    path_of,
    sign_in,
    verified_client,
)

pytestmark = pytest.mark.django_db


def test_password_alone_does_not_open_the_workspace(client, world):
    response = client.post("/inloggen/", {"email": "analist@politie.example",
                                          "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/inloggen/code/"
    assert client.get("/werkruimte/").status_code == 302


def test_password_and_totp_sign_in(client, world):
    response = sign_in(client, "analist@politie.example", PASSWORD,
                       current_code(world.police_analyst))
    assert response.status_code == 302
    assert client.get("/werkruimte/").status_code == 200
    event = AuditEvent.objects.get(event_type=EventType.SIGN_IN_SUCCEEDED)
    assert event.actor == world.police_analyst
    assert event.ip_address == "192.0.2.10"


def test_e_mail_address_is_case_insensitive(client, world):
    response = sign_in(client, "Analist@Politie.EXAMPLE", PASSWORD,
                       current_code(world.police_analyst))
    assert response.status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, world):
    first = client.get("/beheer/aanvragen/")
    assert first["Location"] == "/inloggen/?next=%2Fbeheer%2Faanvragen%2F"
    client.get(first["Location"])
    response = sign_in(client, "coordinator@politie.example", PASSWORD,
                       current_code(world.police_coordinator))
    assert response["Location"] == "/beheer/aanvragen/"


def test_a_foreign_next_url_is_ignored(client, world):
    client.get("/inloggen/?next=https://evil.example/")
    response = sign_in(client, "analist@politie.example", PASSWORD,
                       current_code(world.police_analyst))
    assert response["Location"] == "/werkruimte/"


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, world):
    response = client.post("/inloggen/", {"email": "analist@politie.example",
                                          "password": "wrong-password-123"})
    assert response.status_code == 400
    assert "e-mailadres of wachtwoord" in response.content.decode()
    unknown = client.post("/inloggen/", {"email": "niemand@politie.example",
                                         "password": "wrong-password-123"})
    assert unknown.content.decode().count("e-mailadres of wachtwoord") == 1
    assert AuditEvent.objects.filter(event_type=EventType.SIGN_IN_FAILED).count() == 2


def test_wrong_totp_code_is_refused(client, world):
    response = sign_in(client, "analist@politie.example", PASSWORD, "000000")
    assert response.status_code == 400
    assert client.get("/werkruimte/").status_code == 302


def test_a_totp_code_cannot_be_replayed(world):
    code = current_code(world.police_analyst)
    assert sign_in(Client(), "analist@politie.example", PASSWORD, code).status_code == 302
    replay = sign_in(Client(), "analist@politie.example", PASSWORD, code)
    assert replay.status_code == 400


def test_the_code_step_expires(client, world):
    client.post("/inloggen/", {"email": "analist@politie.example", "password": PASSWORD})
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post("/inloggen/code/", {"code": current_code(world.police_analyst)})
    assert response.status_code == 302 and response["Location"] == "/inloggen/"


@override_settings(LOCKOUT_ACCOUNT_FAILURES=5, LOCKOUT_MINUTES=15)
def test_account_is_locked_after_repeated_failures_even_with_the_right_password(client, world):
    for _ in range(5):
        client.post("/inloggen/", {"email": "analist@politie.example", "password": "nope-nope-1"})
    response = client.post("/inloggen/", {"email": "analist@politie.example",
                                          "password": PASSWORD})
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.LOCKED_OUT).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(Client(), "analist@politie.example", PASSWORD,
                       current_code(world.police_analyst)).status_code == 302


@override_settings(LOCKOUT_ACCOUNT_FAILURES=3)
def test_failed_codes_count_towards_the_lockout(client, world):
    client.post("/inloggen/", {"email": "analist@politie.example", "password": PASSWORD})
    for _ in range(3):
        client.post("/inloggen/code/", {"code": "123456"})
    response = Client().post("/inloggen/", {"email": "analist@politie.example",
                                            "password": PASSWORD})
    assert response.status_code == 429


@override_settings(LOCKOUT_IP_FAILURES=4, LOCKOUT_ACCOUNT_FAILURES=10)
def test_an_address_is_locked_after_failures_on_many_accounts(client, world):
    for i in range(4):
        client.post("/inloggen/", {"email": f"gok{i}@politie.example", "password": "x" * 12},
                    REMOTE_ADDR="203.0.113.5")
    locked = client.post("/inloggen/", {"email": "analist@politie.example",
                                        "password": PASSWORD}, REMOTE_ADDR="203.0.113.5")
    assert locked.status_code == 429
    other_address = Client().post("/inloggen/", {"email": "analist@politie.example",
                                                 "password": PASSWORD},
                                  REMOTE_ADDR="203.0.113.99")
    assert other_address.status_code == 302


def test_a_recovery_code_signs_in_once(client, world):
    from havenbeeld.accounts.services.signin import replace_recovery_codes

    codes = replace_recovery_codes(world.police_analyst)
    assert len(codes) == 10
    assert sign_in(Client(), "analist@politie.example", PASSWORD, codes[0]).status_code == 302
    assert sign_in(Client(), "analist@politie.example", PASSWORD, codes[0]).status_code == 400
    assert StaticToken.objects.filter(device__user=world.police_analyst).count() == 9
    assert AuditEvent.objects.filter(event_type=EventType.RECOVERY_CODE_USED).exists()


def test_deactivated_user_cannot_sign_in(world):
    world.police_analyst.is_active = False
    world.police_analyst.save()
    response = Client().post("/inloggen/", {"email": "analist@politie.example",
                                            "password": PASSWORD})
    assert response.status_code == 400


def test_users_of_an_inactive_organisation_cannot_sign_in(world):
    world.police.active = False
    world.police.save()
    response = Client().post("/inloggen/", {"email": "analist@politie.example",
                                            "password": PASSWORD})
    assert response.status_code == 400


@override_settings(IDLE_TIMEOUT_MINUTES=30)
def test_idle_session_is_signed_out(world):
    client = Client()
    sign_in(client, "analist@politie.example", PASSWORD, current_code(world.police_analyst))
    assert client.get("/werkruimte/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert client.get("/werkruimte/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 31)):
        response = client.get("/werkruimte/")
        assert response.status_code == 302
        assert "inactiviteit" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.SESSION_TIMED_OUT).exists()


def test_sign_out_ends_the_session(world):
    client = verified_client(world.police_analyst)
    assert client.post("/uitloggen/").status_code == 302
    assert client.get("/werkruimte/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.SIGNED_OUT).exists()


def test_sign_out_only_by_post(world):
    client = verified_client(world.police_analyst)
    assert client.get("/uitloggen/").status_code == 405


def test_password_reset_by_e_mail(world, django_capture_on_commit_callbacks):
    client = Client()
    other_session = verified_client(world.police_analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/wachtwoord-vergeten/", {"email": "analist@politie.example"})
    assert response.status_code == 200
    url = path_of(links_in_outbox("/wachtwoord-herstellen/")[0])
    weak = client.post(url, {"password1": "kort", "password2": "kort"})
    assert weak.status_code == 400
    new = "Nieuw-Wachtwoord-2026!"
    assert client.post(url, {"password1": new, "password2": new}).status_code == 302
    assert client.post(url, {"password1": new, "password2": new}).status_code == 410
    # The old sessions end; the new password needs the second factor as always.
    assert other_session.get("/werkruimte/").status_code == 302
    assert sign_in(Client(), "analist@politie.example", new,
                   current_code(world.police_analyst)).status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.PASSWORD_RESET).exists()


def test_password_reset_says_the_same_for_unknown_addresses(django_capture_on_commit_callbacks,
                                                           world):
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post("/wachtwoord-vergeten/", {"email": "analist@politie.example"})
        unknown = Client().post("/wachtwoord-vergeten/", {"email": "niemand@politie.example"})
    def page(response, email):
        text = response.content.decode().replace(email, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(known, "analist@politie.example") == page(unknown, "niemand@politie.example")
    assert len(mail.outbox) == 1


def test_new_user_sets_password_then_must_enrol_totp(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    request = AccountRequest.objects.create(
        full_name="Nieuwe Analist", email="nieuw@politie.example", organisation=world.police,
        function="Analist", phone="0101234567", motivation="Werk",
        status=AccountRequest.Status.PENDING, expires_at=now + timedelta(days=14))
    from havenbeeld.accounts.models import Role
    from havenbeeld.accounts.services import requests

    with django_capture_on_commit_callbacks(execute=True):
        user = requests.approve_request(actor=world.police_coordinator, account_request=request,
                                        role=Role.ANALYST)
    url = path_of(links_in_outbox("/wachtwoord-instellen/")[0])
    client = Client()
    short = client.post(url, {"password1": "Kort-1", "password2": "Kort-1"})
    assert short.status_code == 400 and "12 tekens" in short.content.decode()
    password = "Zeehaven-Analist-2026"
    response = client.post(url, {"password1": password, "password2": password})
    assert response["Location"] == "/inloggen/tweestapsverificatie/"
    # Nothing else is reachable before enrolment.
    assert client.get("/werkruimte/").status_code == 302
    enrol_page = client.get("/inloggen/tweestapsverificatie/")
    assert enrol_page.status_code == 200
    assert "<svg" in enrol_page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/inloggen/tweestapsverificatie/", {"code": "000000"})
    assert wrong.status_code == 400
    done = client.post("/inloggen/tweestapsverificatie/", {"code": code_for_key(device.key)})
    assert done["Location"] == "/herstelcodes/"
    codes_page = client.get("/herstelcodes/")
    assert codes_page.content.decode().count("<li><code>") == 10
    assert client.get("/herstelcodes/").status_code == 302  # shown once
    assert client.get("/werkruimte/").status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.MFA_ENROLLED, actor=user).exists()
    # The link is used up.
    assert Client().get(url).status_code == 410


def test_signing_in_without_an_enrolled_factor_leads_to_enrolment(world):
    TOTPDevice.objects.filter(user=world.police_analyst).delete()
    client = Client()
    response = client.post("/inloggen/", {"email": "analist@politie.example",
                                          "password": PASSWORD})
    assert response["Location"] == "/inloggen/tweestapsverificatie/"
    assert client.get("/werkruimte/").status_code == 302


def test_passwords_are_hashed_with_argon2(world):
    from django.contrib.auth.hashers import make_password

    with override_settings(PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert make_password("Zeehaven-Analist-2026").startswith("argon2$")
    from django.conf import settings as live

    assert "Argon2PasswordHasher" in live.PASSWORD_HASHERS[1]


def test_a_user_changes_their_password_and_other_sessions_end(world):
    client = verified_client(world.police_analyst)
    other = verified_client(world.police_analyst)
    wrong = client.post("/mijn-account/", {"action": "password", "current": "nope",
                                           "password1": "Nieuw-Wachtwoord-2026!",
                                           "password2": "Nieuw-Wachtwoord-2026!"})
    assert wrong.status_code == 400
    response = client.post("/mijn-account/", {"action": "password", "current": PASSWORD,
                                              "password1": "Nieuw-Wachtwoord-2026!",
                                              "password2": "Nieuw-Wachtwoord-2026!"})
    assert response.status_code == 302
    assert client.get("/werkruimte/").status_code == 200
    assert other.get("/werkruimte/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.PASSWORD_CHANGED).exists()


def test_new_recovery_codes_replace_the_old_ones(world):
    from havenbeeld.accounts.services.signin import replace_recovery_codes

    old = replace_recovery_codes(world.police_analyst)
    client = verified_client(world.police_analyst)
    response = client.post("/mijn-account/", {"action": "codes"})
    assert response["Location"] == "/herstelcodes/"
    assert client.get("/herstelcodes/").content.decode().count("<li><code>") == 10
    assert sign_in(Client(), "analist@politie.example", PASSWORD, old[0]).status_code == 400


def test_reloading_enrolment_after_finishing_it_elsewhere_leads_to_sign_in(world):
    TOTPDevice.objects.filter(user=world.police_analyst).delete()
    first, second = Client(), Client()
    for client in (first, second):
        client.post("/inloggen/", {"email": "analist@politie.example", "password": PASSWORD})
        client.get("/inloggen/tweestapsverificatie/")
    device = TOTPDevice.objects.get(user=world.police_analyst, confirmed=False)
    first.post("/inloggen/tweestapsverificatie/", {"code": code_for_key(device.key)})
    response = second.get("/inloggen/tweestapsverificatie/")
    assert response.status_code == 302 and response["Location"] == "/inloggen/"
