"""Forms of the account pages. They check shape; the services check the rules."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from havenbeeld.accounts.models import AccountRequest, Organisation, Role

PHONE = RegexValidator(
    re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$"),
    _("Enter a phone number with digits only, e.g. 010 123 4567 or +31 10 123 4567."),
)

_INPUT = {"class": "utrecht-textbox utrecht-textbox--html-input"}
_AREA = {"class": "utrecht-textarea utrecht-textarea--html-textarea", "rows": 5}
_SELECT = {"class": "utrecht-select utrecht-select--html-select"}


class AccountRequestForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(active=True),
        label=_("Organisation"),
        empty_label=_("— choose your organisation —"),
        error_messages={"invalid_choice": _("Choose an organisation from the list; this one is "
                                            "unknown or not active.")},
        widget=forms.Select(attrs=_SELECT),
    )

    class Meta:
        model = AccountRequest
        fields = ["full_name", "email", "organisation", "function", "phone", "motivation"]
        labels = {
            "full_name": _("Full name"),
            "email": _("Work e-mail address"),
            "function": _("Function"),
            "phone": _("Phone number"),
            "motivation": _("Why do you need access?"),
        }
        help_texts = {
            "email": _("Use the address of your organisation; we send a confirmation link to it."),
            "motivation": _("Your coordinator reads this when deciding on your request."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={**_INPUT, "autocomplete": "name"}),
            "email": forms.EmailInput(attrs={**_INPUT, "autocomplete": "email"}),
            "function": forms.TextInput(attrs={**_INPUT, "autocomplete": "organization-title"}),
            "phone": forms.TextInput(attrs={**_INPUT, "autocomplete": "tel", "type": "tel"}),
            "motivation": forms.Textarea(attrs=_AREA),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(PHONE)
        for field in self.fields.values():
            field.required = True
            if getattr(field, "max_length", None):
                field.error_messages["max_length"] = _(
                    "Use at most %(limit_value)d characters (you used %(show_value)d).")
        self.fields["email"].error_messages["invalid"] = _(
            "Enter a valid e-mail address, e.g. naam@organisatie.nl.")


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "username",
                                                            "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=4096, strip=False,
                               widget=forms.PasswordInput(
                                   attrs={**_INPUT, "autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "one-time-code",
                                      "inputmode": "text", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your app"), max_length=10,
        help_text=_("Enter the 6-digit code your authenticator app shows after scanning."),
        widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "one-time-code",
                                      "inputmode": "numeric"}),
    )


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"), max_length=4096, strip=False,
        help_text=_("At least 12 characters; not a common password and not only digits."),
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the new password"), max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "email"}))


class ApproveForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), widget=forms.Select(attrs=_SELECT))
    reason = forms.CharField(label=_("Note"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={**_AREA, "rows": 3}))

    def __init__(self, *args: object, roles: tuple[Role, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["role"].initial = Role.READER


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={**_AREA, "rows": 3}))


class ChangePasswordForm(NewPasswordForm):
    current = forms.CharField(
        label=_("Current password"), max_length=4096, strip=False,
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "current-password"}))
    field_order = ["current", "password1", "password2"]
