"""Load the demo plant (idempotent): two sites and their warehouses, items, partners, users."""

import os

from django.core.management.base import BaseCommand

from core import demo


class Command(BaseCommand):
    help = "Loads the demo plant; running it again changes nothing. See README.md for the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", demo.DEMO_PASSWORD),
            help="Password of the demo users created now (default: DEMO_PASSWORD or the documented one).",
        )
        parser.add_argument("--show-logins", action="store_true", help="Print the demo logins and their password.")

    def handle(self, *args, password, show_logins, **options):
        plant = demo.seed_demo(password=password)
        if plant.created:
            made = ", ".join(f"{count} {what}" for what, count in sorted(plant.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo plant loaded: {made}."))
        else:
            self.stdout.write("Demo plant already loaded; nothing changed.")
        if show_logins:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {password}):")
            for username, user in plant.users.items():
                sites = ", ".join(site.code for site in user.sites.order_by("code"))
                roles = ", ".join(user.roles)
                self.stdout.write(f"  {username:<14} {roles:<12} sites {sites:<8} badge {user.badge_id}")
            self.stdout.write("")
