from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from havenbeeld.imports.mapping import target_choices
from havenbeeld.registry.models import Credibility, ObjectKind, SourceReliability
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis

_SELECT = {"class": "utrecht-select utrecht-select--html-select"}
_INPUT = {"class": "utrecht-textbox utrecht-textbox--html-input"}


class UploadForm(forms.Form):
    mapping = forms.ModelChoiceField(queryset=None, label=_("Column mapping"),
                                     widget=forms.Select(attrs=_SELECT))
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           help_text=_("Comma- or semicolon-separated, any common encoding; or "
                                       "an Excel workbook (first sheet)."))

    def __init__(self, *args: object, mappings: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = mappings
        self.fields["mapping"].empty_label = _("— choose a column mapping —")
        if len(mappings) == 1:
            self.fields["mapping"].initial = mappings[0].pk


class MappingStartForm(forms.Form):
    name = forms.CharField(label=_("Name of the mapping"), max_length=100,
                           widget=forms.TextInput(attrs=_INPUT))
    kind = forms.ChoiceField(label=_("Kind of object per row"), choices=ObjectKind.choices,
                             widget=forms.Select(attrs=_SELECT))
    sample = forms.FileField(label=_("Example file"), required=False,
                             help_text=_("Its first row gives the column names."))
    headers = forms.CharField(label=_("Or type the column names, one per line"),
                              required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"class": "utrecht-textarea", "rows": 5}))


class MappingForm(forms.Form):
    """Provenance of the mapping plus one target per column (fields added per column)."""

    distribution = forms.ChoiceField(label=_("Share with"), choices=Distribution.choices,
                                     widget=forms.Select(attrs=_SELECT))
    group = forms.ModelChoiceField(queryset=CollaborationGroup.objects.none(), required=False,
                                   label=_("Collaboration group"),
                                   widget=forms.Select(attrs=_SELECT))
    legal_basis = forms.ModelChoiceField(queryset=LegalBasis.objects.filter(active=True),
                                         label=_("Legal basis"),
                                         widget=forms.Select(attrs=_SELECT))
    reliability = forms.ChoiceField(label=_("Source reliability"),
                                    choices=SourceReliability.choices,
                                    initial=SourceReliability.X,
                                    widget=forms.Select(attrs=_SELECT))
    credibility = forms.ChoiceField(label=_("Information credibility"),
                                    choices=Credibility.choices,
                                    initial=Credibility.CANNOT_BE_JUDGED,
                                    widget=forms.Select(attrs=_SELECT))
    key_column = forms.ChoiceField(label=_("Key column"), required=False,
                                   help_text=_("Rows with the same value here describe the same "
                                               "object, also in later files."),
                                   widget=forms.Select(attrs=_SELECT))

    def __init__(self, *args: object, headers: list[str], kind: str, organisation: object,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.fields["group"].queryset = organisation.collaboration_groups.filter(active=True)
        self.fields["key_column"].choices = [("", _("(none: the whole row is the key)"))] + [
            (h, h) for h in headers]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=target_choices(kind), required=True,
                widget=forms.Select(attrs=_SELECT))

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{i}"] for i in range(len(self.headers))]

    def columns(self) -> dict[str, str]:
        return {h: self.cleaned_data[f"column_{i}"] for i, h in enumerate(self.headers)}
