"""Who may see a piece of information: distribution levels, collaboration groups, legal bases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import Organisation


class Distribution(models.TextChoices):
    """From narrow to wide (DESIGN.md §2, "Lawful sharing")."""

    OWN = "own", _("own organisation")
    GROUP = "group", _("collaboration group")
    CONVENANT = "convenant", _("public convenant partners")
    ALL = "all", _("all participants")


class CollaborationGroup(models.Model):
    """A named set of organisations, e.g. the terminal-security group of Maasvlakte."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    organisations = models.ManyToManyField(Organisation, related_name="collaboration_groups",
                                           verbose_name=_("organisations"))
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_collaboration_groups", verbose_name=_("managed by"),
        help_text=_("The organisation whose coordinators add and remove members."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collaboration group")
        verbose_name_plural = _("collaboration groups")

    def __str__(self) -> str:
        return self.name


class LegalBasis(models.Model):
    """A ground under which information is shared (Wpg, AWR, convenant, WGS, …)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    allows_bsn = models.BooleanField(
        _("allows BSN"), default=False,
        help_text=_("Whether pieces shared under this basis may hold a citizen service number."))
    public_only = models.BooleanField(
        _("public partners only"), default=False,
        help_text=_("Only public partners may share under this basis."))
    retention_days = models.PositiveIntegerField(
        _("retention (days)"), default=5 * 365,
        help_text=_("Default time pieces shared under this basis are kept."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return self.name


class InformationRequest(models.Model):
    """One organisation asks another for the pieces it holds on an object (from a hit)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for the holder")
        MORE_INFO = "more_info", _("holder asks for more information")
        APPROVED = "approved", _("approved")
        PARTIAL = "partial", _("partly approved")
        REFUSED = "refused", _("refused")

    OPEN = (Status.SUBMITTED, Status.MORE_INFO)

    object = models.ForeignKey("registry.RegistryObject", on_delete=models.CASCADE,
                               related_name="information_requests", verbose_name=_("object"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("asked by"))
    requester_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                               related_name="requests_sent")
    holder = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                               related_name="requests_received", verbose_name=_("holder"))
    purpose = models.TextField(_("purpose"), max_length=2000)
    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT,
                                    verbose_name=_("legal basis"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED)
    deadline = models.DateField(_("answer before"))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    holder_message = models.TextField(_("message of the holder"), max_length=2000, blank=True)
    requester_reply = models.TextField(_("reply of the requester"), max_length=2000,
                                       blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")

    def __str__(self) -> str:
        return f"{self.requester_organisation} → {self.holder} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PieceGrant(models.Model):
    """A piece made visible to one organisation by an approved information request."""

    piece = models.ForeignKey("registry.Piece", on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="piece_grants")
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE,
                                related_name="grants")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["piece", "organisation"],
                                               name="one_grant_per_piece_and_organisation")]

    def __str__(self) -> str:
        return f"{self.piece_id} → {self.organisation_id}"


class RemoteHit(models.Model):
    """A hit-index entry imported from another instance (another region): a keyed hash of an
    identifier, who holds pieces on it there, how many, and the month of the latest."""

    instance = models.CharField(_("instance"), max_length=100)
    key = models.CharField(max_length=64)
    holder = models.CharField(_("holder"), max_length=200)
    pieces = models.PositiveIntegerField()
    latest_month = models.CharField(max_length=7)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key"], name="remote_hit_key")]

    def __str__(self) -> str:
        return f"{self.instance}: {self.holder}"


class RetentionDefault(models.Model):
    """How long pieces from one kind of source are kept by default (administrators set it).

    A piece's retain-until is the shorter of its legal basis's retention and this default, unless
    the contributor gives an explicit date. A theme may shorten it for signals of that theme
    (``signals.Theme.retention_days``).
    """

    source = models.CharField(_("source"), max_length=10, unique=True,
                              choices=[("signal", _("signal")), ("import", _("import")),
                                       ("case", _("case contribution")),
                                       ("manual", _("manual entry"))])
    days = models.PositiveIntegerField(_("days"))

    class Meta:
        ordering = ["source"]
        verbose_name = _("retention default")
        verbose_name_plural = _("retention defaults")

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.days}"
