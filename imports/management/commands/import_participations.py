"""`python manage.py import_participations FILE [--project CODE] [--create-missing]`: historical
participations, one row per person and session; sessions are matched by code, else by course,
start date and county, else created."""

from imports.management.commands._common import KINDS, ImportCommand, project_by_code


class Command(ImportCommand):
    help = "Import historical participations (one row per person and session)."
    kind = KINDS.PARTICIPATIONS

    def add_kind_arguments(self, parser):
        parser.add_argument(
            "--project",
            metavar="CODE",
            help="The project (its short name) of the rows that name none.",
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create the projects and courses the file names that do not exist yet.",
        )

    def import_context(self, options) -> dict:
        project = project_by_code(options["project"]) if options.get("project") else None
        return {"project": project, "create_missing": options["create_missing"]}
