from __future__ import annotations

from django.utils.functional import Promise


class AccountError(Exception):
    """A rule of the account lifecycle refused the change; ``message`` is for the user."""

    def __init__(self, message: str | Promise, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class LinkError(AccountError):
    """An e-mailed link is unknown, expired or already used."""


class SignInError(AccountError):
    """A sign-in step failed or is locked."""
