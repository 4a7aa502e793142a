"""The import screens: upload, the check's preview, confirming, invalid rows, permissions."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from imports.models import ImportBatch
from sessions.models import Enrolment
from tests.factories.training import CourseFactory, ProjectFactory, UserFactory
from tests.imports.conftest import make_xlsx
from tests.security.test_uploads import mismatch_message
from training.models import Professional

pytestmark = pytest.mark.usefixtures("refs")

HEADERS = ["Nume", "Prenume", "Județ", "Proiect", "Curs", "Data început", "Prezent"]
S = ImportBatch.Status


@pytest.fixture
def offer(db):
    return ProjectFactory(acronym="SIGUR"), CourseFactory(
        code="ABZ", title="Abuzul asupra copiilor"
    )


def rows(*extra):
    return [["Popescu", "Ana", "CJ", "SIGUR", "ABZ", "12.05.2023", "Da"], *extra]


BAD_ROW = ["Ionescu", "Dan", "CJ", "SIGUR", "ABZ", "31.02.2023", "Da"]


def upload(client, data, *, name="lista.xlsx", follow=True, **fields):
    payload = {"kind": "participations", **fields}
    if data is not None:
        payload["upload"] = SimpleUploadedFile(name, data)
    return client.post(reverse("imports:index"), payload, follow=follow)


def ro(msgid):
    with translation.override("ro"):
        return gettext(msgid)


def count(response, key) -> int:
    html = response.content.decode()
    marker = f'data-count="{key}">'
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)])


def test_upload_shows_the_preview_with_counts_and_row_errors_and_writes_nothing(
    admin_client, offer
):
    response = upload(admin_client, make_xlsx(rows(BAD_ROW), [*HEADERS, "Observații"]))

    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == reverse("imports:batch", args=[batch.pk])
    assert batch.status == S.CHECKED
    assert count(response, "rows") == 2
    assert count(response, "invalid_rows") == 1
    html = response.content.decode()
    # Row 3 of the spreadsheet (header on row 1), its column, and what is wrong with it.
    assert 'data-error-row="3"' in html
    error = batch.preview["errors"][0]
    assert (error["row"], error["column"]) == (3, "Data început")
    assert error["message"] in html
    assert "data-import-blocked" in html
    assert "data-import-confirm" not in html
    # A column the import does not read is named, with a warning.
    assert "data-unknown-columns" in html
    assert "<strong>Observații</strong>" in html
    assert Professional.objects.count() == 0


def test_confirm_imports_and_shows_the_result(admin_client, offer, staff_user):
    response = upload(admin_client, make_xlsx(rows(), HEADERS))
    assert count(response, "created") == 1
    assert count(response, "enrolments") == 1
    assert "data-import-confirm" in response.content.decode()
    assert Professional.objects.count() == 0  # the check wrote nothing

    batch = ImportBatch.objects.get()
    response = admin_client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)

    batch.refresh_from_db()
    assert batch.status == S.DONE
    assert batch.created_by == staff_user
    person = Professional.objects.get()
    assert (person.last_name, person.first_name) == ("Popescu", "Ana")
    assert Enrolment.objects.get().professional == person
    html = response.content.decode()
    assert "data-import-done" in html
    assert ro("The spreadsheet was imported.") in html
    assert count(response, "enrolments") == 1
    assert "data-import-rejected" not in html


def test_an_invalid_row_imports_nothing_by_default(admin_client, offer):
    upload(admin_client, make_xlsx(rows(BAD_ROW), HEADERS))
    batch = ImportBatch.objects.get()

    response = admin_client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)

    batch.refresh_from_db()
    assert batch.status == S.FAILED
    assert Professional.objects.count() == 0
    assert Enrolment.objects.count() == 0
    html = response.content.decode()
    assert "data-import-error" in html
    assert batch.error in html
    assert "1" in batch.error


def test_skipping_invalid_rows_imports_the_rest_and_offers_the_rejected_rows(admin_client, offer):
    upload(admin_client, make_xlsx(rows(BAD_ROW), HEADERS))
    batch = ImportBatch.objects.get()

    response = admin_client.post(reverse("imports:recheck", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.skip_invalid
    assert batch.status == S.CHECKED
    assert "data-import-confirm" in response.content.decode()

    response = admin_client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert batch.status == S.DONE
    assert list(Professional.objects.values_list("last_name", flat=True)) == ["Popescu"]
    rejected_url = reverse("imports:rejected", args=[batch.pk])
    assert rejected_url in response.content.decode()

    download = admin_client.get(rejected_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2  # the headers and the one bad row
    assert values[1][:2] == ("Ionescu", "Dan")
    assert "Data început" in values[1][len(HEADERS)]
    assert batch.result["errors"][0]["message"] in values[1][len(HEADERS)]


def test_skip_invalid_chosen_on_upload_is_kept(admin_client, offer):
    upload(admin_client, make_xlsx(rows(BAD_ROW), HEADERS), skip_invalid="on")
    batch = ImportBatch.objects.get()
    assert batch.skip_invalid
    response = admin_client.get(reverse("imports:batch", args=[batch.pk]))
    assert "data-import-confirm" in response.content.decode()


def test_a_file_that_cannot_be_imported_shows_why(admin_client, offer):
    response = upload(admin_client, make_xlsx([["Popescu"]], ["Nume"]))

    batch = ImportBatch.objects.get()
    assert batch.status == S.FAILED
    assert response.status_code == 200
    assert "data-import-error" in response.content.decode()
    assert "Prenume" in batch.error


@pytest.mark.parametrize(
    ("data", "fields", "field", "msgid"),
    [
        (None, {}, "upload", "Choose a file."),
        (b"", {}, "upload", "The file is empty."),
        (
            b"x" * 2048,
            {},
            "upload",
            "The file is larger than %(size)d MB. Split it into smaller files.",
        ),
        (
            b"Nume;Prenume\r\nA;B\r\n",
            {"kind": "roster"},
            "training_session",
            "Choose the session of the roster.",
        ),
    ],
    ids=["no-file", "empty", "too-large", "roster-without-session"],
)
def test_bad_uploads_are_form_errors(admin_client, settings, data, fields, field, msgid):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    response = upload(admin_client, data, follow=False, **fields)

    assert response.status_code == 200
    assert ImportBatch.objects.count() == 0
    expected = ro(msgid)
    if "%(size)d" in msgid:
        expected = expected % {"size": 0}
    assert expected in response.context["form"].errors[field]
    assert expected in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload(admin_client):
    response = upload(admin_client, b"\x00\x01 not a spreadsheet \xff" * 10, name="lista.xlsx")
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()
    assert response.context["form"].errors["upload"] == [mismatch_message(".xlsx")]


def test_a_damaged_spreadsheet_is_not_a_server_error(admin_client):
    # An .xlsx archive whose workbook part is garbage: it passes the type check and fails
    # when read, which the batch reports.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("xl/workbook.xml", "<not-a-workbook")
    response = upload(admin_client, archive.getvalue(), name="lista.xlsx")
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.status == S.FAILED
    assert batch.error
    assert batch.error in response.content.decode()


def admin_without_import(db):
    user = UserFactory(username="fara-import")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def admin_with_import(username):
    user = admin_without_import(None)
    user.username = username
    user.save()
    # Imports are ANES work: the permission and every record in one's scope.
    user.user_permissions.add(
        Permission.objects.get(codename="run_import"),
        Permission.objects.get(codename="see_all_records"),
    )
    return user


def test_every_import_screen_needs_the_import_permission(client, offer, staff_user):
    batch = ImportBatch.objects.create(
        kind="registry", file="imports/x.bin", file_name="x.xlsx", created_by=staff_user
    )
    client.force_login(admin_without_import(None))
    gets = [
        reverse("imports:index"),
        reverse("imports:batch", args=[batch.pk]),
        reverse("imports:status", args=[batch.pk]),
        reverse("imports:rejected", args=[batch.pk]),
        reverse("imports:template", args=["registry", "xlsx"]),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        reverse("imports:index"),
        reverse("imports:confirm", args=[batch.pk]),
        reverse("imports:recheck", args=[batch.pk]),
    ]
    for url in posts:
        assert client.post(url).status_code == 403, url
    assert ImportBatch.objects.get().status == S.UPLOADED


def test_colleagues_with_the_permission_share_imports(client, admin_client, offer, staff_user):
    """Holders of the import permission work as a team: any of them may open a colleague's
    import; their list shows their own unless they ask for everyone's."""
    upload(admin_client, make_xlsx(rows(), HEADERS))
    batch = ImportBatch.objects.get()
    colleague = admin_with_import("coleg")
    client.force_login(colleague)

    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 200
    own = client.get(reverse("imports:index"))
    assert f'data-batch="{batch.pk}"' not in own.content.decode()
    everyone = client.get(reverse("imports:index") + "?all=1")
    assert f'data-batch="{batch.pk}"' in everyone.content.decode()


