from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from havenbeeld.demo import world


class Command(BaseCommand):
    help = "Build (or update) the synthetic demo world. Refuses to run with production settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=world.DEFAULT_SEED,
                            help="Seed of the demo world; also fixes the users' TOTP secrets.")
        parser.add_argument("--scale", type=int, default=world.DEFAULT_SCALE,
                            help="Number of companies in the registry layer (hundreds for a "
                                 "demo, 100000+ for benchmarks; 0 leaves the layer out).")
        parser.add_argument("--skip-if-built", action="store_true",
                            help="Do nothing if the demo world of this seed was built before.")
        parser.add_argument("--quiet-users", action="store_true",
                            help="Do not print the demo users and their secrets.")

    def handle(self, *args: object, seed: int, scale: int, quiet_users: bool,
               skip_if_built: bool, **options: object) -> None:
        if scale < 0:
            raise CommandError("--scale must be 0 or more.")
        if skip_if_built and world.is_built(seed):
            self.stdout.write(f"The demo world of seed {seed} exists; nothing to do.")
            return
        try:
            counts = world.build(seed=seed, scale=scale)
        except world.DemoRefused as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo world built (seed {seed}): {summary}."))
        if quiet_users:
            return
        self.stdout.write(f"Every demo user has the password {world.DEMO_PASSWORD!r}.")
        for spec in world.USERS:
            self.stdout.write(f"  {spec.email:45} {spec.role.value:15} "
                              f"TOTP {world.totp_secret_base32(seed, spec.email)}")
