"""An import's life: upload → check (a dry run: the preview) → confirm (the run) → result.

The same `engine.Importer` does the work for the admin screens, the background task and the
management commands."""

import hashlib
import logging
from functools import partial
from io import BytesIO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from wagtail.log_actions import log

from imports import engine
from imports.models import ImportBatch
from imports.reader import UnreadableFile, read_table
from imports.safe import neutralise

logger = logging.getLogger(__name__)
RUN_PERMISSION = "imports.run_import"
Status = ImportBatch.Status


def _check(acting_user) -> None:
    if acting_user is not None and not acting_user.has_perm(RUN_PERMISSION):
        raise PermissionDenied(_("You cannot import spreadsheets."))


def _progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def import_progress(*, batch: ImportBatch) -> tuple[int, int]:
    """(rows done, rows in all) of a check or run under way, for the progress bar. Kept in the
    cache: the run's own transaction hides its writes until the end."""
    return cache.get(_progress_key(batch.pk)) or (batch.rows_done, batch.rows_total or 1)


def importer_for(*, batch: ImportBatch, acting_user) -> engine.Importer:
    def progress(done: int, total: int) -> None:
        cache.set(_progress_key(batch.pk), (done, total), 3600)
        if not connection.in_atomic_block:
            # Reading and checking the rows happens before the import's transaction: other
            # processes see it even without a shared cache (FORMATIV_CACHE_DIR).
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done, rows_total=total)

    return engine.Importer(
        kind=batch.kind,
        acting_user=acting_user,
        training_session=batch.training_session,
        project=batch.project,
        create_missing=batch.create_missing,
        skip_invalid=batch.skip_invalid,
        source=_("import #%(number)d (%(file)s)") % {"number": batch.pk, "file": batch.file_name},
        progress=progress,
    )