def test_status_endpoint_reports_progress(admin_client, offer):
    upload(admin_client, make_xlsx(rows(), HEADERS))
    batch = ImportBatch.objects.get()
    body = admin_client.get(reverse("imports:status", args=[batch.pk])).json()
    assert body["status"] == S.CHECKED
    assert body["done"] == body["total"] == 1


def test_a_batch_under_way_shows_a_progress_bar_that_refreshes(admin_client, staff_user):
    batch = ImportBatch.objects.create(
        kind="registry",
        file="imports/x.bin",
        file_name="x.xlsx",
        created_by=staff_user,
        status=S.CHECKING,
        rows_total=400,
        rows_done=100,
    )
    html = admin_client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert 'max="400" value="100"' in html
    assert 'http-equiv="refresh"' in html
    assert reverse("imports:status", args=[batch.pk]) in html


@pytest.mark.parametrize("rows_count", [5, 50])
def test_index_query_count_does_not_grow_with_imports(
    admin_client, staff_user, django_assert_max_num_queries, rows_count, offer
):
    from tests.factories.sessions import make_session

    session = make_session(start_in=-3, day_count=1)
    ImportBatch.objects.bulk_create(
        ImportBatch(
            kind="roster",
            file=f"imports/{i}.bin",
            file_name=f"lista-{i}.xlsx",
            created_by=staff_user,
            training_session=session,
            project=offer[0],
            status=S.DONE,
        )
        for i in range(rows_count)
    )
    admin_client.get(reverse("imports:index"))  # warm Wagtail's caches
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("imports:index"))
    assert response.content.decode().count("data-batch=") == rows_count


def test_a_roster_is_uploaded_for_the_chosen_session(admin_client):
    from tests.factories.sessions import make_session

    session = make_session(start_in=-3, day_count=2)
    data = make_xlsx(
        [["Popescu", "Ana", "CJ", "P", "A"]], ["Nume", "Prenume", "Județ", "Ziua 1", "Ziua 2"]
    )

    response = upload(admin_client, data, kind="roster", training_session=session.pk)

    batch = ImportBatch.objects.get()
    assert batch.training_session == session
    assert batch.status == S.CHECKED
    assert count(response, "attendance_marks") == 2
    assert count(response, "enrolments") == 1
