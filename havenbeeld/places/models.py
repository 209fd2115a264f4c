"""Ports and the areas and terminals within them: the places every other object refers to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiecRegion(models.TextChoices):
    """The ten regional information and expertise centres (domain.md §1) plus the LIEC."""

    NOORD = "noord", "RIEC Noord"
    OOST_NEDERLAND = "oost-nederland", "RIEC Oost-Nederland"
    MIDDEN_NEDERLAND = "midden-nederland", "RIEC Midden-Nederland"
    NOORD_HOLLAND = "noord-holland", "RIEC Noord-Holland"
    AMSTERDAM_AMSTELLAND = "amsterdam-amstelland", "RIEC Amsterdam-Amstelland"
    DEN_HAAG = "den-haag", "RIEC Den Haag"
    ROTTERDAM = "rotterdam", "RIEC Rotterdam"
    ZEELAND_WEST_BRABANT = "zeeland-west-brabant", "RIEC Zeeland-West-Brabant"
    OOST_BRABANT = "oost-brabant", "RIEC Oost-Brabant"
    LIMBURG = "limburg", "RIEC Limburg"
    LANDELIJK = "landelijk", "LIEC (landelijk)"


class Port(models.Model):
    """A seaport, e.g. Rotterdam or Eemshaven."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    province = models.CharField(_("province"), max_length=50)
    riec_region = models.CharField(_("RIEC region"), max_length=30, choices=RiecRegion.choices)
    authority = models.CharField(_("port authority"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["name"]
        verbose_name = _("port")
        verbose_name_plural = _("ports")

    def __str__(self) -> str:
        return self.name


class PortArea(models.Model):
    """A part of a port: a port area (Maasvlakte 2, Waalhaven) or a terminal within one."""

    class Kind(models.TextChoices):
        AREA = "area", _("port area")
        TERMINAL = "terminal", _("terminal")

    port = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="areas",
                             verbose_name=_("port"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("part of"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["port__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["port", "slug"], name="unique_area_slug_per_port"),
        ]
        verbose_name = _("port area")
        verbose_name_plural = _("port areas")

    def __str__(self) -> str:
        return f"{self.port.name} – {self.name}"
