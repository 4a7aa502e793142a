"""The three spreadsheet imports: registry, session roster, historical participations.

Every import reads the whole file, checks every row (errors with row, column and a message for
people), matches each row's person (training.matching), then writes in bulk in one transaction:
institutions, people and what is learned about known people, probable duplicates for review,
EIL memberships, sessions (historical participations), enrolments and attendance marks.

- `dry_run`: everything is worked out and written, then rolled back: the preview shows exactly
  what the import would do.
- by default an import with any invalid row writes nothing; `skip_invalid` writes the valid
  rows and returns the rejected ones (`Summary.rejected`).
- the same file imported twice changes nothing the second time.
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import columns as cols
from imports.reader import Table, read_table
from sessions import services as session_services
from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from sessions.selectors import day_minutes
from training import cnp as cnp_utils
from training import services as training_services
from training.matching import Identity, PersonIndex, name_identifier_key
from training.models import (
    County,
    Course,
    DeliveryType,
    Institution,
    InstitutionType,
    PersonIdentifier,
    Professional,
    ProfessionalCategory,
    Project,
)
from training.services import EARLIEST_BIRTH_DATE
from training.text import name_match_key, normalize_text

REGISTRY, ROSTER, PARTICIPATIONS = "registry", "roster", "participations"
A = Attendance.Status
# How many probable-duplicate pairs the preview lists (all are counted, and all are queued).
PREVIEW_CANDIDATES = 200
PROGRESS_EVERY = 500


class ImportAborted(Exception):
    """Used to roll a dry run back."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Summary:
    kind: str
    rows: int = 0
    header_row: int = 0
    created: int = 0
    matched: int = 0
    updated: int = 0
    institutions_created: int = 0
    sessions_created: int = 0
    projects_created: int = 0
    courses_created: int = 0
    enrolments: int = 0
    attendance_marks: int = 0
    eil_memberships: int = 0
    review_candidates: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)  # the first PREVIEW_CANDIDATES
    rejected: list[int] = field(default_factory=list)  # row numbers not imported
    written: bool = False

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    def as_dict(self) -> dict:
        data = asdict(self)
        data["invalid_rows"] = self.invalid_rows
        return data

    def cli_dict(self) -> dict:
        """The shape `--format json` prints."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "matched": self.matched,
            "sessions_created": self.sessions_created,
            "enrolments": self.enrolments,
            "attendance_marks": self.attendance_marks,
            "errors": [asdict(e) for e in self.errors],
            "review_candidates": self.review_candidates,
            "unknown_columns": self.unknown_columns,
            "written": self.written,
        }


class FileProblem(Exception):
    """The table cannot be imported at all (a required column missing): nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reference data, read once per import ---------------------------------------------------


class References:
    def __init__(self):
        self.counties: dict[str, County] = {}
        for county in County.objects.all():
            for label in (county.code, county.name, county.name_ascii, f"judetul {county.name}"):
                self.counties[cols.fold(label)] = county
        bucuresti = next((c for c in self.counties.values() if c.code == "B"), None)
        if bucuresti:
            for label in ("București", "Bucuresti", "Municipiul Bucuresti", "Mun. București"):
                self.counties[cols.fold(label)] = bucuresti
        self.institution_types = {cols.fold(t.name): t for t in InstitutionType.objects.all()} | {
            cols.fold(t.name_en): t for t in InstitutionType.objects.exclude(name_en="")
        }
        self.categories = {cols.fold(c.name): c for c in ProfessionalCategory.objects.all()} | {
            cols.fold(c.name_en): c for c in ProfessionalCategory.objects.exclude(name_en="")
        }
        self.institutions: dict[tuple[str, int | None], Institution] = {
            (cols.fold(i.name), i.county_id): i
            for i in Institution.objects.select_related("county")
        }
        self.projects: dict[str, Project] = {}
        for project in Project.objects.all():
            self.projects[cols.fold(project.name)] = project
            self.projects[cols.fold(project.acronym)] = project
        self.courses: dict[str, Course] = {}
        self._session_codes: set[str] | None = None
        for course in Course.objects.all():
            self.courses[cols.fold(course.title)] = course
            self.courses[cols.fold(course.code)] = course

    def session_codes(self) -> set[str]:
        """The codes of the sessions in the registry (read on first use)."""
        if self._session_codes is None:
            self._session_codes = set(TrainingSession.objects.values_list("code", flat=True))
        return self._session_codes

    def county(self, value) -> County:
        county = self.counties.get(cols.fold(value))
        if county is None:
            raise cols.CellError(
                _("There is no county “%(value)s”: write its name or its code (e.g. CJ).")
                % {"value": cols.text(value)}
            )
        return county


ACTIVITY_TYPES = {
    cols.fold(label): value
    for value, labels in {
        DeliveryType.INFORMATION_SEMINAR: ("seminar de informare", "seminar", "informare"),
        DeliveryType.PROFESSIONAL_TRAINING: ("sesiune de formare", "formare", "curs", "training"),
        DeliveryType.WORKING_MEETING: ("reuniune de lucru", "reuniune", "întâlnire de lucru"),
        DeliveryType.SUPERVISION: ("supervizare", "grup de suport", "supervizare de grup"),
        DeliveryType.CONFERENCE: ("conferință", "conferinta"),
    }.items()
    for label in labels
}


