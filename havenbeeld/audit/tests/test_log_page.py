"""The audit log page: administrators only, filters, export, chain state."""

from __future__ import annotations

import pytest

from havenbeeld.audit import events
from havenbeeld.audit.models import AuditEvent
from havenbeeld.core.testing import verified_client

pytestmark = pytest.mark.django_db


def test_only_platform_admins_read_the_audit_log(world):
    for persona in ("police_coordinator", "police_analyst", "terminal_contributor"):
        assert verified_client(getattr(world, persona)).get("/beheer/auditlog/").status_code == 403
    page = verified_client(world.platform_admin).get("/beheer/auditlog/", {"verify": "1"})
    assert page.status_code == 200 and "intact" in page.content.decode()


def test_filters_and_export(world):
    events.user_deactivated(world.police_analyst, world.police_coordinator, "Uit dienst", None)
    events.sign_in_failed("iemand@x.example", "password", "bad_credentials", None)
    client = verified_client(world.platform_admin)
    body = client.get("/beheer/auditlog/", {"event": "account.deactivated"}).content.decode()
    assert "coordinator@politie.example" in body and "iemand@x.example" not in body
    export = b"".join(client.get("/beheer/auditlog/export.csv",
                                 {"who": "coordinator@politie"}).streaming_content).decode()
    assert "account.deactivated" in export and "iemand@x.example" not in export


def test_a_broken_chain_is_shown(world):
    events.sign_in_failed("a@x.example", "password", "bad_credentials", None)
    events.sign_in_failed("b@x.example", "password", "bad_credentials", None)
    first = AuditEvent.objects.order_by("id").first()
    AuditEvent.objects.filter(pk=first.pk).update(actor_label="vervalst")
    body = verified_client(world.platform_admin).get("/beheer/auditlog/",
                                                     {"verify": "1"}).content.decode()
    assert f"regel {first.pk}" in body or f"entry {first.pk}" in body


def test_entries_cut_off_after_the_anchor_are_shown_as_broken(world):
    from havenbeeld.audit.anchor import write_anchor
    from havenbeeld.audit.models import ChainHead

    for who in ("a", "b", "c"):
        events.sign_in_failed(f"{who}@x.example", "password", "bad_credentials", None)
    write_anchor()
    latest = AuditEvent.objects.order_by("-id").first()
    before = AuditEvent.objects.filter(pk__lt=latest.pk).order_by("-id").first()
    cut = latest.pk
    latest.delete()  # and the head moved back, so that the chain alone still fits
    ChainHead.objects.filter(id=1).update(last_event_id=before.pk, last_hash=before.entry_hash)
    body = verified_client(world.platform_admin).get("/beheer/auditlog/",
                                                     {"verify": "1"}).content.decode()
    assert f"regel {cut}" in body or f"entry {cut}" in body
