import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.pages import build_pages
from demo.seed import (
    build_base,
    build_large,
    demo_admin,
    demo_focal_point,
    demo_participant,
    demo_role_users,
)


class Command(BaseCommand):
    help = (
        "Build the deterministic demo data set (idempotent). "
        "--size large adds the benchmark scale: 17,000 professionals, 2,000 sessions, "
        "60,000 enrolments and 200,000 attendance marks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["demo", "large"], default="demo")
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo admin account."
        )

    def handle(self, *args, size, no_admin, **options):
        if not no_admin and not settings.DEBUG:
            raise CommandError(
                "Refusing to create the demo superuser (admin / a known password) outside "
                "development settings; pass --no-admin."
            )
        started = time.perf_counter()
        password = os.environ.get("FORMATIV_DEMO_PASSWORD", "formativ-demo")
        admin = None if no_admin else demo_admin(password=password)
        report = build_base(acting_user=admin)
        focal_point = None if no_admin else demo_focal_point(password=password)
        participant = None if no_admin else demo_participant(password=password)
        role_users = [] if no_admin else demo_role_users(password=password)
        pages = build_pages()
        if pages:
            report.add("pages", pages)
        if size == "large":
            large = build_large()
            for key, n in large.created.items():
                report.add(key, n)
        elapsed = time.perf_counter() - started
        if report.created:
            summary = ", ".join(f"{n} {key}" for key, n in sorted(report.created.items()))
            self.stdout.write(f"Created {summary}.")
        else:
            self.stdout.write("Demo data already present: nothing to do.")
        self.stdout.write(f"seed_demo --size {size} took {elapsed:.1f} s.")
        if admin is not None:
            self.stdout.write(
                f"Demo admin: {settings.WAGTAILADMIN_BASE_URL}/admin/  e-mail: {admin.email}  "
                f"password: {password}"
            )
        if participant is not None:
            self.stdout.write(
                f"Demo participant (holds certificates; see My trainings): "
                f"e-mail: {participant.email}  password: {password}"
            )
        if focal_point is not None:
            self.stdout.write(
                f"Demo county coordinator (Cluj county's people and sessions; nominates): "
                f"e-mail: {focal_point.email}  password: {password}"
            )
        for description, user in role_users:
            self.stdout.write(f"Demo {description}: e-mail: {user.email}  password: {password}")
