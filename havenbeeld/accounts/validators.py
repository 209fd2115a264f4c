"""Password validators whose messages Havenbeeld translates itself.

Django 5.2's Dutch catalogue lacks the current wording of the minimum-length message, so the
length validator's texts are ours.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as _Base
from django.utils.translation import ngettext


class MinimumLengthValidator(_Base):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
