"""Forms of the signal pages. They only shape input; the intake service validates it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import User
from havenbeeld.places.models import Port, PortArea
from havenbeeld.registry.identifiers import Scheme
from havenbeeld.registry.models import ObjectKind
from havenbeeld.sharing.models import CollaborationGroup, Distribution, LegalBasis
from havenbeeld.signals import intake
from havenbeeld.signals.models import CloseReason, Status, Theme

_TEXT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
_SELECT = {"class": "utrecht-select utrecht-select--html-select"}
_AREA = {"class": "utrecht-textarea", "rows": 5}

# Which fields each kind of object offers (the page hides the others; without scripts all
# fields show and empty ones are ignored).
KIND_FIELDS = {
    "name": ("company", "vessel", "bank_account", "person"),
    "first_name": ("person",),
    "last_name": ("person",),
    "birth_date": ("person",),
    "nationality": ("person",),
    "founded": ("company",),
    "street": ("company", "address", "person"),
    "house_number": ("company", "address", "person"),
    "postcode": ("company", "address", "person"),
    "city": ("company", "address", "person"),
    "country": ("company", "address", "person", "vessel"),
    "registration": ("vehicle",),
    "flag": ("vessel",),
    "scheme": ("company", "person", "vessel", "container", "bank_account", "address"),
    "identifier": ("company", "person", "vessel", "container", "bank_account", "address"),
    "scheme_2": ("company", "vessel"),
    "identifier_2": ("company", "vessel"),
}
SCHEMES = [("", "—")] + [(s.value, s.label) for s in Scheme
                         if s not in (Scheme.POSTCODE, Scheme.ADDRESS, Scheme.BSN)]


class SignalForm(forms.Form):
    theme = forms.ModelChoiceField(Theme.objects.filter(active=True), label=_("Theme"),
                                   to_field_name="code", widget=forms.Select(attrs=_SELECT))
    port = forms.ModelChoiceField(Port.objects.all(), label=_("Port"), to_field_name="slug",
                                  widget=forms.Select(attrs=_SELECT))
    area = forms.ModelChoiceField(PortArea.objects.select_related("port").order_by(
        "port__name", "name"), label=_("Port area or terminal"), required=False,
        widget=forms.Select(attrs=_SELECT))
    title = forms.CharField(label=_("Title"), max_length=intake.MAX_TITLE,
                            widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(label=_("What did you see?"), required=False,
                                  max_length=intake.MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs=_AREA))
    observed_at = forms.DateTimeField(
        label=_("When"), required=False,
        widget=forms.DateTimeInput(attrs={**_TEXT, "type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"))
    distribution = forms.ChoiceField(label=_("Who may see it"), choices=Distribution.choices,
                                     initial=Distribution.CONVENANT,
                                     widget=forms.Select(attrs=_SELECT))
    group = forms.ModelChoiceField(CollaborationGroup.objects.filter(active=True),
                                   label=_("Collaboration group"), required=False,
                                   widget=forms.Select(attrs=_SELECT))
    legal_basis = forms.ModelChoiceField(LegalBasis.objects.filter(active=True),
                                         label=_("Legal basis"), to_field_name="code",
                                         widget=forms.Select(attrs=_SELECT))
    pseudonymous = forms.BooleanField(
        label=_("Report pseudonymously: other partners see 'a private partner in this port'; "
                "the RIEC and your own organisation still see who reported."), required=False)

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = user.organisation.collaboration_groups.filter(
            active=True)
        bases = LegalBasis.objects.filter(active=True)
        if not user.organisation.is_public:
            bases = bases.filter(public_only=False)
            self.fields["distribution"].initial = Distribution.CONVENANT
        else:
            del self.fields["pseudonymous"]
        self.fields["legal_basis"].queryset = bases
        ports = user.organisation.ports.all()
        if ports:
            self.fields["port"].initial = ports[0].slug


class ObjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ObjectKind.choices,
                             widget=forms.Select(attrs={**_SELECT, "data-kind-select": ""}))
    name = forms.CharField(label=_("Name"), required=False, max_length=300,
                           widget=forms.TextInput(attrs=_TEXT))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150,
                                 widget=forms.TextInput(attrs=_TEXT))
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150,
                                widget=forms.TextInput(attrs=_TEXT))
    birth_date = forms.CharField(label=_("Date of birth"), required=False, max_length=20,
                                 widget=forms.DateInput(attrs={**_TEXT, "type": "date"}))
    nationality = forms.CharField(label=_("Nationality"), required=False, max_length=60,
                                  widget=forms.TextInput(attrs=_TEXT))
    founded = forms.CharField(label=_("Founded"), required=False, max_length=20,
                              widget=forms.DateInput(attrs={**_TEXT, "type": "date"}))
    scheme = forms.ChoiceField(label=_("Identifier"), choices=SCHEMES, required=False,
                               widget=forms.Select(attrs=_SELECT))
    identifier = forms.CharField(label=_("Number"), required=False, max_length=64,
                                 widget=forms.TextInput(attrs={**_TEXT, "data-check": ""}))
    scheme_2 = forms.ChoiceField(label=_("Second identifier"), choices=SCHEMES,
                                 required=False, widget=forms.Select(attrs=_SELECT))
    identifier_2 = forms.CharField(label=_("Number"), required=False, max_length=64,
                                   widget=forms.TextInput(attrs={**_TEXT, "data-check": ""}))
    street = forms.CharField(label=_("Street"), required=False, max_length=200,
                             widget=forms.TextInput(attrs=_TEXT))
    house_number = forms.CharField(label=_("House number"), required=False, max_length=20,
                                   widget=forms.TextInput(attrs=_TEXT))
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=20,
                               widget=forms.TextInput(attrs=_TEXT))
    city = forms.CharField(label=_("City"), required=False, max_length=100,
                           widget=forms.TextInput(attrs=_TEXT))
    country = forms.CharField(label=_("Country"), required=False, max_length=60,
                              widget=forms.TextInput(attrs=_TEXT))
    registration = forms.CharField(label=_("Registration plate"), required=False,
                                   max_length=20, widget=forms.TextInput(attrs=_TEXT))
    flag = forms.CharField(label=_("Flag"), required=False, max_length=60,
                           widget=forms.TextInput(attrs=_TEXT))
    object_id = forms.IntegerField(required=False, widget=forms.HiddenInput(
        attrs={"data-object-id": ""}))

    def kind_fields(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[name], " ".join(kinds)) for name, kinds in KIND_FIELDS.items()]

    def entry(self) -> intake.ObjectEntry | None:
        """The entered object, or None when the block was left empty."""
        data = self.cleaned_data
        ids = tuple((data[s], data[v].strip()) for s, v in (("scheme", "identifier"),
                                                           ("scheme_2", "identifier_2"))
                    if data.get(v, "").strip())
        text = {k: (data.get(k) or "").strip() for k in KIND_FIELDS
                if k not in ("scheme", "identifier", "scheme_2", "identifier_2")}
        if not ids and not any(text.values()) and not data.get("object_id"):
            return None
        return intake.ObjectEntry(kind=data["kind"], identifiers=ids,
                                  object_id=data.get("object_id"), **text)


ObjectFormSet = forms.formset_factory(ObjectForm, extra=1, max_num=intake.MAX_OBJECTS,
                                      validate_max=True)


class AttachmentsField(forms.FileField):
    widget = forms.ClearableFileInput

    def clean(self, data: object, initial: object = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list) else [data]
        return [super(AttachmentsField, self).clean(f, initial) for f in files]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsForm(forms.Form):
    files = AttachmentsField(required=False, widget=MultipleFileInput(attrs={"multiple": True}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["files"].label = gettext(
            "Attachments (photos, PDF, documents; at most %(mb)d MB each)") % {
            "mb": settings.SIGNAL_ATTACHMENT_MAX_BYTES // (1024 * 1024)}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices,
                               widget=forms.Select(attrs=_SELECT))
    reason = forms.ChoiceField(label=_("Reason for closing"),
                               choices=[("", "—"), *CloseReason.choices], required=False,
                               widget=forms.Select(attrs=_SELECT))
    analysis = forms.CharField(label=_("Analysis (number or title)"), required=False,
                               max_length=100, widget=forms.TextInput(attrs=_TEXT))
    message = forms.CharField(label=_("Message to the reporter (optional)"), required=False,
                              max_length=4000, widget=forms.Textarea(attrs={**_AREA,
                                                                            "rows": 3}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), max_length=4000,
                           widget=forms.Textarea(attrs={**_AREA, "rows": 3}))


class FileMappingForm(forms.Form):
    """A saved column mapping for signal files: the lines, and values for every row."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=_TEXT))
    columns = forms.CharField(
        label=_("Columns: one line per column of your file, as 'column in your file = column "
                "of Havenbeeld' ('= -' skips it)"), required=False, max_length=20_000,
        widget=forms.Textarea(attrs={**_AREA, "rows": 10, "spellcheck": "false"}))
    theme = forms.ModelChoiceField(Theme.objects.filter(active=True), label=_("Theme"),
                                   to_field_name="code", required=False,
                                   widget=forms.Select(attrs=_SELECT))
    port = forms.ModelChoiceField(Port.objects.all(), label=_("Port"), to_field_name="slug",
                                  required=False, widget=forms.Select(attrs=_SELECT))
    distribution = forms.ChoiceField(label=_("Who may see it"),
                                     choices=[("", "—"), *Distribution.choices], required=False,
                                     widget=forms.Select(attrs=_SELECT))
    legal_basis = forms.ModelChoiceField(LegalBasis.objects.filter(active=True),
                                         label=_("Legal basis"), to_field_name="code",
                                         required=False, widget=forms.Select(attrs=_SELECT))

    DEFAULTS = ("theme", "port", "distribution", "legal_basis")

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not user.organisation.is_public:
            self.fields["legal_basis"].queryset = LegalBasis.objects.filter(
                active=True, public_only=False)

    def defaults(self) -> dict[str, str]:
        """The values for every row, as a file would write them."""
        out = {}
        for name in self.DEFAULTS:
            value = self.cleaned_data.get(name)
            if value:
                out[name] = getattr(value, "code", None) or getattr(value, "slug", None) or \
                    str(value)
        return out
