"""`python manage.py training_report`: the participation report on the command line, as JSON
(the API's shape), CSV or XLSX (the dashboard's exports), with the API's parameters."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from reports.forms import ReportForm
from reports.selectors import (
    AGE_BANDS,
    ALL,
    GROUP_FIELDS,
    participation_report,
    participations_per_person,
)

EXIT_INVALID = 2

# Option → the parameter ReportForm reads (the API's query parameter of the same name).
OPTIONS = {
    "--from": ("from", "First day of the period, YYYY-MM-DD (by the session's first day)."),
    "--to": ("to", "Last day of the period, YYYY-MM-DD (inclusive)."),
    "--project": ("project", "Project short name (acronym), any case."),
    "--course": ("course", "Course code, any case."),
    "--curriculum": ("curriculum", "Curriculum code."),
    "--delivery-type": ("delivery_type", "Delivery type of the course (its code)."),
    "--session-county": ("session_county", "County code of the session (e.g. CJ)."),
    "--person-county": ("person_county", "County code of the person (e.g. CJ)."),
    "--institution": ("institution", "Institution id (the person's)."),
    "--institution-type": ("institution_type", "Institution type id."),
    "--professional-category": ("professional_category", "Professional category id."),
    "--sex": ("sex", "F, M or unknown."),
    "--age-band": ("age_band", "One of: " + ", ".join(AGE_BANDS) + "."),
    "--eil-member": ("eil_member", "Member of an intersectoral local team: yes or no."),
    "--group-by": (
        "group_by",
        "One or two fields, comma-separated: " + ", ".join(GROUP_FIELDS) + ".",
    ),
}
OPTION_OF = {param: option for option, (param, _help) in OPTIONS.items()}

HELP_EPILOG = (
    "The report counts every county (the command is run by an operator on the server, with "
    "full access): unlike the dashboard and the API, no county coordinator's scope applies. "
    "Exit status: 0 when the report was written; 2 when a parameter is not valid (unknown "
    "project, course or county, a date not written YYYY-MM-DD, a period ending before it "
    "starts, an unknown group field or more than two)."
)


class Command(BaseCommand):
    help = (
        "Counting trained participants: unique persons, participations, completed, certified "
        "and sessions, in total or grouped by one or two fields, for every county (ALL scope)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("epilog", HELP_EPILOG)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=("json", "csv", "xlsx"),
            default="json",
            help="json: the API's JSON (filters, totals, group_by, groups, margins); csv: one "
            'table, ";"-separated (header row, then one row per group or a row of totals); '
            "xlsx: the dashboard's workbook (filters and definitions, totals, one sheet per "
            "table). Default: json.",
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Write to FILE instead of standard output (a CSV file starts with a UTF-8 "
            "byte-order mark, for Excel). Required for xlsx when standard output is a terminal.",
        )
        for option, (param, help_text) in OPTIONS.items():
            parser.add_argument(option, dest=param, metavar="VALUE", help=help_text)

    def fail(self, message: str):
        raise CommandError(message, returncode=EXIT_INVALID)

    def handle(self, *args, **options):
        data = {param: options[param] for param, _o in OPTIONS.values() if options.get(param)}
        form = ReportForm(data)
        if not form.is_valid():
            self.fail(
                "\n".join(
                    f"{OPTION_OF.get(param, param)}: {message}"
                    for param, messages in form.error_dict().items()
                    for message in messages
                )
            )
        # An operator on the server: every county.
        report = participation_report(filters=form.filters(), group_by=form.grouping(), scope=ALL)
        file_format, output = options["format"], options.get("output")
        stream = getattr(self.stdout, "_out", sys.stdout)
        if file_format == "xlsx" and not output and _isatty(stream):
            self.fail("--output FILE is required for xlsx when standard output is a terminal.")

        if file_format == "json":
            data = report.as_dict()
            data["participations_per_person"] = participations_per_person(
                filters=form.filters(), scope=ALL
            ).as_dict()
            text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        elif file_format == "csv":
            from reports.exports import report_csv

            text = report_csv(report)
        else:
            from reports.exports import report_xlsx

            payload = report_xlsx(report)
            if output:
                self._write_file(output, payload)
            else:
                binary = getattr(stream, "buffer", stream)
                binary.write(payload)
                binary.flush()
            return

        if output:
            encoding = "utf-8-sig" if file_format == "csv" else "utf-8"
            self._write_file(output, text.encode(encoding))
        else:
            stream.write(text)
            stream.flush()

    def _write_file(self, name: str, payload: bytes) -> None:
        try:
            with open(name, "wb") as f:
                f.write(payload)
        except OSError as exc:
            self.fail(f"{name}: {exc.strerror or exc}")


def _isatty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
