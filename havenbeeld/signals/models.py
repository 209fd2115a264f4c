"""Signals: reports by a partner about objects, with a triage lifecycle and feedback.

A signal brings pieces (recorded through the registry with the reporter's distribution and
legal basis) about objects; it is correlated with other signals and pieces about the same
objects; analysts triage it; the reporter hears what became of it. The signal row holds what
only a signal has — theme, port, free text, status — and is itself distributed like a piece.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import Organisation
from havenbeeld.places.models import Port, PortArea
from havenbeeld.registry.models import Piece, RegistryObject
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis


class Theme(models.Model):
    """A theme of undermining (a managed list, seeded from domain.md)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    retention_days = models.PositiveIntegerField(
        _("retention (days)"), null=True, blank=True,
        help_text=_("How long signals of this theme and their pieces are kept, at most; empty: "
                    "the defaults of the legal basis and the source."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    LINKED = "linked", _("linked to an analysis")
    CLOSED = "closed", _("closed")


class CloseReason(models.TextChoices):
    NO_FOLLOW_UP = "no_follow_up", _("no follow-up")
    FORWARDED = "forwarded", _("forwarded to a partner")
    IN_ANALYSIS = "in_analysis", _("included in an analysis")
    DUPLICATE = "duplicate", _("duplicate of another signal")
    INSUFFICIENT = "insufficient", _("too little information")


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    API = "api", _("API")
    FILE = "file", _("file")


class Signal(models.Model):
    # Set right after the row exists (it holds the primary key); NULL only inside that
    # transaction, and NULLs do not collide in a unique column.
    reference = models.CharField(_("reference"), max_length=20, unique=True,  # noqa: DJ001
                                 null=True)
    # Indexed by signal_reporter (organisation, received_at), as status by signal_triage.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="signals", verbose_name=_("reported by"),
                                     db_index=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="signals_reported",
                                    verbose_name=_("reporter"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="signals",
                              verbose_name=_("theme"))
    port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="signals",
                             verbose_name=_("port"))
    area = models.ForeignKey(PortArea, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="signals", verbose_name=_("port area or terminal"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    observed_at = models.DateTimeField(_("observed at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    distribution = models.CharField(_("distribution"), max_length=10,
                                    choices=Distribution.choices)
    group = models.ForeignKey(CollaborationGroup, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="signals",
                              verbose_name=_("collaboration group"))
    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT,
                                    related_name="signals", verbose_name=_("legal basis"))
    retain_until = models.DateField(_("retain until"))
    pseudonymous = models.BooleanField(
        _("report pseudonymously"), default=False,
        help_text=_("Other partners see 'a private partner in port X'; the RIEC and your own "
                    "organisation still see who reported."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.NEW)
    close_reason = models.CharField(_("reason for closing"), max_length=20,
                                    choices=CloseReason.choices, blank=True)
    analysis_reference = models.CharField(_("analysis"), max_length=100, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="signals_assigned",
                                    verbose_name=_("assigned to"))
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    # The reporter may learn that the signal was linked — never to what.
    correlated = models.BooleanField(_("linked to other information"), default=False)
    idempotency_key = models.CharField(max_length=160, null=True, blank=True, unique=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    pieces = models.ManyToManyField(Piece, related_name="signals", blank=True)

    class Meta:
        db_table = "signals_signal"
        ordering = ["-received_at"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        indexes = [
            models.Index(fields=["status", "port", "received_at"], name="signal_triage"),
            models.Index(fields=["organisation", "received_at"], name="signal_reporter"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(distribution="group") | models.Q(group__isnull=False),
                name="signal_group_distribution_names_a_group"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(close_reason=""),
                name="signal_closed_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('signal')} {self.title}"


class SignalObject(models.Model):
    """An object the signal is about, as the reporter entered it."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="entries")
    object = models.ForeignKey(RegistryObject, on_delete=models.CASCADE,
                               related_name="signal_entries")
    position = models.PositiveSmallIntegerField(default=0)
    created = models.BooleanField(default=True)  # False: added to an existing object

    class Meta:
        db_table = "signals_signal_object"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["signal", "object"],
                                               name="signal_object_once")]

    def __str__(self) -> str:
        return f"{self.signal_id} → {self.object_id}"


class EventKind(models.TextChoices):
    REPORTED = "reported", _("reported")
    STATUS = "status", _("status changed")
    ASSIGNED = "assigned", _("assigned")
    COMMENT = "comment", _("comment")
    FEEDBACK = "feedback", _("message to the reporter")
    ATTACHMENT = "attachment", _("attachment added")


class SignalEvent(models.Model):
    """One step in a signal's life. Comments stay with the triage team; ``for_reporter``
    marks what the reporting organisation may read (status changes and feedback)."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    text = models.TextField(max_length=4000, blank=True)
    for_reporter = models.BooleanField(default=False)

    class Meta:
        db_table = "signals_event"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.signal_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Basis(models.TextChoices):
    IDENTIFIER = "identifier", _("same identifier")
    NAME = "name", _("same name")
    ENTITY = "entity", _("same entity (resolution)")


class Correlation(models.Model):
    """The signal touches ``piece`` (someone's piece about the same object). An analyst sees a
    correlation only when they may see ``piece``."""

    # Indexed by correlation_once (signal, piece), of which a signal-only index would be a
    # prefix: one index less to write for each of the dozens of rows a signal adds.
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="correlations",
                               db_index=False)
    via = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="+")
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="correlations")
    other_signal = models.ForeignKey(Signal, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+")
    basis = models.CharField(max_length=12, choices=Basis.choices)
    value = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "signals_correlation"
        constraints = [models.UniqueConstraint(fields=["signal", "piece"],
                                               name="correlation_once")]

    def __str__(self) -> str:
        return f"{self.signal_id} ~ piece {self.piece_id} ({self.basis})"


class CommonValue(models.Model):
    """A value too common to correlate on: a terminal's own address, "Holding B.V.", a
    shipping line's head office. Found automatically or added by an administrator."""

    class Kind(models.TextChoices):
        IDENTIFIER = "identifier", _("identifier or address")
        NAME = "name", _("name")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    scheme = models.CharField(_("identifier scheme"), max_length=20, blank=True)
    value = models.CharField(_("value"), max_length=255)
    value_normalised = models.CharField(max_length=255, editable=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    automatic = models.BooleanField(_("found automatically"), default=False)
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("Switch off to let this value correlate after all (an automatically found "
                    "value that does mean something)."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        db_table = "signals_common_value"
        ordering = ["kind", "value"]
        verbose_name = _("common value")
        verbose_name_plural = _("common values")
        constraints = [models.UniqueConstraint(fields=["kind", "scheme", "value_normalised"],
                                               name="common_value_once")]

    def __str__(self) -> str:
        return self.value


class Watch(models.Model):
    """A user follows an object and hears of new signals about it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="watches")
    object = models.ForeignKey(RegistryObject, on_delete=models.CASCADE,
                               related_name="watchers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "signals_watch"
        constraints = [models.UniqueConstraint(fields=["user", "object"], name="watch_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.object_id}"


class Notification(models.Model):
    """A message in the app (and by e-mail) — never with content the user may not see: it
    names the signal's reference and what happened, and links to the page."""

    class Kind(models.TextChoices):
        NEW_SIGNAL = "new_signal", _("new signal in your port")
        WATCHED = "watched", _("new signal about an object you follow")
        STATUS = "status", _("status of your signal changed")
        FEEDBACK = "feedback", _("message about your signal")
        ASSIGNED = "assigned", _("signal assigned to you")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=300)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "signals_notification"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.signal.reference}"


class Attachment(models.Model):
    """A file with the signal, stored outside the web root; served only through the policy."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    mime = models.CharField(_("type"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=12)
    scanner = models.CharField(max_length=20, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "signals_attachment"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class FileMapping(models.Model):
    """How an organisation's own signal files name their columns (``columns``: the file's
    header, case-folded → the platform's column, or "" to skip it), and the values its rows
    lack (``defaults``: e.g. theme, port, distribution, legal basis for every row)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="signal_file_mappings")
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)
    defaults = models.JSONField(_("values for every row"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "signals_file_mapping"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="file_mapping_name_once")]

    def __str__(self) -> str:
        return self.name
