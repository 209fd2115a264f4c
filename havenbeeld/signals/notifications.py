"""Notifications in the app and by e-mail: to the port's triage team, to watchers of an
object, and to the reporter.

A notification names only the signal's reference and what happened, and links to the signal's
page — which shows the recipient what they may see. It goes only to people who may see the
signal. E-mail is sent by a background task, so intake does not wait for the mail server;
the people told the same thing get one message, each as a blind copy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation, Role, Sector, User
from havenbeeld.core import hot
from havenbeeld.core.database import write_without_waiting
from havenbeeld.resolution.services import same_entity
from havenbeeld.sharing.visibility import organisation_sees
from havenbeeld.signals.models import Notification, Signal, Watch

TRIAGE_ROLES = (Role.ANALYST, Role.COORDINATOR)
# Blind copies per message at most: mail servers refuse more recipients than some limit
# (often 100) for one message.
MAX_RECIPIENTS = 50
_WITHOUT_EMAIL: ContextVar[bool] = ContextVar("signals_without_email", default=False)


@contextlib.contextmanager
def without_email() -> Iterator[None]:
    """Notifications in the app only — for generated history (the demo world), never for
    what happens now."""
    token = _WITHOUT_EMAIL.set(True)
    try:
        yield
    finally:
        _WITHOUT_EMAIL.reset(token)


def may_triage(user: User) -> bool:
    """Triage is done by analysts and coordinators of public partners (the RIEC, police…)."""
    return policy.can(user, policy.Action.ANALYSE) and user.organisation.is_public


def _readers(users: Iterable[User], signal: Signal) -> list[User]:
    """Of ``users`` (with their organisations loaded), those who may see the signal."""
    seen: dict[int, bool] = {}
    out = []
    for user in users:
        if user.organisation_id not in seen:
            seen[user.organisation_id] = organisation_sees(user.organisation, signal)
        if seen[user.organisation_id] and policy.can(
                user, policy.Action.READ_SHARED_INFORMATION):
            out.append(user)
    return out


def triage_team(signal: Signal) -> list[User]:
    """Analysts and coordinators of public partners serving the signal's port who may see it."""
    # In SQL (``core.hot``), users and their organisations in one statement: this runs for
    # every signal.
    through = Organisation.ports.through._meta.db_table
    users = []
    for user, organisation in hot.joined(
            [(User, "u"), (Organisation, "o")],
            f'"{User._meta.db_table}" u INNER JOIN "{Organisation._meta.db_table}" o '
            'ON o."id" = u."organisation_id"',
            f'u."is_active" AND u."role" IN ({hot.marks(len(TRIAGE_ROLES))}) AND o."active" '  # noqa: S608
            f'AND o."sector" = %s AND o."id" IN (SELECT "organisation_id" FROM "{through}" '
            'WHERE "port_id" = %s)', [*TRIAGE_ROLES, Sector.PUBLIC, signal.port_id],
            order_by='u."id"'):
        user.organisation = organisation
        users.append(user)
    return _readers(users, signal)


def watchers(signal: Signal, objects: set[int] | None = None,
             clusters: dict[int, int] | None = None) -> list[User]:
    """Users following one of the signal's objects (``objects``, when the caller has them) or
    another record of the same entity (``clusters``: ``entity_clusters(objects)``, when the
    caller read it)."""
    if objects is None:
        objects = set(signal.entries.values_list("object_id", flat=True))
    if not objects:
        return []
    # In SQL (``core.hot``): this runs for every signal, and most objects have no watchers.
    found = sorted((set(objects) | set(clusters)) if clusters is not None
                   else same_entity(objects))
    watching = [user_id for (user_id,) in hot.rows(
        f'SELECT DISTINCT "user_id" FROM "{Watch._meta.db_table}" '  # noqa: S608
        f'WHERE "object_id" IN ({hot.marks(len(found))})', found)]
    if not watching:
        return []
    users = User.objects.filter(pk__in=watching, is_active=True).select_related("organisation")
    return _readers(users.order_by("pk"), signal)


def _notify(users: Iterable[User], signal: Signal, kind: str, exclude: Iterable[int] = ()
            ) -> int:
    skip = set(exclude)
    url = reverse("signals:detail", args=[signal.pk])
    rows = [Notification(user=u, kind=kind, signal=signal, url=url) for u in users
            if u.pk not in skip]
    if not rows:
        return 0
    if _WITHOUT_EMAIL.get():
        for row in rows:
            row.emailed = True
    ids = [n.pk for n in hot.insert(rows)]
    if not _WITHOUT_EMAIL.get():
        if _queued_in_the_database():
            _enqueue(ids)
        else:
            transaction.on_commit(lambda: _enqueue(ids))
    return len(rows)


def _queued_in_the_database() -> bool:
    """Whether the task backend keeps its queue in the database. Then the mail task is queued
    inside the caller's transaction: it is committed with the notifications or not at all (a
    process that stops right after the commit loses no mail), and with no commit of its own —
    on PostgreSQL a flush of the write-ahead log less. A backend that runs tasks at once
    (tests, small installs) runs it only after the commit."""
    from django_tasks_db.backend import DatabaseBackend

    from havenbeeld.signals.tasks import send_notification_emails

    return isinstance(send_notification_emails.get_backend(), DatabaseBackend)


