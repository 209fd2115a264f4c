"""Reference data kept by platform administrators: organisations and legal bases.

A small generic list/create/edit over a ModelForm per kind of reference data; every change is
audited with the fields that changed. The permission is ``MANAGE_ORGANISATIONS`` ("organisations
and reference data").
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from havenbeeld.accounts import policy
from havenbeeld.accounts.models import Organisation
from havenbeeld.audit import events
from havenbeeld.registry.identifiers import Scheme
from havenbeeld.registry.services import forget_retention_defaults
from havenbeeld.sharing.models import LegalBasis, RetentionDefault
from havenbeeld.signals.models import CommonValue, Theme

_TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
_SELECT = {"class": "utrecht-select utrecht-select--html-select"}


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector", "kind", "region", "ports", "email_domains",
                  "designated_convenant_partner", "active"]
        widgets = {"name": forms.TextInput(attrs=_TEXT), "sector": forms.Select(attrs=_SELECT),
                   "kind": forms.Select(attrs=_SELECT), "region": forms.Select(attrs=_SELECT),
                   "email_domains": forms.TextInput(attrs=_TEXT),
                   "ports": forms.CheckboxSelectMultiple}

    def clean(self) -> dict:
        from havenbeeld.accounts.models import PRIVATE_KINDS, PUBLIC_KINDS

        data = super().clean()
        kind, sector = data.get("kind"), data.get("sector")
        if kind in PUBLIC_KINDS and sector == "private":
            self.add_error("sector", _("This type of organisation is always a public partner."))
        if kind in PRIVATE_KINDS and sector == "public":
            self.add_error("sector", _("This type of organisation is always a private partner."))
        return data


class LegalBasisForm(forms.ModelForm):
    class Meta:
        model = LegalBasis
        fields = ["code", "name", "description", "public_only", "allows_bsn", "retention_days",
                  "active"]
        widgets = {"code": forms.TextInput(attrs=_TEXT), "name": forms.TextInput(attrs=_TEXT),
                   "description": forms.Textarea(attrs={"class": "utrecht-textarea",
                                                        "rows": 3}),
                   "retention_days": forms.NumberInput(attrs=_TEXT)}


class RetentionDefaultForm(forms.ModelForm):
    class Meta:
        model = RetentionDefault
        fields = ["source", "days"]
        widgets = {"source": forms.Select(attrs=_SELECT),
                   "days": forms.NumberInput(attrs=_TEXT)}


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["code", "name", "description", "order", "retention_days", "active"]
        widgets = {"code": forms.TextInput(attrs=_TEXT), "name": forms.TextInput(attrs=_TEXT),
                   "description": forms.Textarea(attrs={"class": "utrecht-textarea",
                                                        "rows": 3}),
                   "order": forms.NumberInput(attrs=_TEXT),
                   "retention_days": forms.NumberInput(attrs=_TEXT)}


class CommonValueForm(forms.ModelForm):
    class Meta:
        model = CommonValue
        fields = ["kind", "scheme", "value", "reason", "active"]
        widgets = {"kind": forms.Select(attrs=_SELECT),
                   "scheme": forms.Select(attrs=_SELECT,
                                          choices=[("", "—"), *Scheme.choices]),
                   "value": forms.TextInput(attrs=_TEXT), "reason": forms.TextInput(attrs=_TEXT)}

    def clean(self) -> dict:
        from havenbeeld.registry.identifiers import InvalidIdentifier
        from havenbeeld.signals.correlation import normalise_common

        data = super().clean()
        kind, scheme, value = data.get("kind"), data.get("scheme", ""), data.get("value", "")
        if kind == CommonValue.Kind.NAME:
            data["scheme"] = ""
        elif not scheme:
            self.add_error("scheme", _("Say which kind of identifier this is."))
            return data
        try:
            self.instance.value_normalised = normalise_common(kind, data["scheme"], value)
        except (InvalidIdentifier, ValueError) as exc:
            self.add_error("value", getattr(exc, "message", str(exc)))
        else:
            if not self.instance.value_normalised:
                self.add_error("value", _("This value has nothing to compare on."))
        return data


@dataclass(frozen=True)
class Kind:
    slug: str
    title: Promise
    form: type[forms.ModelForm]
    columns: tuple[str, ...]


KINDS = {
    "organisaties": Kind("organisaties", gettext_lazy("Organisations"), OrganisationForm,
                         ("name", "sector", "kind", "region", "active")),
    "grondslagen": Kind("grondslagen", gettext_lazy("Legal bases"), LegalBasisForm,
                        ("code", "name", "public_only", "allows_bsn", "retention_days",
                         "active")),
    "themas": Kind("themas", gettext_lazy("Signal themes"), ThemeForm,
                   ("code", "name", "order", "retention_days", "active")),
    "veelvoorkomende-waarden": Kind(
        "veelvoorkomende-waarden", gettext_lazy("Values too common to correlate"),
        CommonValueForm, ("kind", "scheme", "value", "reason", "automatic", "active")),
    "bewaartermijnen": Kind("bewaartermijnen", gettext_lazy("Retention defaults"),
                            RetentionDefaultForm, ("source", "days")),
}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def _shown(item: object, column: str) -> object:
    display = getattr(item, f"get_{column}_display", None)
    value = display() if display else getattr(item, column)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def reference_list(request: HttpRequest, slug: str) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_ORGANISATIONS)
    kind = _kind(slug)
    model = kind.form._meta.model
    rows = [(item, [(getattr(item, f"get_{c}_display", None) and getattr(
        item, f"get_{c}_display")()) or getattr(item, c) for c in kind.columns])
            for item in model.objects.all()]
    headers = [model._meta.get_field(c).verbose_name for c in kind.columns]
    return render(request, "core/reference/list.html",
                  {"kind": kind, "rows": rows, "headers": headers, "kinds": KINDS.values()})


@require_http_methods(["GET", "POST"])
def reference_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    policy.require(request.user, policy.Action.MANAGE_ORGANISATIONS)
    kind = _kind(slug)
    model = kind.form._meta.model
    instance = model.objects.filter(pk=pk).first() if pk else None
    if pk and instance is None:
        raise Http404
    form = kind.form(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            events.reference_changed(request.user, saved, request,
                                     "created" if instance is None else "changed",
                                     sorted(form.changed_data))
        forget_retention_defaults()
        messages.success(request, _("%(item)s has been saved.") % {"item": saved})
        return redirect("core:reference", slug=slug)
    return render(request, "core/reference/edit.html", {"kind": kind, "form": form,
                                                        "instance": instance},
                  status=400 if form.errors else 200)
