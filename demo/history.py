"""Demo: the lists of two sessions held before Formativ, imported as historical participations
— as ANES would load its archive. Most rows are people already in the registry, found by their
e-mail; the same social worker appears twice, spelled two ways (cedilla, no hyphen) and once
with a typo; one person comes back with a personal address. The typo and the new address are
probable duplicates, which land in the review queue: nothing proves they are the same people."""

import datetime
from io import BytesIO

from openpyxl import Workbook

from imports import services as import_services
from imports.models import ImportBatch
from training.models import Course, Institution, Professional

FILE_NAME = "demo-participari-istorice-2019.xlsx"
HEADERS = [
    "Nume și prenume",
    "E-mail",
    "Județ",
    "Instituția",
    "Proiect",
    "Curs",
    "Data început",
    "Data sfârșit",
    "Județ sesiune",
    "Tip activitate",
    "Prezent",
    "Serie certificat",
]


def _rows() -> list[list]:
    course = Course.objects.filter(code="EIL-01").first()
    cluj = Institution.objects.filter(county__code="CJ", name__startswith="DGASPC").first()
    if course is None or cluj is None:
        return []
    known = list(
        Professional.objects.filter(county__code="CJ").exclude(email="").order_by("pk")[:8]
    )
    rows = []
    session = ["VENUS", course.code, datetime.date(2019, 10, 14), datetime.date(2019, 10, 15)]
    for i, person in enumerate(known):
        rows.append(
            [
                f"{person.last_name.upper()} {person.first_name}",
                person.email.upper() if i == 0 else person.email,
                "CJ",
                person.institution.name if person.institution else cluj.name,
                *session,
                "Cluj",
                "sesiune de formare",
                "Da" if i != 3 else "Nu",
                f"VENUS-2019-{i + 1:04d}" if i != 3 else None,
            ]
        )
    # One social worker, without e-mail: two spellings of one name are the same person, the
    # typo (one letter apart, same county) a probable duplicate.
    for spelling in (
        "\u015etefănescu Maria-Ioana",
        "STEFANESCU Maria Ioana",
        "Stefanescu Maria Iona",
    ):
        rows.append(
            [spelling, None, "CJ", cluj.name, *session, "Cluj", "sesiune de formare", "Da", None]
        )
    # Back a few months later, with a personal address: a probable duplicate to review.
    if known:
        again = known[0]
        rows.append(
            [
                f"{again.last_name} {again.first_name}",
                f"{again.first_name.lower()}.personal@example.org",
                "CJ",
                cluj.name,
                "VENUS",
                course.code,
                datetime.date(2020, 2, 10),
                datetime.date(2020, 2, 11),
                "Cluj",
                "sesiune de formare",
                "Da",
                None,
            ]
        )
    return rows


def build_history(*, acting_user, report) -> None:
    if ImportBatch.objects.filter(file_name=FILE_NAME).exists():
        return
    rows = _rows()
    if not rows:
        return
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Participanți VENUS 2019–2020 (arhivă)"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    batch = import_services.import_batch_create(
        kind=ImportBatch.Kind.PARTICIPATIONS,
        data=out.getvalue(),
        file_name=FILE_NAME,
        acting_user=acting_user,
    )
    batch = import_services.import_batch_check(batch=batch)
    batch = import_services.import_batch_run(batch=batch, acting_user=acting_user)
    if batch.status == ImportBatch.Status.DONE:
        report.add("historical participations imported", batch.result["enrolments"])
        report.add("probable duplicates to review", batch.result["review_candidates"])
