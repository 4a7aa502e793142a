"""Large files are checked and imported by the task worker, the page following their
progress; the result is the same as an import run at once."""

import pytest

from imports import services
from imports.models import ImportBatch
from tests.factories.training import CourseFactory, ProjectFactory
from tests.imports.conftest import make_xlsx
from training.models import Professional

pytestmark = pytest.mark.usefixtures("refs")

HEADERS = ["Nume", "Prenume", "Județ", "Proiect", "Curs", "Data început", "Prezent"]


def test_a_large_import_runs_in_the_background_and_ends_done(
    settings, staff_user, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    ProjectFactory(acronym="SIGUR")
    CourseFactory(code="ABZ")
    rows = [
        ["Popescu", "Ana", "CJ", "SIGUR", "ABZ", "12.05.2023", "Da"],
        ["Ionescu", "Dan", "TM", "SIGUR", "ABZ", "12.05.2023", "Nu"],
    ]
    batch = services.import_batch_create(
        kind="participations",
        data=make_xlsx(rows, HEADERS),
        file_name="lista.xlsx",
        acting_user=staff_user,
    )
    batch = services.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.CHECKED

    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = services.import_batch_start_run(batch=batch, acting_user=staff_user)
    # Not run yet: queued for the worker, the page shows it under way.
    assert started.status == ImportBatch.Status.RUNNING
    assert not Professional.objects.exists()
    assert len(queued) == 1

    queued[0]()  # the worker picks it up
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.result["created"] == 2
    assert Professional.objects.count() == 2
    assert services.import_progress(batch=batch) == (batch.rows_done, batch.rows_total)
