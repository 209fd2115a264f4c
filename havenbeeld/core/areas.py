"""The areas of the product (DESIGN.md §1), in navigation order.

An area whose ``url_name`` is None is not built yet; its page says so plainly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    slug: str
    label: Promise
    purpose: Promise
    url_name: str | None = None
    action: str | None = None  # a ``policy.Action`` value needed to use the area, if any


AREAS: tuple[Area, ...] = (
    Area("signalen", _("Signals"),
         _("Report undermining signals, triage them and give feedback to the reporter."),
         url_name="signals:mine", action="read_shared_information"),
    Area("objecten", _("Objects"),
         _("Companies, persons, premises, vessels and containers, with the source of every "
           "fact."), url_name="registry:search"),
    Area("koppelingen", _("Matches"),
         _("Decide whether records of different partners describe the same company or "
           "person."), url_name="resolution:queue", action="analyse"),
    Area("analyses", _("Integral analyses"),
         _("Case files on a company, premises or network with contributions of the partners.")),
    Area("interventies", _("Controls and measures"),
         _("Plan integral controls and register administrative measures through their "
           "lifecycle.")),
    Area("effecten", _("Effects"),
         _("Evaluate what measures achieve: recidivism, incident trends, before and after.")),
    Area("informatiepositie", _("Information position"),
         _("Who knows what, how fresh, and where the white spots are.")),
    Area("kennis", _("Knowledge"),
         _("Best practices, learnings, collaborations, meetings and action items.")),
)


def get_area(slug: str) -> Area | None:
    return next((a for a in AREAS if a.slug == slug), None)