# --- one row ----------------------------------------------------------------------------------


@dataclass
class PersonRow:
    number: int
    first_name: str
    last_name: str
    identity: Identity
    cnp: str = ""
    sex: str = ""
    category: ProfessionalCategory | None = None
    category_detail: str = ""
    county: County | None = None
    institution: Institution | None = None
    institution_key: tuple | None = None  # an institution the import creates
    eil_member: bool | None = None
    name_as_written: str = ""
    session_key: tuple | None = None
    days: dict = field(default_factory=dict)  # roster: day -> (status, minutes)
    presence: tuple | None = None  # participations: ("yes"|"no"|"days"|"hours", value)
    certificate_serial: str = ""


class _Row:
    """The cells of one row by canonical column name; records errors per column."""

    def __init__(self, number: int, cells: dict, headers: dict, errors: list[RowError]):
        self.number, self.cells, self.headers, self.errors = number, cells, headers, errors
        self.failed = False

    def get(self, name):
        return self.cells.get(name)

    def read(self, name, parse: Callable):
        try:
            return parse(self.cells.get(name))
        except cols.CellError as exc:
            self.fail(name, exc.message)
            return None

    def fail(self, name, message: str) -> None:
        self.failed = True
        self.errors.append(RowError(self.number, self.headers.get(name, name), message))


