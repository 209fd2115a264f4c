from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_otp.oath import totp

from havenbeeld.demo import world


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (demo only; refused in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--seed", type=int, default=world.DEFAULT_SEED)

    def handle(self, *args: object, email: str, seed: int, **options: object) -> None:
        try:
            world.assert_demo_allowed()
        except world.DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if email.lower() not in {spec.email for spec in world.USERS}:
            raise CommandError(f"{email} is not a demo user. / {email} is geen demogebruiker.")
        self.stdout.write(f"{totp(world.totp_key(seed, email.lower())):06d}")