def _enqueue(ids: list[int]) -> None:
    from havenbeeld.signals.tasks import send_notification_emails

    send_notification_emails.enqueue(ids)


def signal_reported(signal: Signal, objects: set[int] | None = None,
                    team: list[User] | None = None,
                    clusters: dict[int, int] | None = None) -> int:
    """Tell the port's triage team and the watchers of its objects about a new signal.
    ``team``: ``triage_team(signal)``, when the caller read it already (intake does, before
    its write transaction: who serves a port does not change with what the signal writes);
    ``clusters``: ``entity_clusters(objects)``, when the caller read it after resolution."""
    reporter = [signal.reported_by_id] if signal.reported_by_id else []
    if team is None:
        team = triage_team(signal)
    count = _notify(team, signal, Notification.Kind.NEW_SIGNAL, exclude=reporter)
    already = {u.pk for u in team} | set(reporter)
    return count + _notify(watchers(signal, objects, clusters), signal,
                           Notification.Kind.WATCHED,
                           exclude=already)


def reporters(signal: Signal) -> list[User]:
    """Who hears about the signal's progress: the person who reported it, or — when that
    account is gone — the coordinators of the reporting organisation."""
    if signal.reported_by is not None and signal.reported_by.is_active:
        return [signal.reported_by]
    return list(User.objects.filter(organisation_id=signal.organisation_id, is_active=True,
                                    role=Role.COORDINATOR))


def status_changed(signal: Signal, actor: User) -> int:
    return _notify(reporters(signal), signal, Notification.Kind.STATUS, exclude=[actor.pk])


def feedback_given(signal: Signal, actor: User) -> int:
    return _notify(reporters(signal), signal, Notification.Kind.FEEDBACK, exclude=[actor.pk])


def assigned(signal: Signal, assignee: User, actor: User) -> int:
    return _notify([assignee], signal, Notification.Kind.ASSIGNED, exclude=[actor.pk])


def send_emails(ids: list[int]) -> int:
    """Send the e-mail of each notification not yet e-mailed (in the platform's language)."""
    if not ids:
        return 0
    sent: list[int] = []
    # What a message needs, in SQL (``core.hot``): a mail task runs for every signal.
    wanted = sorted(set(ids))
    pending = hot.rows(
        'SELECT n."id", n."kind", n."url", u."email", s."reference" '  # noqa: S608
        f'FROM "{Notification._meta.db_table}" n '
        f'INNER JOIN "{User._meta.db_table}" u ON u."id" = n."user_id" '
        f'INNER JOIN "{Signal._meta.db_table}" s ON s."id" = n."signal_id" '
        f'WHERE n."id" IN ({hot.marks(len(wanted))}) AND NOT n."emailed" ORDER BY n."id"',
        wanted)
    if not pending:  # sent already (a task run twice): no connection to the mail server
        return 0
    # One message per text: a new signal's triage team (several people, often of several
    # organisations) get the same words and link, so one message goes to all of them, each a
    # blind copy — no one sees who else was told. Composing a message for each took half a
    # millisecond of every signal's intake.
    messages: dict[tuple[str, str, str], tuple[list[int], list[str]]] = {}
    for pk, kind, url, email, reference in pending:
        group, emails = messages.setdefault((kind, reference, url), ([], []))
        group.append(pk)
        emails.append(email)
    try:
        # One connection to the mail server for the lot, each message sent (and counted) on
        # its own.
        with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
            for (kind, reference, url), (group, emails) in messages.items():
                for start in range(0, len(group), MAX_RECIPIENTS):
                    _send(Notification.Kind(kind).label, reference, url,
                          emails[start:start + MAX_RECIPIENTS], connection)
                    sent += group[start:start + MAX_RECIPIENTS]
    finally:  # what went out is marked, also when a later one fails
        if sent:
            # Lost in a crash, a mail goes out twice. The ids are integers read above.
            write_without_waiting(
                f'UPDATE "{Notification._meta.db_table}" SET "emailed" = TRUE '  # noqa: S608
                f'WHERE "id" IN ({", ".join(str(int(pk)) for pk in sent)})')
    return len(sent)


def _send(what: str, reference: str, url: str, emails: list[str],
          connection: BaseEmailBackend) -> None:
    subject = _("Havenbeeld: %(what)s (%(reference)s)") % {"what": what, "reference": reference}
    body = _("%(what)s: %(reference)s.\n\nOpen it in Havenbeeld (after signing in):\n"
             "%(url)s\n\nThis message holds no content of the signal on purpose.") % {
        "what": what, "reference": reference, "url": settings.SITE_URL + url}
    if len(emails) == 1:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, emails,
                     connection=connection).send()
        return
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, bcc=emails,
                 headers={"To": "undisclosed-recipients:;"}, connection=connection).send()


def unread_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    query = unread_for(user)
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return query.update(read_at=timezone.now())


def watch(user: User, object_id: int, on: bool) -> None:
    if on:
        Watch.objects.get_or_create(user=user, object_id=object_id)
    else:
        Watch.objects.filter(user=user, object_id=object_id).delete()


def is_watching(user: User, object_id: int) -> bool:
    return Watch.objects.filter(user=user, object_id=object_id).exists()