class Importer:
    def __init__(
        self,
        *,
        kind: str,
        acting_user,
        training_session: TrainingSession | None = None,
        project: Project | None = None,
        create_missing: bool = False,
        skip_invalid: bool = False,
        source: str = "",
        progress: Callable[[int, int], None] | None = None,
    ):
        self.kind = kind
        self.acting_user = acting_user if getattr(acting_user, "pk", None) else None
        self.training_session = training_session
        self.project = project
        self.create_missing = create_missing
        self.skip_invalid = skip_invalid
        self.source = source or _("import")
        self.progress = progress or (lambda done, total: None)
        self.summary = Summary(kind=kind)

    # --- the table ----------------------------------------------------------------------------

    def _is_header(self, header: str) -> bool:
        return cols.column_for(header) is not None

    def _map_columns(self, table: Table) -> tuple[dict[int, str], dict[int, SessionDay]]:
        allowed = set(cols.KIND_COLUMNS[self.kind])
        by_index: dict[int, str] = {}
        day_columns: dict[int, SessionDay] = {}
        seen: dict[str, str] = {}
        days = []
        if self.kind == ROSTER:
            days = list(self.training_session.days.all())
            by_date = {timezone.localtime(d.starts_at).date(): d for d in days}
        for index, header in enumerate(table.headers):
            if not header.strip():
                continue
            name = cols.column_for(header)
            if name in allowed:
                if name in seen:
                    raise FileProblem(
                        _("The columns “%(first)s” and “%(second)s” say the same thing: keep one.")
                        % {"first": seen[name], "second": header}
                    )
                seen[name] = header
                by_index[index] = name
                continue
            if self.kind == ROSTER:
                day = None
                number = cols.day_number(header)
                if number is not None:
                    if not 1 <= number <= len(days):
                        raise FileProblem(
                            _("The column “%(header)s”: the session has %(count)d days.")
                            % {"header": header, "count": len(days)}
                        )
                    day = days[number - 1]
                else:
                    date = cols.header_date(header)
                    if date is not None:
                        day = by_date.get(date)
                        if day is None:
                            raise FileProblem(
                                _("The column “%(header)s”: the session has no day on that date.")
                                % {"header": header}
                            )
                if day is not None:
                    if day in day_columns.values():
                        raise FileProblem(
                            _("The column “%(header)s”: that day has two columns.")
                            % {"header": header}
                        )
                    day_columns[index] = day
                    continue
            self.summary.unknown_columns.append(header)
        names = set(by_index.values())
        if "full_name" not in names and not {"last_name", "first_name"} <= names:
            raise FileProblem(
                _("The table needs the columns “Nume” and “Prenume”, or “Nume și prenume”.")
            )
        if self.kind == PARTICIPATIONS:
            missing = [
                cols.COLUMNS[n][0]
                for n in ("course", "start_date")
                if n not in names and not (n == "course" and "session_code" in names)
            ]
            if "project" not in names and self.project is None and "session_code" not in names:
                missing.insert(0, cols.COLUMNS["project"][0])
            if missing:
                raise FileProblem(
                    _("The table needs the columns: %(columns)s.")
                    % {"columns": ", ".join(f"“{m}”" for m in missing)}
                )
        return by_index, day_columns

    # --- parsing --------------------------------------------------------------------------------

    def _person(self, row: _Row, refs: References) -> PersonRow | None:
        if row.get("full_name") and not (row.get("last_name") or row.get("first_name")):
            last, first = cols.split_full_name(cols.text(row.get("full_name")))
        else:
            last, first = cols.text(row.get("last_name")), cols.text(row.get("first_name"))
        written = normalize_text(f"{last} {first}")
        last, first = cols.person_name_case(last), cols.person_name_case(first)
        name_column = "full_name" if "full_name" in row.headers else "last_name"
        if not last:
            row.fail(name_column, _("The name is missing."))
        elif len(last) > 100 or len(first) > 100:
            row.fail(name_column, _("The name is longer than 100 letters."))
        birth = row.read("birth_date", cols.parse_date)
        if birth and not EARLIEST_BIRTH_DATE <= birth <= timezone.localdate():
            row.fail("birth_date", _("The birth date is not plausible."))
            birth = None
        cnp = ""
        cnp_hash = None
        if row.get("cnp") is not None:
            try:
                cnp = cnp_utils.validate_cnp(cols.text(row.get("cnp")))
            except ValidationError as exc:
                row.fail("cnp", " ".join(exc.messages))
            else:
                cnp_hash = cnp_utils.hash_cnp(cnp)
                born = cnp_utils.birth_date(cnp)
                if birth and born and born != birth:
                    row.fail("birth_date", _("The birth date does not match the one in the CNP."))
                birth = birth or born
        email = cols.text(row.get("email")).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.fail("email", _("“%(value)s” is not an e-mail address.") % {"value": email})
                email = ""
        phone = row.read("phone", cols.normalize_phone) or ""
        sex = row.read("sex", cols.parse_sex) or ""
        county = None
        if row.get("county") is not None:
            county = row.read("county", refs.county)
        category = None
        category_detail = ""
        if row.get("category") is not None:
            raw = cols.text(row.get("category"))
            category = refs.categories.get(cols.fold(raw))
            if category is None:
                row.fail(
                    "category",
                    _("There is no professional category “%(value)s” (see the instructions).")
                    % {"value": raw},
                )
            elif category.requires_detail:
                category_detail = raw[:150]
        institution = None
        institution_key = None
        institution_name = cols.text(row.get("institution"))
        if institution_name:
            lookup_county = county.pk if county else None
            institution = refs.institutions.get((cols.fold(institution_name), lookup_county))
            if institution is None and county is None:
                found = [
                    i
                    for (name, _c), i in refs.institutions.items()
                    if name == cols.fold(institution_name)
                ]
                institution = found[0] if len(found) == 1 else None
            if institution is None:
                type_name = cols.text(row.get("institution_type"))
                institution_type = refs.institution_types.get(cols.fold(type_name))
                if county is None and row.get("county") is not None:
                    pass  # the county cell is wrong: that error says it
                elif county is None:
                    row.fail(
                        "institution",
                        _("The institution “%(value)s” is not in the registry: give its county.")
                        % {"value": institution_name},
                    )
                elif type_name and institution_type is None:
                    row.fail(
                        "institution_type",
                        _("There is no institution type “%(value)s” (see the instructions).")
                        % {"value": type_name},
                    )
                else:
                    # Without a type, another row of the file must give it (checked below).
                    institution_key = (
                        institution_name[:255],
                        institution_type.pk if institution_type else None,
                        county.pk,
                    )
            elif county is None:
                county = institution.county
        eil = row.read("eil_member", cols.parse_yes_no)
        if row.failed:
            return None
        return PersonRow(
            number=row.number,
            first_name=first,
            last_name=last,
            name_as_written=written,
            identity=Identity(
                match_key=name_match_key(first, last),
                email=email,
                cnp_hash=cnp_hash,
                birth_date=birth,
                phone=phone,
                county_id=county.pk if county else None,
                institution_id=institution.pk if institution else None,
                institution_name=institution_name,
            ),
            cnp=cnp,
            sex=sex,
            category=category,
            category_detail=category_detail,
            county=county,
            institution=institution,
            institution_key=institution_key,
            eil_member=eil,
        )

    def _roster_marks(self, row: _Row, person: PersonRow, day_cells: dict) -> None:
        for day, (header, value) in day_cells.items():
            if value is None:
                continue
            try:
                person.days[day] = _attendance_value(value, day)
            except cols.CellError as exc:
                row.failed = True
                row.errors.append(RowError(row.number, header, exc.message))

    def _session_fields(self, row: _Row, person: PersonRow, refs: References) -> None:
        code = cols.text(row.get("session_code"))
        course = project = None
        course_name = cols.text(row.get("course"))
        project_name = cols.text(row.get("project"))
        start = row.read("start_date", cols.parse_date)
        end = row.read("end_date", cols.parse_date)
        session_county = None
        if row.get("session_county") is not None:
            session_county = row.read("session_county", refs.county)
        if project_name:
            project = refs.projects.get(cols.fold(project_name))
            if project is None and not self.create_missing:
                row.fail(
                    "project",
                    _(
                        "There is no project “%(value)s”: add it first, or import with "
                        "“create missing projects and courses”."
                    )
                    % {"value": project_name},
                )
        else:
            project = self.project
        if course_name:
            course = refs.courses.get(cols.fold(course_name))
            if course is None and not self.create_missing:
                row.fail(
                    "course",
                    _(
                        "There is no course “%(value)s”: add it first, or import with "
                        "“create missing projects and courses”."
                    )
                    % {"value": course_name},
                )
        # A code the registry knows is the session; any other needs what a new session needs.
        known_code = bool(code) and code in refs.session_codes()
        if not course_name and not known_code:
            if code:
                row.fail(
                    "session_code",
                    _(
                        "There is no session “%(code)s”: give its course, start date and county "
                        "too, so that it is added."
                    )
                    % {"code": code},
                )
            else:
                row.fail("course", _("The course is missing."))
        if not known_code:
            if start is None and not row.failed:
                row.fail("start_date", _("The start date is missing."))
            if session_county is None and row.get("session_county") is None:
                session_county = person.county
                if session_county is None:
                    row.fail(
                        "session_county", _("The county where the session was held is missing.")
                    )
        if start and end and end < start:
            row.fail("end_date", _("The session cannot end before it starts."))
        if start and end and (end - start).days > 60:
            row.fail("end_date", _("A session longer than 60 days is not plausible."))
        activity = cols.text(row.get("activity_type"))
        delivery = None
        if activity:
            delivery = ACTIVITY_TYPES.get(cols.fold(activity))
            if delivery is None:
                row.fail(
                    "activity_type",
                    _("“%(value)s” is not an activity type (see the instructions).")
                    % {"value": activity},
                )
        present = row.read("present", cols.parse_yes_no)
        days = row.read("days_present", cols.parse_number)
        hours = row.read("hours_present", cols.parse_number)
        if days is not None and (days < 0 or days != days.to_integral_value()):
            row.fail("days_present", _("The days present must be a whole number, 0 or more."))
        if hours is not None and hours < 0:
            row.fail("hours_present", _("The hours present cannot be negative."))
        if hours is not None:
            person.presence = ("hours", hours)
        elif days is not None:
            person.presence = ("days", int(days))
        elif present is not None:
            person.presence = ("yes" if present else "no", None)
        else:
            person.presence = ("yes", None)
        person.certificate_serial = cols.text(row.get("certificate_serial"))[:64]
        person.session_key = (
            code,
            ("course", course.pk) if course else ("new", course_name),
            ("project", project.pk) if project else ("new", project_name) if project_name else None,
            start,
            end or start,
            session_county.pk if session_county else None,
            delivery,
        )

    def parse(self, table: Table) -> list[PersonRow]:
        refs = References()
        self.refs = refs
        by_index, day_columns = self._map_columns(table)
        headers = {name: table.headers[i] for i, name in by_index.items()}
        people: list[PersonRow] = []
        total = len(table.rows)
        for done, (number, cells) in enumerate(table.rows, start=1):
            named = {name: cells[i] for i, name in by_index.items() if cells[i] is not None}
            row = _Row(number, named, headers, self.summary.errors)
            person = self._person(row, refs)
            if person is not None:
                if self.kind == ROSTER:
                    self._roster_marks(
                        row,
                        person,
                        {day: (table.headers[i], cells[i]) for i, day in day_columns.items()},
                    )
                elif self.kind == PARTICIPATIONS:
                    self._session_fields(row, person, refs)
                if not row.failed:
                    people.append(person)
            if row.failed:
                self.summary.rejected.append(number)
            if done % PROGRESS_EVERY == 0:
                self.progress(done, total * 2)
        return self._institution_types(people, headers)

    def _institution_types(self, people: list[PersonRow], headers: dict) -> list[PersonRow]:
        """An institution new to the registry needs its type on at least one of its rows."""
        types = {}
        for person in people:
            if person.institution_key and person.institution_key[1]:
                name, type_pk, county_pk = person.institution_key
                types.setdefault((cols.fold(name), county_pk), type_pk)
        kept = []
        for person in people:
            if person.institution_key and not person.institution_key[1]:
                name, _none, county_pk = person.institution_key
                type_pk = types.get((cols.fold(name), county_pk))
                if type_pk is None:
                    self.summary.errors.append(
                        RowError(
                            person.number,
                            headers.get("institution", "institution"),
                            _(
                                "The institution “%(value)s” is not in the registry: give its "
                                "type (“Tip instituție”, see the instructions) so that it is "
                                "added."
                            )
                            % {"value": name},
                        )
                    )
                    self.summary.rejected.append(person.number)
                    continue
                person.institution_key = (name, type_pk, county_pk)
            kept.append(person)
        return kept

    # --- writing ------------------------------------------------------------------------------

    def write(self, people: list[PersonRow]) -> None:
        summary = self.summary
        refs = self.refs
        total = len(people) * 2
        # Institutions the import adds (one per name and county).
        new_institutions: dict[tuple, Institution] = {}
        for person in people:
            if person.institution_key:
                name, type_pk, county_pk = person.institution_key
                key = (cols.fold(name), county_pk)
                if key not in new_institutions and key not in refs.institutions:
                    new_institutions[key] = Institution(
                        name=name, institution_type_id=type_pk, county_id=county_pk
                    )
        if new_institutions:
            training_services.institution_bulk_create(institutions=list(new_institutions.values()))
            refs.institutions.update(new_institutions)
            summary.institutions_created = len(new_institutions)
        for person in people:
            if person.institution_key:
                name, _type, county_pk = person.institution_key
                person.institution = refs.institutions[(cols.fold(name), county_pk)]

        # People: match each row, strongest rule first; new people are matched by later rows.
        index = PersonIndex.load()
        known_rows = dict(index.by_row)  # the rows seen by earlier imports
        existing: dict[int, Professional] = {}
        new_people: list[Professional] = []
        resolved: list = []  # the person of each row: a pk or a new Professional
        identifiers: dict[tuple, str] = {}  # (person, kind, key) -> the value seen
        pairs: dict[tuple, tuple[str, int]] = {}
        matched: set[int] = set()
        for done, person in enumerate(people, start=1):
            match = index.match(person.identity)
            if match.person is None:
                record = self._new_professional(person, email=not match.cnp_conflict)
                if record.county_id is None:
                    summary.errors.append(
                        RowError(
                            person.number,
                            cols.COLUMNS["county"][0],
                            _("The person's county is missing (the county where they work)."),
                        )
                    )
                    summary.rejected.append(person.number)
                    resolved.append(None)
                    continue
                new_people.append(record)
                target = _Key(record)
                identity = person.identity
                if match.cnp_conflict:
                    identity = Identity(**{**asdict(identity), "email": ""})
                index.add(target, identity)
            else:
                target = match.person
                if isinstance(target, int):
                    matched.add(target)
                index.add(
                    target,
                    person.identity
                    if not match.email_conflict
                    else Identity(**{**asdict(person.identity), "email": ""}),
                )
            resolved.append(target)
            for other, reason in match.candidates:
                pairs.setdefault((target, other), (reason, person.number))
            self._remember(
                identifiers, target, person, skip_email=match.email_conflict, known=known_rows
            )
            if done % PROGRESS_EVERY == 0:
                self.progress(len(people) + done // 2, total)
        # Rows turned down above (no county) leave the rest as they are unless all must pass.
        people, resolved = (
            [p for p, r in zip(people, resolved, strict=True) if r is not None],
            [r for r in resolved if r is not None],
        )
        if summary.errors and not self.skip_invalid and not self.dry_run:
            raise _InvalidError
        # What rows bring to known people: empty fields filled, the rest kept as identifiers.
        if matched:
            existing = Professional.objects.in_bulk(list(matched))
        filled_fields: set[str] = set()
        touched: set[int] = set()
        for person, target in zip(people, resolved, strict=True):
            if isinstance(target, int):
                changed = _fill_in(existing[target], person, index.by_email.get)
                if changed:
                    filled_fields |= changed
                    touched.add(target)
            else:
                # a person this import adds, met again on a later row: the same rule
                _fill_in(target.record, person, index.by_email.get, owner=target)
        training_services.professional_bulk_create(professionals=new_people)
        training_services.professional_bulk_update(
            professionals=[existing[pk] for pk in touched], fields=sorted(filled_fields)
        )
        summary.created = len(new_people)
        summary.matched = len(matched)
        summary.updated = len(touched)

        def pk(target):
            return target if isinstance(target, int) else target.record.pk

        # Every identifier seen is kept: a spelling, e-mail or phone the record does not show.
        source = self.source[:255]
        training_services.person_identifiers_add(
            identifiers=[
                PersonIdentifier(
                    professional_id=person_id, kind=kind, key=key, value=value, source=source
                )
                for person_id, kind, key, value in _not_on_record(
                    [(pk(t), kind, key, value) for (t, kind, key), value in identifiers.items()],
                    existing,
                    new_people,
                )
            ]
        )
        pair_pks = {}
        for (a, b), (reason, _row) in pairs.items():
            pair_pks[(pk(a), pk(b))] = reason
        summary.review_candidates = training_services.duplicate_candidates_record(
            pairs=pair_pks, source=self.source
        )
        self._preview_candidates(pairs, pk, people, resolved)

        eil = [
            (pk(target), person.county.pk if person.county else _county_of(target, existing))
            for person, target in zip(people, resolved, strict=True)
            if person.eil_member
        ]
        eil = [(p, c) for p, c in eil if c]
        summary.eil_memberships = training_services.local_team_members_add(
            people=eil, since=timezone.localdate()
        )

        if self.kind == ROSTER:
            self._write_roster(people, [pk(t) for t in resolved])
        elif self.kind == PARTICIPATIONS:
            self._write_participations(people, [pk(t) for t in resolved])
        self.progress(total, total)

    def _new_professional(self, person: PersonRow, *, email: bool) -> Professional:
        record = Professional(
            first_name=person.first_name,
            last_name=person.last_name,
            match_key=person.identity.match_key,
            email=person.identity.email if email else "",
            phone=person.identity.phone,
            sex=person.sex,
            birth_date=person.identity.birth_date,
            county=person.county,
            institution=person.institution,
            category=person.category,
            category_detail=person.category_detail,
        )
        if person.cnp:
            record.cnp_encrypted = cnp_utils.encrypt_cnp(person.cnp)
            record.cnp_hash = person.identity.cnp_hash
        return record

    def _remember(
        self, identifiers: dict, target, person: PersonRow, *, skip_email: bool, known: dict
    ) -> None:
        row_key = person.identity.row_key()
        items = [] if known.get(row_key) == target else [(PersonIdentifier.Kind.ROW, row_key, "")]
        if person.identity.email and not skip_email:
            items.append(
                (PersonIdentifier.Kind.EMAIL, person.identity.email, person.identity.email)
            )
        if person.identity.phone:
            items.append(
                (PersonIdentifier.Kind.PHONE, person.identity.phone, person.identity.phone)
            )
        items.append(
            (
                PersonIdentifier.Kind.NAME,
                name_identifier_key(person.name_as_written),
                person.name_as_written,
            )
        )
        for kind, key, value in items:
            slot = (target, kind, key[:255])
            if slot not in identifiers:
                identifiers[slot] = (value or key)[:255]

    def _preview_candidates(self, pairs, pk, people, resolved) -> None:
        names = {}
        row_of = {}
        for person, target in zip(people, resolved, strict=True):
            names.setdefault(pk(target), f"{person.first_name} {person.last_name}")
            row_of.setdefault(pk(target), person.number)
        others = [b for (_a, b) in pairs if isinstance(b, int) and pk(b) not in names]
        for p in Professional.objects.filter(pk__in=others[: PREVIEW_CANDIDATES * 2]).only(
            "first_name", "last_name"
        ):
            names[p.pk] = p.full_name
        for (a, b), (reason, row) in list(pairs.items())[:PREVIEW_CANDIDATES]:
            self.summary.candidates.append(
                {
                    "row": row,
                    "person": names.get(pk(a), ""),
                    "other": names.get(pk(b), ""),
                    "other_row": row_of.get(pk(b)),
                    "reason": str(dict(_reasons()).get(reason, reason)),
                }
            )

    def _write_roster(self, people: list[PersonRow], person_ids: list[int]) -> None:
        session = self.training_session
        existing = set(session.enrolments.values_list("professional_id", flat=True))
        wanted = list(dict.fromkeys(person_ids))
        enrolments = session_services.enrolment_bulk_import(
            pairs=[(session.pk, p) for p in wanted],
            acting_user=self.acting_user,
            reason=self.source,
        )
        self.summary.enrolments = sum(1 for p in wanted if p not in existing)
        marks = {}
        for person, person_id in zip(people, person_ids, strict=True):
            enrolment_id = enrolments[(session.pk, person_id)]
            for day, value in person.days.items():
                marks[(enrolment_id, day.pk)] = value
        self.summary.attendance_marks = session_services.attendance_bulk_import(
            marks=marks, acting_user=self.acting_user
        )
        if session.status == TrainingSession.Status.COMPLETED:
            session_services.completion_compute(training_sessions=[session])

    def _existing_sessions(self, keys) -> tuple[dict, dict, set]:
        """The sessions the rows may name, in three queries: by code, and by course, county
        and the date of a day (in Romanian time); and every code in use."""
        codes = {key[0] for key in keys if key[0]}
        by_code = {
            s.code: s
            for s in TrainingSession.objects.filter(code__in=codes).select_related("course")
        }
        courses = {key[1][1] for key in keys if key[1][0] == "course"}
        counties = {key[5] for key in keys if key[5]}
        by_day: dict[tuple, TrainingSession] = {}
        sessions = {
            s.pk: s
            for s in TrainingSession.objects.filter(
                course_id__in=courses, county_id__in=counties
            ).select_related("course")
        }
        for session_id, starts_at in (
            SessionDay.objects.filter(training_session_id__in=list(sessions))
            .order_by("training_session_id", "starts_at")
            .values_list("training_session_id", "starts_at")
        ):
            session = sessions[session_id]
            key = (session.course_id, session.county_id, timezone.localtime(starts_at).date())
            by_day.setdefault(key, session)
        used = set(TrainingSession.objects.values_list("code", flat=True))
        return by_code, by_day, used

    def _write_participations(self, people: list[PersonRow], person_ids: list[int]) -> None:
        refs = self.refs
        keys = list(dict.fromkeys(p.session_key for p in people))
        by_code, by_day, used_codes = self._existing_sessions(keys)
        courses = {c.pk: c for c in refs.courses.values()}
        projects = {p.pk: p for p in refs.projects.values()}
        counties = {c.pk: c for c in refs.counties.values()}
        sessions: dict[tuple, TrainingSession] = {}
        to_create: dict[tuple, session_services.HistoricalSession] = {}
        planned: dict[tuple, tuple] = {}  # (course, county, start) -> the key creating it
        for key in keys:
            code, course_ref, project_ref, start, end, county_pk, delivery = key
            if code and code in by_code:
                sessions[key] = by_code[code]
                continue
            if course_ref[0] == "course":
                course = courses[course_ref[1]]
            else:
                course = refs.courses.get(cols.fold(course_ref[1]))
                if course is None:
                    course = _create_course(course_ref[1], delivery, start, end, self.acting_user)
                    refs.courses[cols.fold(course_ref[1])] = course
                    self.summary.courses_created += 1
            project = None
            if project_ref is not None:
                if project_ref[0] == "project":
                    project = projects[project_ref[1]]
                else:
                    project = refs.projects.get(cols.fold(project_ref[1]))
                    if project is None:
                        project = _create_project(project_ref[1], people, self.acting_user)
                        refs.projects[cols.fold(project_ref[1])] = project
                        self.summary.projects_created += 1
            found = by_day.get((course.pk, county_pk, start))
            if found is not None:
                sessions[key] = found
                continue
            twin = planned.get((course.pk, county_pk, start))
            if twin is not None:  # another row describes the same session
                sessions[key] = twin
                continue
            planned[(course.pk, county_pk, start)] = key
            if not code:
                code = _session_code(course, start, counties.get(county_pk), used_codes)
            used_codes.add(code)
            to_create[key] = session_services.HistoricalSession(
                code=code,
                course=course,
                project=project,
                county=counties[county_pk],
                start=start,
                end=end,
            )
        created = session_services.historical_sessions_create(sessions=list(to_create.values()))
        self.summary.sessions_created = len(created)
        for key, session in zip(to_create, created, strict=True):
            sessions[key] = session
        for key in keys:
            while isinstance(sessions.get(key), tuple):
                sessions[key] = sessions[sessions[key]]
        session_of = [sessions[p.session_key] for p in people]
        pairs = list(dict.fromkeys((s.pk, p) for s, p in zip(session_of, person_ids, strict=True)))
        existing = set(
            Enrolment.objects.filter(training_session_id__in={s for s, _p in pairs}).values_list(
                "training_session_id", "professional_id"
            )
        )
        references = {
            (session.pk, person_id): person.certificate_serial
            for person, session, person_id in zip(people, session_of, person_ids, strict=True)
            if person.certificate_serial
        }
        enrolments = session_services.enrolment_bulk_import(
            pairs=pairs, acting_user=self.acting_user, reason=self.source, references=references
        )
        self.summary.enrolments = sum(1 for pair in pairs if pair not in existing)
        days_of: dict[int, list[SessionDay]] = defaultdict(list)
        for day in SessionDay.objects.filter(
            training_session_id__in={s.pk for s in session_of}
        ).order_by("starts_at"):
            days_of[day.training_session_id].append(day)
        marks = {}
        for person, session, person_id in zip(people, session_of, person_ids, strict=True):
            enrolment_id = enrolments[(session.pk, person_id)]
            for day, value in _presence_marks(person.presence, days_of[session.pk]).items():
                marks[(enrolment_id, day.pk)] = value
        self.summary.attendance_marks = session_services.attendance_bulk_import(
            marks=marks, acting_user=self.acting_user
        )
        # Registrations that existed before: the serial a row gives is recorded too.
        session_services.enrolment_certificate_references_set(
            references={
                enrolments[pair]: serial for pair, serial in references.items() if pair in existing
            }
        )
        completed = {s.pk: s for s in session_of if s.status == TrainingSession.Status.COMPLETED}
        session_services.completion_compute(training_sessions=list(completed.values()))

    # --- the whole import ----------------------------------------------------------------------

    def run(self, data: bytes, *, dry_run: bool = False) -> Summary:
        """Raises reader.UnreadableFile or FileProblem for a file that cannot be imported."""
        table = read_table(data, is_header=self._is_header)
        self.summary.rows = len(table.rows)
        self.summary.header_row = table.header_row
        self.dry_run = dry_run
        people = self.parse(table)
        if self.summary.errors and not self.skip_invalid and not dry_run:
            self.summary.rejected = sorted(set(self.summary.rejected))
            return self.summary
        try:
            with transaction.atomic():
                self.write(people)
                if dry_run or (self.summary.errors and not self.skip_invalid):
                    raise ImportAborted
                self.summary.written = True
        except (ImportAborted, _InvalidError):
            pass
        self.summary.rejected = sorted(set(self.summary.rejected))
        self.summary.errors.sort(key=lambda e: (e.row, e.column))
        return self.summary


class _InvalidError(Exception):
    pass


class _Key:
    """A new person as a dictionary key (Professional instances without a pk hash alike)."""

    __slots__ = ("record",)

    def __init__(self, record):
        self.record = record

    def __hash__(self):
        return id(self.record)

    def __eq__(self, other):
        return isinstance(other, _Key) and other.record is self.record


def _reasons():
    from training.models import DuplicateCandidate

    return DuplicateCandidate.Reason.choices


def _not_on_record(identifiers, existing: dict, new_people: list) -> list:
    """The (person id, kind, key, value) identifiers that add something: not the record's own
    e-mail, phone or spelling (rows' keys are always kept)."""
    records = {p.pk: p for p in new_people} | existing
    own_names: dict[int, set[str]] = {}
    kept = []
    for identifier in identifiers:
        person_id, kind, key, _value = identifier
        record = records.get(person_id)
        if record is not None:
            if kind == PersonIdentifier.Kind.EMAIL:
                own = {(record.email or "").lower()}
            elif kind == PersonIdentifier.Kind.PHONE:
                own = {record.phone}
            elif kind == PersonIdentifier.Kind.NAME:
                if record.pk not in own_names:
                    own_names[record.pk] = {
                        name_identifier_key(f"{record.last_name} {record.first_name}"),
                        name_identifier_key(f"{record.first_name} {record.last_name}"),
                    }
                own = own_names[record.pk]
            else:
                own = set()
            if key in own:
                continue
        kept.append(identifier)
    return kept


def _fill_in(
    record: Professional, person: PersonRow, email_owner: Callable, *, owner=None
) -> set[str]:
    """Fill the known person's empty fields from the row; what is already there stays. An
    e-mail address is filled in only when the person index gives it to this person (not to
    someone else's record or identifiers)."""
    owner = record.pk if owner is None else owner
    changed = set()
    values = {
        "email": person.identity.email,
        "phone": person.identity.phone,
        "sex": person.sex,
        "birth_date": person.identity.birth_date,
        "institution": person.institution,
        "category": person.category,
    }
    for name, value in values.items():
        if value and not getattr(
            record, name if name not in ("institution", "category") else f"{name}_id"
        ):
            if name == "email" and (
                email_owner(value) != owner
                or (
                    record.pk
                    and Professional.objects.filter(email__iexact=value)
                    .exclude(pk=record.pk)
                    .exists()
                )
            ):
                continue
            setattr(record, name, value)
            changed.add(name)
    if "category" in changed and person.category_detail and not record.category_detail:
        record.category_detail = person.category_detail
        changed.add("category_detail")
    if person.cnp and not record.cnp_hash:
        record.cnp_encrypted = cnp_utils.encrypt_cnp(person.cnp)
        record.cnp_hash = person.identity.cnp_hash
        changed |= {"cnp_encrypted", "cnp_hash"}
    return changed


def _county_of(target, existing: dict):
    record = existing.get(target) if isinstance(target, int) else target.record
    return record.county_id if record is not None else None


def _attendance_value(value, day: SessionDay) -> tuple[str, int | None]:
    """A roster's day cell: P/A (Da/Nu, prezent/absent, 1/0), M (excused), or the hours
    attended ("3,5", "3,5 ore", "1 h"; a bare 1 is "present") or minutes ("45 min")."""
    unit = None
    if isinstance(value, str):
        folded = cols.fold(value)
        found = _WITH_UNIT.fullmatch(value.strip().casefold())
        if found:
            value, unit = found.group(1), found.group(2)
        if folded in {"m", "motivat", "absentmotivat", "scutit"}:
            return A.EXCUSED, None
        if folded in {"p", "da", "prezent", "x"}:
            return A.PRESENT, None
        if folded in {"a", "nu", "absent"}:
            return A.ABSENT, None
    if value is True:
        return A.PRESENT, None
    if value is False:
        return A.ABSENT, None
    try:
        hours = cols.parse_number(value)
    except cols.CellError:
        raise cols.CellError(
            _("“%(value)s” is not attendance: write P or A (Da/Nu, 1/0), M, or the hours.")
            % {"value": cols.text(value)}
        ) from None
    length = day_minutes(day)
    if unit is None and hours == 1 and length > 60:
        return A.PRESENT, None  # 1 / 0 mean present / absent
    if hours == 0:
        return A.ABSENT, None
    minutes = int(hours) if unit in ("min", "minute", "minut") else int(hours * 60)
    if hours < 0 or minutes > length:
        raise cols.CellError(
            _("%(value)s hours: the day lasts %(hours)s hours.")
            % {"value": cols.text(value), "hours": _hours(length)}
        )
    if minutes >= length:
        return A.PRESENT, None
    return A.PARTIAL, max(1, minutes)


_WITH_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(h|ore|oră|ora|min|minute|minut)\.?")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}".replace(".", ",")


def _presence_marks(presence, days: list[SessionDay]) -> dict:
    kind, value = presence
    if kind == "no":
        return {}
    if kind == "yes":
        return dict.fromkeys(days, (A.PRESENT, None))
    marks = {}
    if kind == "days":
        for i, day in enumerate(days):
            marks[day] = (A.PRESENT, None) if i < value else (A.ABSENT, None)
        return marks
    remaining = int(Decimal(value) * 60)
    for day in days:
        length = day_minutes(day)
        if remaining >= length:
            marks[day] = (A.PRESENT, None)
        elif remaining > 0:
            marks[day] = (A.PARTIAL, remaining)
        else:
            marks[day] = (A.ABSENT, None)
        remaining = max(0, remaining - length)
    return marks


def _session_code(course: Course, start, county, used: set[str]) -> str:
    base = f"{course.code[:14]}-{start:%Y%m%d}-{county.code if county else 'RO'}"
    code = base
    suffix = 2
    while code in used:
        code = f"{base}-{suffix}"
        suffix += 1
    return code[:32]


def _create_project(name: str, people: list[PersonRow], acting_user) -> Project:
    """A project named in the file (create missing): its short name is the name when short
    enough, its dates span the file's sessions, its funder "other" until someone says."""
    dates = [p.session_key[3] for p in people if p.session_key and p.session_key[3]]
    ends = [p.session_key[4] for p in people if p.session_key and p.session_key[4]]
    acronym = name if len(name) <= 32 else hashlib.sha256(name.encode()).hexdigest()[:8].upper()
    project = Project(
        acronym=acronym,
        name=name,
        funder=Project.Funder.OTHER,
        starts_on=min(dates) if dates else timezone.localdate(),
        ends_on=max(ends) if ends else timezone.localdate(),
    )
    return training_services.project_save(project=project, acting_user=acting_user)


def _create_course(title: str, delivery, start, end, acting_user) -> Course:
    """A course named in the file (create missing): 8 hours per day of its first session,
    delivered as the row's activity type says."""
    base = "".join(ch for ch in cols.fold(title).upper() if ch.isalnum())[:20] or "CURS"
    code = base
    suffix = 2
    while Course.objects.filter(code=code).exists():
        code = f"{base}-{suffix}"
        suffix += 1
    days = (end - start).days + 1 if start and end else 1
    course = Course(
        code=code,
        title=title[:255],
        hours=Decimal(8 * days),
        delivery_type=delivery or DeliveryType.PROFESSIONAL_TRAINING,
    )
    return training_services.course_save(course=course, acting_user=acting_user)
