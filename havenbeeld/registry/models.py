"""Objects and the pieces of information about them, each with its provenance.

An object carries no facts of its own: its kind only. Every fact — a property value, an
identifier, a link to another object — is a ``Piece`` that records who contributed it, from
which source, when, under which legal basis, to whom it is distributed, how reliable it is, and
until when it may be kept. Pieces are never updated: a correction or retraction is a new piece
pointing at the one it corrects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import Organisation
from havenbeeld.registry.identifiers import Scheme
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis


class ObjectKind(models.TextChoices):
    COMPANY = "company", _("company")
    PERSON = "person", _("person")
    ADDRESS = "address", _("address / premises")
    VESSEL = "vessel", _("vessel")
    CONTAINER = "container", _("container")
    VEHICLE = "vehicle", _("vehicle")
    BANK_ACCOUNT = "bank_account", _("bank account")


class RegistryObject(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ObjectKind.choices, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        db_table = "registry_object"
        verbose_name = _("object")
        verbose_name_plural = _("objects")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Property(models.TextChoices):
    NAME = "name", _("name")
    TRADE_NAME = "trade_name", _("trade name")
    IDENTIFIER = "identifier", _("identifier")
    LEGAL_FORM = "legal_form", _("legal form")
    FOUNDED = "founded", _("founded")
    DISSOLVED = "dissolved", _("dissolved")
    SBI = "sbi", _("activity (SBI)")
    BIRTH_DATE = "birth_date", _("date of birth")
    NATIONALITY = "nationality", _("nationality")
    STREET = "street", _("street")
    HOUSE_NUMBER = "house_number", _("house number")
    POSTCODE = "postcode", _("postcode")
    CITY = "city", _("city")
    COUNTRY = "country", _("country")
    FLAG = "flag", _("flag")
    VESSEL_TYPE = "vessel_type", _("vessel type")
    CONTAINER_TYPE = "container_type", _("container type")
    REGISTRATION = "registration", _("registration plate")
    CARGO = "cargo", _("cargo")
    ORIGIN = "origin", _("port of origin")
    NOTE = "note", _("note")
    RELATION = "relation", _("relation")


class RelationType(models.TextChoices):
    DIRECTOR_OF = "director_of", _("director of")
    OWNER_OF = "owner_of", _("owner of")
    UBO_OF = "ubo_of", _("ultimate beneficial owner of")
    EMPLOYEE_OF = "employee_of", _("employee of")
    REGISTERED_AT = "registered_at", _("registered at")
    LOCATED_AT = "located_at", _("located at")
    CONSIGNEE_OF = "consignee_of", _("consignee of")
    SHIPPER_OF = "shipper_of", _("shipper of")
    OPERATES_VESSEL = "operates_vessel", _("operates vessel")
    HOLDS_ACCOUNT = "holds_account", _("holds account")
    KEEPER_OF = "keeper_of", _("keeper of vehicle")
    ASSOCIATE_OF = "associate_of", _("associate of")


class Source(models.TextChoices):
    SIGNAL = "signal", _("signal")
    IMPORT = "import", _("import")
    CASE = "case", _("case contribution")
    MANUAL = "manual", _("manual entry")


class SourceReliability(models.TextChoices):
    """Admiralty/4×4 grading of the source (police and Europol)."""

    A = "A", _("A – no doubt about the source")
    B = "B", _("B – source usually reliable")
    C = "C", _("C – source not reliable")
    X = "X", _("X – reliability cannot be judged")


class Credibility(models.TextChoices):
    """4×4 grading of the information itself."""

    KNOWN = "1", _("1 – known to be true without reservation")
    PERSONALLY_KNOWN = "2", _("2 – known personally to the source")
    NOT_PERSONALLY_KNOWN = "3", _("3 – not known personally, corroborated")
    CANNOT_BE_JUDGED = "4", _("4 – cannot be judged")


class Piece(models.Model):
    # Indexed by piece_object_property, of which an object-only index would be a prefix.
    object = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, related_name="pieces",
                               verbose_name=_("object"), db_index=False)
    property = models.CharField(_("property"), max_length=20, choices=Property.choices)
    scheme = models.CharField(_("identifier scheme"), max_length=20, choices=Scheme.choices,
                              blank=True)
    relation = models.CharField(_("relation"), max_length=20, choices=RelationType.choices,
                                blank=True)
    # Indexed where set (piece_target_set): most pieces are not relations.
    target = models.ForeignKey(RegistryObject, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="incoming", verbose_name=_("related object"),
                               db_index=False)
    value = models.TextField(_("value"), max_length=2000, blank=True)
    # Canonical form for lookup: an identifier's canonical value, a name's fingerprint,
    # an ISO date, or the related object's label for relations.
    value_normalised = models.CharField(max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    # Indexed by piece_organisation (organisation, recorded_at). The provenance references
    # (organisation, recorded_by, group, legal_basis) have no constraint in the database
    # (migration 0011): Django keeps their ``on_delete``.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="pieces", verbose_name=_("contributed by"),
                                     db_index=False, db_constraint=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    observed_at = models.DateTimeField(_("observed at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Not indexed (migration 0010): no query looks pieces up by who recorded them; a user is
    # deactivated, never deleted (the import jobs they ran protect them).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"), db_index=False,
                                    db_constraint=False)
    distribution = models.CharField(_("distribution"), max_length=10,
                                    choices=Distribution.choices)
    # Indexed where set (piece_group_set).
    group = models.ForeignKey(CollaborationGroup, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="pieces",
                              verbose_name=_("collaboration group"), db_index=False,
                              db_constraint=False)
    # Not indexed (migration 0010): no query looks pieces up by legal basis; a legal basis is
    # retired (``active``), never deleted.
    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT, related_name="pieces",
                                    verbose_name=_("legal basis"), db_index=False,
                                    db_constraint=False)
    # Not indexed (migration 0012): only the daily retention run looks pieces up by it, and a
    # scan of the table once a day costs less than an index entry at every piece written.
    retain_until = models.DateField(_("retain until"))
    reliability = models.CharField(_("source reliability"), max_length=1,
                                   choices=SourceReliability.choices,
                                   default=SourceReliability.X)
    credibility = models.CharField(_("information credibility"), max_length=1,
                                   choices=Credibility.choices,
                                   default=Credibility.CANNOT_BE_JUDGED)
    # SET_NULL: when retention removes an old piece, a later correction stays as a fact.
    # Indexed where set (piece_corrects_set).
    corrects = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="corrections", verbose_name=_("corrects"),
                                 db_index=False)
    retracts = models.BooleanField(_("retraction"), default=False)
    # Set when the piece came with a pseudonymous signal: the port whose "private partner"
    # other organisations see as its contributor (the RIEC and the contributor see who).
    pseudonymous_in = models.CharField(max_length=100, blank=True)
    # Idempotency: a re-run import or retried API call with the same key adds nothing.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)

    class Meta:
        db_table = "registry_piece"
        verbose_name = _("piece of information")
        verbose_name_plural = _("pieces of information")
        indexes = [
            models.Index(fields=["object", "property"], name="piece_object_property"),
            models.Index(fields=["property", "scheme", "value_normalised"],
                         name="piece_lookup"),
            models.Index(fields=["organisation", "recorded_at"], name="piece_organisation"),
            # Columns empty in most pieces, indexed only where they are set: a lookup by value
            # (``= x``, ``IN (…)``, a join) implies "is set", so these serve it, and a piece
            # without them costs no index entry (migration 0009).
            *(models.Index(fields=[column], name=f"piece_{column}_set",
                           condition=models.Q(**{f"{column}__isnull": False}))
              for column in ("target", "group", "corrects")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(distribution="group") | models.Q(group__isnull=False),
                name="piece_group_distribution_names_a_group"),
            models.CheckConstraint(
                condition=~models.Q(property="relation")
                | (models.Q(target__isnull=False) & ~models.Q(relation="")),
                name="piece_relation_has_target_and_type"),
            models.CheckConstraint(
                condition=~models.Q(property="identifier") | ~models.Q(scheme=""),
                name="piece_identifier_has_scheme"),
        ]

    def __str__(self) -> str:
        label = self.get_relation_display() if self.relation else self.get_property_display()
        return f"{label}: {self.value}"


class NameToken(models.Model):
    """One word of a name piece's key, for indexed name search (prefix ranges, no scans)."""

    token = models.CharField(max_length=64)
    # Indexed by name_token_piece below, of which a piece-only index would be a prefix.
    # No constraint in the database (migration 0011): a token is derived from its piece,
    # written with it and deleted with it by Django (``CASCADE``).
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="tokens",
                              db_index=False, db_constraint=False)
    object_id = models.BigIntegerField()

    class Meta:
        db_table = "registry_name_token"
        indexes = [
            # Words by prefix range (search drives from the rarest word) ...
            models.Index(fields=["token", "piece"], name="name_token_lookup"),
            # ... and, per candidate piece, whether it has a token for each other word.
            models.Index(fields=["piece", "token"], name="name_token_piece"),
        ]

    def __str__(self) -> str:
        return self.token
