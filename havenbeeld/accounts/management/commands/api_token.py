"""``havenbeeld api_token issue|revoke``: tokens for the REST API (people and partner systems)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.accounts.models import ApiToken, User
from havenbeeld.accounts.services import AccountError
from havenbeeld.accounts.services.tokens import issue_token, revoke_token


class Command(BaseCommand):
    help = ("Issue or revoke an API token. A partner system gets a user account of its own "
            "(e.g. role contributor) and a token for it; the token is shown once.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue")
        issue.add_argument("--user", required=True, help="E-mail of the token's user.")
        issue.add_argument("--by", required=True,
                           help="E-mail of the user issuing it (the user, their coordinator "
                                "or a platform administrator).")
        issue.add_argument("--name", required=True)
        issue.add_argument("--days", type=int, default=365)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="The first 10 characters of the token.")
        revoke.add_argument("--by", required=True)

    def handle(self, *args: object, **options: object) -> None:
        actor = User.objects.filter(email__iexact=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError("Unknown or inactive --by user. / Onbekende gebruiker.")
        try:
            if options["action"] == "issue":
                user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
                if user is None:
                    raise CommandError("Unknown or inactive --user. / Onbekende gebruiker.")
                token, secret = issue_token(actor=actor, user=user, name=options["name"],
                                            days=options["days"])
                self.stdout.write(f"Token {token.name!r} for {user.email}, valid until "
                                  f"{token.expires_at:%Y-%m-%d}. Shown once:\n{secret}")
            else:
                token = ApiToken.objects.filter(prefix=options["prefix"][:12]).first()
                if token is None:
                    raise CommandError("No token with this prefix. / Onbekend token.")
                revoke_token(actor=actor, token=token)
                self.stdout.write(f"Token {token.name!r} revoked.")
        except AccountError as exc:
            raise CommandError(str(exc.message)) from None
        except PermissionDenied:
            raise CommandError("The --by user may not manage tokens of this user. / Niet "
                               "toegestaan.") from None
