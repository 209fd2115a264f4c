"""The audit log is hash-chained: a changed, removed or inserted entry is found."""

from __future__ import annotations

import itertools

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from havenbeeld.audit import chain, events
from havenbeeld.audit.models import AuditEvent, EventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events(world):
    for i in range(5):
        events.sign_in_failed(f"gebruiker{i}@politie.example", "password", "bad_credentials",
                              None)
    return list(AuditEvent.objects.order_by("id"))


def test_an_untouched_chain_verifies(five_events):
    result = chain.verify()
    assert result.ok and result.checked == 5
    call_command("audit", "verify")


def test_each_entry_carries_the_hash_of_the_one_before(five_events):
    for previous, current in itertools.pairwise(five_events):
        assert current.previous_hash == previous.entry_hash
    assert five_events[0].previous_hash == chain.GENESIS_HASH


def test_a_changed_entry_is_found(five_events):
    AuditEvent.objects.filter(pk=five_events[2].pk).update(details={"email": "iemand@anders"})
    result = chain.verify()
    assert not result.ok and result.first_broken_id == five_events[2].pk
    with pytest.raises(CommandError, match=f"entry {five_events[2].pk}"):
        call_command("audit", "verify")


def test_a_removed_entry_is_found(five_events):
    AuditEvent.objects.filter(pk=five_events[1].pk).delete()
    result = chain.verify()
    assert not result.ok and result.first_broken_id == five_events[2].pk


def test_removing_the_latest_entries_is_found(five_events):
    AuditEvent.objects.filter(pk=five_events[-1].pk).delete()
    assert not chain.verify().ok


def test_an_inserted_entry_is_found(five_events):
    forged = AuditEvent(event_type=EventType.SIGN_IN_SUCCEEDED, actor_label="vervalst",
                        previous_hash=five_events[1].entry_hash, entry_hash="f" * 64)
    forged.save()
    AuditEvent.objects.filter(pk=five_events[2].pk).update(previous_hash=forged.entry_hash)
    assert not chain.verify().ok