@transaction.atomic
def import_batch_create(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    acting_user,
    training_session=None,
    project=None,
    skip_invalid: bool = False,
    create_missing: bool = False,
) -> ImportBatch:
    """Keep an uploaded file for checking. A roster import needs its session."""
    _check(acting_user)
    if kind not in ImportBatch.Kind.values:
        raise ValidationError(_("Unknown import kind."))
    if kind == ImportBatch.Kind.ROSTER and training_session is None:
        raise ValidationError({"training_session": _("Choose the session of the roster.")})
    if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(size)d MB. Split it into smaller files.")
                % {"size": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)}
            }
        )
    digest = hashlib.sha256(data).hexdigest()
    batch = ImportBatch(
        kind=kind,
        file_name=file_name[-255:],
        file_sha256=digest,
        training_session=training_session,
        project=project,
        skip_invalid=skip_invalid,
        create_missing=create_missing,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    batch.file.save(
        f"{digest[:16]}-{timezone.now():%Y%m%d%H%M%S}.bin", ContentFile(data), save=False
    )
    batch.save()
    log(
        instance=batch,
        action="formativ.import.upload",
        user=batch.created_by,
        title=str(batch),
        data={"kind": kind, "file_sha256": digest},
    )
    return batch


def _read(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def _fail(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = Status.FAILED
    batch.error = message[:500]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])
    return batch


def import_batch_check(*, batch: ImportBatch) -> ImportBatch:
    """The preview: everything the import would do, worked out and rolled back."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.CHECKING)
    try:
        summary = importer_for(batch=batch, acting_user=batch.created_by).run(
            _read(batch), dry_run=True
        )
    except (UnreadableFile, engine.FileProblem) as exc:
        return _fail(batch, exc.message)
    batch.preview = summary.as_dict()
    batch.rows_total = summary.rows
    batch.rows_done = summary.rows
    batch.status = Status.CHECKED
    batch.error = ""
    batch.save(update_fields=["preview", "rows_total", "rows_done", "status", "error"])
    cache.delete(_progress_key(batch.pk))
    return batch


def import_batch_run(*, batch: ImportBatch, acting_user) -> ImportBatch:
    """Import for real. With invalid rows and without "skip invalid rows" nothing is written
    and the batch fails with the errors; with it the rejected rows become a file to download.
    `batch.result` holds the summary (`engine.Summary.as_dict`)."""
    _check(acting_user)
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.RUNNING)
    try:
        summary = importer_for(batch=batch, acting_user=acting_user).run(_read(batch))
    except (UnreadableFile, engine.FileProblem) as exc:
        return _fail(batch, exc.message)
    batch.result = summary.as_dict()
    batch.rows_total = batch.rows_done = summary.rows
    batch.finished_at = timezone.now()
    if summary.written:
        batch.status = Status.DONE
        batch.error = ""
        if summary.rejected:
            batch.rejected_file.save(
                f"rejected-{batch.pk}.xlsx",
                ContentFile(rejected_rows_workbook(batch=batch, summary=summary)),
                save=False,
            )
        log(
            instance=batch,
            action="formativ.import.run",
            user=acting_user if getattr(acting_user, "pk", None) else None,
            title=str(batch),
            data=summary.cli_dict()
            | {"errors": len(summary.errors), "from": Status.RUNNING, "to": batch.status},
        )
    else:
        batch.status = Status.FAILED
        batch.error = _(
            "Nothing was imported: %(count)d rows are invalid. Correct them, or import with "
            "“skip invalid rows”."
        ) % {"count": summary.invalid_rows}
    batch.save()
    cache.delete(_progress_key(batch.pk))
    return batch


def _background(batch: ImportBatch) -> bool:
    return batch.file.size > 64 * 1024 or batch.rows_total > settings.IMPORT_BACKGROUND_ROWS


def import_batch_start_check(*, batch: ImportBatch) -> ImportBatch:
    """Check now (small files) or in the background (large ones, with a progress bar)."""
    if _background(batch):
        from imports import tasks

        transaction.on_commit(partial(tasks.check_import.enqueue, batch.pk), robust=True)
        return batch
    return import_batch_check(batch=batch)


@transaction.atomic
def import_batch_skip_invalid(*, batch: ImportBatch, acting_user) -> ImportBatch:
    """Check a checked import again, this time to write its valid rows and set the invalid
    ones aside."""
    _check(acting_user)
    if batch.status != Status.CHECKED:
        raise ValidationError(_("Only a checked import can be checked again."))
    batch.skip_invalid = True
    batch.status = Status.UPLOADED
    batch.save(update_fields=["skip_invalid", "status"])
    return import_batch_start_check(batch=batch)


def import_batch_start_run(*, batch: ImportBatch, acting_user) -> ImportBatch:
    _check(acting_user)
    if batch.status != Status.CHECKED:
        raise ValidationError(_("Only a checked import can be confirmed."))
    if _background(batch):
        from imports import tasks

        ImportBatch.objects.filter(pk=batch.pk).update(status=Status.RUNNING)
        batch.status = Status.RUNNING
        transaction.on_commit(
            partial(tasks.run_import.enqueue, batch.pk, acting_user.pk if acting_user else None),
            robust=True,
        )
        return batch
    return import_batch_run(batch=batch, acting_user=acting_user)


def rejected_rows_workbook(*, batch: ImportBatch, summary: engine.Summary) -> bytes:
    """The rows not imported, as they were, with a last column saying what is wrong: fix them
    there and import that file."""
    table = read_table(_read(batch), is_header=lambda h: engine.cols.column_for(h) is not None)
    problems: dict[int, list[str]] = {}
    for error in summary.errors:
        problems.setdefault(error.row, []).append(f"{error.column}: {error.message}")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Rejected rows")[:31]
    sheet.append([neutralise(h) for h in table.headers] + [_("Errors"), _("Row")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wanted = set(summary.rejected)
    for number, cells in table.rows:
        if number in wanted:
            sheet.append(
                [neutralise(c) for c in cells] + ["; ".join(problems.get(number, [])), number]
            )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_dry_run(
    *,
    kind: str,
    data: bytes,
    file_name: str,
    acting_user=None,
    training_session=None,
    project=None,
    skip_invalid: bool = False,
    create_missing: bool = False,
) -> engine.Summary:
    """What an import would do, keeping nothing (not even the file): the commands'
    `--dry-run`. Raises reader.UnreadableFile or engine.FileProblem."""
    _check(acting_user)
    return engine.Importer(
        kind=kind,
        acting_user=acting_user,
        training_session=training_session,
        project=project,
        create_missing=create_missing,
        skip_invalid=skip_invalid,
        source=_("import (%(file)s)") % {"file": file_name},
    ).run(data, dry_run=True)
