"""Account services: every change to organisations, users and requests goes through here."""

from havenbeeld.accounts.services.errors import AccountError, LinkError, SignInError

__all__ = ["AccountError", "LinkError", "SignInError"]