def test_an_event_records_who_when_what_and_from_where(world, rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.44")
    event = events.user_deactivated(world.police_analyst, world.police_coordinator, "Uit dienst",
                                    request)
    event.refresh_from_db()
    assert event.actor == world.police_coordinator
    assert event.actor_label == "coordinator@politie.example"
    assert event.actor_organisation == "Zeehavenpolitie"
    assert event.ip_address == "192.0.2.44"
    assert event.target_type == "accounts.user"
    assert event.target_id == str(world.police_analyst.pk)
    assert event.details == {"reason": "Uit dienst"}


def test_forwarded_addresses_are_trusted_only_behind_a_configured_proxy(world, rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert events.signed_out(world.police_analyst, request).ip_address == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert events.signed_out(world.police_analyst, request).ip_address == "203.0.113.9"


@pytest.fixture
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anker" / "audit-anchors.jsonl")
    return tmp_path / "anker" / "audit-anchors.jsonl"


def _cut_off_latest(events_, keep: int) -> None:
    """What someone with database access could do: remove the latest entries and move the
    chain head back, so that the chain alone still verifies."""
    from havenbeeld.audit.models import ChainHead

    AuditEvent.objects.filter(pk__gt=events_[keep - 1].pk).delete()
    ChainHead.objects.filter(id=1).update(last_event_id=events_[keep - 1].pk,
                                          last_hash=events_[keep - 1].entry_hash)


def test_cutting_off_the_latest_entries_is_found_by_the_anchor(five_events, anchor_file):
    import io

    out = io.StringIO()
    call_command("audit", "anchor", stdout=out)
    assert f"Anchored entry {five_events[-1].pk}" in out.getvalue()
    line = anchor_file.read_text().splitlines()[-1]
    assert five_events[-1].entry_hash in line and '"entries": 5' in line
    call_command("audit", "verify", stdout=io.StringIO())

    _cut_off_latest(five_events, keep=3)
    assert chain.verify().ok  # the chain alone no longer sees it
    with pytest.raises(CommandError, match=f"anchored .*\\({five_events[-1].pk}\\) is gone"):
        call_command("audit", "verify")


def test_a_changed_anchored_entry_and_a_torn_anchor_line(five_events, anchor_file):
    from havenbeeld.audit import anchor
    from havenbeeld.audit.models import ChainHead

    anchor.write_anchor()
    with anchor_file.open("a") as out:
        out.write('{"at": "2026-11-29T03:00:00+00:00", "last_ev')  # a crash mid-write
    assert anchor.last_anchor().last_event_id == five_events[-1].pk
    # Rewriting the whole chain after the anchor (hashes recomputed) still misses the anchor.
    forged = five_events[-1]
    AuditEvent.objects.filter(pk=forged.pk).update(details={"vervalst": True})
    forged.refresh_from_db()
    forged.entry_hash = chain.entry_digest(forged, forged.previous_hash)
    AuditEvent.objects.filter(pk=forged.pk).update(entry_hash=forged.entry_hash)
    ChainHead.objects.filter(id=1).update(last_hash=forged.entry_hash)
    assert chain.verify().ok
    with pytest.raises(CommandError, match="no longer has the anchored hash"):
        call_command("audit", "verify")


def test_verify_without_an_anchor_says_so_and_an_unwritable_anchor_is_a_clear_error(
        five_events, settings, tmp_path):
    import io

    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "nog-geen.jsonl")
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "no anchor yet" in out.getvalue()
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    settings.AUDIT_ANCHOR_FILE = str(blocker / "audit-anchors.jsonl")
    with pytest.raises(CommandError, match="Cannot write the audit anchor"):
        call_command("audit", "anchor")


def test_an_entry_appended_while_anchoring_is_not_counted_in_the_anchor(five_events,
                                                                         anchor_file,
                                                                         monkeypatch):
    import io

    from havenbeeld.audit import anchor
    from havenbeeld.audit.models import ChainHead

    # The head is read when three entries existed; two more arrive before the count.
    earlier = ChainHead(id=1, last_event_id=five_events[2].pk,
                        last_hash=five_events[2].entry_hash)
    monkeypatch.setattr(anchor.ChainHead.objects, "filter",
                        lambda **kwargs: type("Q", (), {"first": lambda self: earlier})())
    written = anchor.write_anchor()
    monkeypatch.undo()
    assert written.entries == 3
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "reaching the anchor" in out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("holder_commits", [True, False])
def test_appends_that_wait_for_the_head_keep_the_chain_in_key_order(holder_commits):
    """PostgreSQL draws an entry's key in the statement that locks the chain's head. Entries
    that waited behind another one — committed or rolled back — still get keys in the order
    they join the chain, which is the order ``verify`` walks it."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's write transaction holds the whole database: no one waits")
    events.sign_in_failed("eerste@politie.example", "password", "bad_credentials", None)
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def append(n: int, hold: bool) -> None:
        try:
            with transaction.atomic():
                events.sign_in_failed(f"gebruiker{n}@politie.example", "password",
                                      "bad_credentials", None)
                if hold:
                    holding.set()
                    release.wait(10)
                    if not holder_commits:
                        transaction.set_rollback(True)
        except BaseException as exc:  # reported by the test
            failures.append(exc)
        finally:
            connections.close_all()

    holder = threading.Thread(target=append, args=(0, True))
    holder.start()
    assert holding.wait(10)
    waiting = [threading.Thread(target=append, args=(n, False)) for n in range(1, 5)]
    for thread in waiting:
        thread.start()
        time.sleep(0.05)
    time.sleep(0.3)  # all four wait for the head's lock
    release.set()
    for thread in [holder, *waiting]:
        thread.join(20)
    assert not failures
    assert AuditEvent.objects.count() == (6 if holder_commits else 5)
    result = chain.verify()
    assert result.ok, result.reason
