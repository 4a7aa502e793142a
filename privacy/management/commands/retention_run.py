"""Erase the people past their projects' retention.

    manage.py retention_run              # the dry-run report: who would be erased, per project
    manage.py retention_run --apply      # erase them (certificates stay verifiable)
    manage.py retention_run --date 2031-01-01 [--format json]

Exit status: 0 on success (with or without people to erase); 2 on bad input (an unknown
option, a date that is not YYYY-MM-DD, --apply with --dry-run). Meant to run daily (see the
README: "Erasure and retention")."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.retention import retention_run

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "List (default) or erase (--apply) the people past their projects' retention."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            help="Only report who would be erased (the default).",
        )
        mode.add_argument("--apply", action="store_true", help="Erase them.")
        parser.add_argument(
            "--date", help="The day to judge retention on (YYYY-MM-DD); by default today."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date: {options['date']!r} is not a date (YYYY-MM-DD).",
                    returncode=EXIT_BAD_INPUT,
                ) from None
        else:
            today = timezone.localdate()
        report = retention_run(today=today, dry_run=not options["apply"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Retention on {today.isoformat()}: {report.total} people past retention"
            + (
                f", {report.erased} erased"
                + (f", {len(report.failed)} failed (see the log)." if report.failed else ".")
                if not report.dry_run
                else " (dry run, nothing erased)."
            )
        )
        for project in report.projects:
            self.stdout.write(
                f"  {project.acronym} (kept until {project.retention_ends_on.isoformat()}): "
                f"{project.people}"
            )
        if report.people:
            self.stdout.write("  ids: " + ", ".join(str(pk) for pk in report.people))
