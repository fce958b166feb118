"""`kehu quickstart`: from nothing to a running kehu with demo data, in one command."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kehu.accounts.models import Role
from kehu.cli.arguments import non_negative_int
from kehu.cli.management.commands.serve import add_server_arguments, serve
from kehu.cli.staff import ensure_user
from kehu.customers.models import Customer

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Migrate the database, create the admin account, add demo data to an empty archive, then serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=non_negative_int, default=200,
            help="demo customers to add when the archive is empty (default 200; 0 for none)",
        )
        parser.add_argument("--seed", type=int, default=1, help="seed of the demo data (default 1)")
        parser.add_argument("--no-serve", action="store_true", help="prepare everything but do not start the server")
        add_server_arguments(parser)

    def handle(self, *args, customers: int, seed: int, no_serve: bool, host: str, port: int, threads: int, **options):
        self.stdout.write("Applying database migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        self._admin()
        existing = Customer.objects.count()
        if existing:
            self.stdout.write(f"The archive already holds {existing:,} customers: no demo data added.")
        elif customers:
            call_command("demo", customers=customers, seed=seed, stdout=self.stdout._out, stderr=self.stderr._out)
        if no_serve:
            self.stdout.write(self.style.SUCCESS("Ready. Start the server with: kehu serve"))
            return
        serve(self, host=host, port=port, threads=threads)

    def _admin(self) -> None:
        member = ensure_user(
            ADMIN_USERNAME, role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True, display_name="管理员"
        )
        if member.password is None:
            self.stdout.write(f"The administrator account “{ADMIN_USERNAME}” exists already; its password is unchanged.")
            return
        rule = "=" * 64
        self.stdout.write(self.style.SUCCESS(rule))
        self.stdout.write(self.style.SUCCESS("  Administrator account created"))
        self.stdout.write(f"    username: {ADMIN_USERNAME}")
        self.stdout.write(f"    password: {member.password}")
        self.stdout.write("  It is shown only this once: write it down (change it after signing in).")
        self.stdout.write(self.style.SUCCESS(rule))
