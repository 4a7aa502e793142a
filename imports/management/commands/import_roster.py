"""`python manage.py import_roster FILE --session CODE`: one session's participants and their
per-day attendance (a column per session day, headed dd.mm.yyyy or "Ziua N")."""

from imports.management.commands._common import (
    KINDS,
    ImportCommand,
    training_session_by_code,
)


class Command(ImportCommand):
    help = (
        "Import the roster of one session (participants and per-day attendance) from a spreadsheet."
    )
    kind = KINDS.ROSTER

    def add_kind_arguments(self, parser):
        parser.add_argument(
            "--session", required=True, metavar="CODE", help="The code of the session."
        )

    def import_context(self, options) -> dict:
        return {"training_session": training_session_by_code(options["session"])}
