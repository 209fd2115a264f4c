"""Saved column mappings, import jobs with their progress, per-row errors, imported rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import Organisation
from havenbeeld.registry.models import (
    Credibility,
    ObjectKind,
    RegistryObject,
    SourceReliability,
)
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis


class ColumnMapping(models.Model):
    """How the columns of a partner's file become facts, with the provenance to give them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="column_mappings")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("object kind"), max_length=20, choices=ObjectKind.choices)
    # {column name in the file: target}, e.g. {"KvK-nummer": "identifier:kvk"}
    columns = models.JSONField(_("columns"), default=dict)
    key_column = models.CharField(
        _("key column"), max_length=200, blank=True,
        help_text=_("Column that identifies a row across files (e.g. the KvK number); rows with "
                    "the same key describe the same object."))
    distribution = models.CharField(_("distribution"), max_length=10,
                                    choices=Distribution.choices)
    group = models.ForeignKey(CollaborationGroup, on_delete=models.PROTECT, null=True,
                              blank=True, verbose_name=_("collaboration group"))
    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT,
                                    verbose_name=_("legal basis"))
    reliability = models.CharField(_("source reliability"), max_length=1,
                                   choices=SourceReliability.choices,
                                   default=SourceReliability.X)
    credibility = models.CharField(_("information credibility"), max_length=1,
                                   choices=Credibility.choices,
                                   default=Credibility.CANNOT_BE_JUDGED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_mapping_name_per_organisation")]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("checked, waiting to start")
        QUEUED = "queued", _("waiting in the queue")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="import_jobs")
    mapping = models.ForeignKey(ColumnMapping, on_delete=models.PROTECT, related_name="jobs")
    file_path = models.CharField(max_length=500)
    original_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.BigIntegerField(_("size"))
    file_kind = models.CharField(max_length=10)
    chunked = models.BooleanField(
        _("commit in chunks"), default=False,
        help_text=_("Large files commit in chunks and resume where they stopped; small files "
                    "are all or nothing."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    committed_rows = models.PositiveIntegerField(_("rows committed"), default=0)
    created_objects = models.PositiveIntegerField(_("objects created"), default=0)
    created_pieces = models.PositiveIntegerField(_("pieces recorded"), default=0)
    skipped_rows = models.PositiveIntegerField(_("rows already imported"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    cancel_requested = models.BooleanField(default=False)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=200, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    message = models.CharField(_("error"), max_length=500)
    suggestion = models.CharField(_("suggestion"), max_length=100, blank=True)

    class Meta:
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"


class ImportedRecord(models.Model):
    """A row key of an organisation's mapping and the object it became (for idempotency)."""

    # Indexed by unique_row_key_per_mapping, of which a mapping-only index would be a prefix.
    mapping = models.ForeignKey(ColumnMapping, on_delete=models.CASCADE,
                                related_name="records", db_index=False)
    row_key = models.CharField(max_length=128)
    object = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mapping", "row_key"],
                                               name="unique_row_key_per_mapping")]

    def __str__(self) -> str:
        return self.row_key


class ExternalRecord(models.Model):
    """An entity id from an outside file (e.g. a FollowTheMoney entity) and the object it became,
    per organisation, so importing the same file again adds nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)  # "ftm"
    external_id = models.CharField(max_length=200)
    object = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "source", "external_id"],
                                               name="unique_external_record")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
