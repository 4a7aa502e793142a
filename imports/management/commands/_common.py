"""What the three import commands share: the options, reading the file, running the import
through the same services as the admin screens, and printing the summary.

Exit status: 0 when every row was imported (or, with --dry-run, would be); 1 when any row is
invalid (without --skip-invalid nothing is written; with it the valid rows are written and the
invalid ones reported); 2 when the file cannot be imported at all (missing, unreadable, not a
table, a required column missing) or a --session / --project does not exist."""

import json
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from imports import engine, services
from imports.models import ImportBatch
from imports.reader import UnreadableFile
from training.cnp import mask_cnp

EXIT_INVALID_ROWS = 1
EXIT_UNREADABLE = 2
_CNP_LIKE = re.compile(r"(?<!\d)\d{13}(?!\d)")

HELP_EPILOG = (
    "Exit status: 0 when every row was imported (with --dry-run: would be); 1 when any row is "
    "invalid (without --skip-invalid nothing is written; with it the valid rows are written and "
    "the invalid ones listed); 2 when the file cannot be imported at all (missing, unreadable, "
    "no header row, a required column missing) or the --session / --project does not exist."
)


def scrub(text: str) -> str:
    """No CNP on a terminal or in a log: any 13-digit number is shown masked."""
    return _CNP_LIKE.sub(lambda m: mask_cnp(m.group(0)), str(text))


def summary_from_result(kind: str, result: dict) -> engine.Summary:
    """The `engine.Summary` a batch's `result` (`Summary.as_dict()`) was made from."""
    fields = set(engine.Summary.__dataclass_fields__) - {"errors"}
    summary = engine.Summary(**{k: v for k, v in result.items() if k in fields} | {"kind": kind})
    summary.errors = [engine.RowError(**e) for e in result.get("errors", [])]
    return summary


class ImportCommand(BaseCommand):
    """Base of `import_registry`, `import_roster` and `import_participations`."""

    kind = ""

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("epilog", HELP_EPILOG)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="The spreadsheet: XLSX, XLS, ODS or CSV.")
        self.add_kind_arguments(parser)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what the import would do; write nothing.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the invalid ones (exit status 1 all the "
            "same). Without it, any invalid row and nothing is written.",
        )
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="text: a summary for people; json: one JSON object on standard output "
            "(rows, created, matched, sessions_created, enrolments, attendance_marks, errors "
            "[{row, column, message}], review_candidates, …).",
        )

    def add_kind_arguments(self, parser):
        pass

    def import_context(self, options) -> dict:
        """The session, project and create_missing the kind needs (CommandError → 2)."""
        return {}

    # --- running --------------------------------------------------------------------------

    def fail(self, message: str, code: int = EXIT_UNREADABLE):
        raise CommandError(scrub(message), returncode=code)

    def read_file(self, name: str) -> bytes:
        path = Path(name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            self.fail(_("There is no file “%(file)s”.") % {"file": name})
        except IsADirectoryError:
            self.fail(_("“%(file)s” is a folder, not a file.") % {"file": name})
        except OSError as exc:
            self.fail(
                _("The file “%(file)s” cannot be read: %(reason)s")
                % {"file": name, "reason": exc.strerror or exc}
            )

    def handle(self, *args, **options):
        context = self.import_context(options)
        data = self.read_file(options["file"])
        file_name = Path(options["file"]).name
        arguments = {
            "kind": self.kind,
            "data": data,
            "file_name": file_name,
            "acting_user": None,
            "skip_invalid": options["skip_invalid"],
            **context,
        }
        if options["dry_run"]:
            try:
                summary = services.import_dry_run(**arguments)
            except (UnreadableFile, engine.FileProblem) as exc:
                self.fail(exc.message)
        else:
            summary = self.run_batch(arguments)
        self.report(summary, options)
        if summary.errors:
            self.fail(self.outcome(summary, options), EXIT_INVALID_ROWS)

    def run_batch(self, arguments: dict) -> engine.Summary:
        """Through the same batch as an upload in the admin (the file kept, the run audited)."""
        try:
            batch = services.import_batch_create(**arguments)
        except ValidationError as exc:
            self.fail(" ".join(exc.messages))
        batch = services.import_batch_run(batch=batch, acting_user=None)
        if not batch.result:
            self.fail(batch.error or _("The file cannot be imported."))
        return summary_from_result(self.kind, batch.result)

    # --- the report -----------------------------------------------------------------------

    def outcome(self, summary: engine.Summary, options) -> str:
        invalid = summary.invalid_rows
        if options["dry_run"]:
            if invalid:
                return _("Dry run, nothing was written: %(count)d rows are invalid.") % {
                    "count": invalid
                }
            return _("Dry run: the file can be imported; nothing was written.")
        if summary.written and invalid:
            return _("Imported, except %(count)d invalid rows, which were skipped.") % {
                "count": invalid
            }
        if summary.written:
            return _("Imported.")
        return _(
            "Nothing was imported: %(count)d rows are invalid. Correct them, or import with "
            "--skip-invalid."
        ) % {"count": invalid}

    def report(self, summary: engine.Summary, options) -> None:
        if options["format"] == "json":
            data = summary.cli_dict()
            data["dry_run"] = bool(options["dry_run"])
            data["invalid_rows"] = summary.invalid_rows
            data["rejected_rows"] = list(summary.rejected)
            for error in data["errors"]:
                error["message"] = scrub(error["message"])
                error["column"] = scrub(error["column"])
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        lines = [
            (_("Rows read"), summary.rows),
            (_("New persons"), summary.created),
            (_("Persons already in the registry"), summary.matched),
            (_("Sessions created"), summary.sessions_created),
            (_("New enrolments"), summary.enrolments),
            (_("Attendance marks written"), summary.attendance_marks),
            (_("Probable duplicates to review"), summary.review_candidates),
        ]
        width = max(len(label) for label, _value in lines)
        for label, value in lines:
            self.stdout.write(f"{label + ':':<{width + 1}} {value}")
        if summary.unknown_columns:
            self.stdout.write(
                _("Columns not imported (unknown): %(columns)s")
                % {"columns": ", ".join(f"“{c}”" for c in summary.unknown_columns)}
            )
        if summary.errors:
            self.stdout.write(_("Invalid rows:"))
            for error in summary.errors:
                line = _("Row %(row)d, column “%(column)s”: %(message)s") % {
                    "row": error.row,
                    "column": error.column,
                    "message": error.message,
                }
                self.stdout.write("  " + scrub(line))
        else:
            self.stdout.write(self.outcome(summary, options))


def training_session_by_code(code: str):
    from sessions.models import TrainingSession

    session = TrainingSession.objects.filter(code__iexact=code.strip()).first()
    if session is None:
        raise CommandError(
            scrub(_("There is no session with the code “%(code)s”.") % {"code": code}),
            returncode=EXIT_UNREADABLE,
        )
    return session


def project_by_code(code: str):
    from training.models import Project

    project = Project.objects.filter(acronym__iexact=code.strip()).first()
    if project is None:
        raise CommandError(
            scrub(_("There is no project with the code “%(code)s”.") % {"code": code}),
            returncode=EXIT_UNREADABLE,
        )
    return project


KINDS = ImportBatch.Kind
