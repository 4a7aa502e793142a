"""Deterministic demo data: a realistic picture of ANES's training work, and the benchmark
scale. Running it again changes nothing (every object is looked up by its natural key)."""

import datetime
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from demo import names
from demo.history import build_history
from sessions.models import (
    Attendance,
    Enrolment,
    EnrolmentStatusChange,
    SessionDay,
    SessionQuota,
    TrainingSession,
    Venue,
)
from sessions.services import (
    Mark,
    attendance_mark_many,
    completion_compute,
    enrolment_create,
    enrolment_set_status,
    evidence_upload,
    session_dates_refresh,
    training_session_complete,
    training_session_save,
)
from sessions.signin_sheet import signin_sheet_pdf
from training import services as training_services
from training.models import (
    County,
    Course,
    Curriculum,
    FocalPoint,
    Indicator,
    Institution,
    InstitutionType,
    LocalTeam,
    LocalTeamMembership,
    Professional,
    ProfessionalCategory,
    Project,
    Trainer,
)
from training.roles import (
    CMS_EDITOR,
    COUNTY_COORDINATOR,
    INSTITUTION_FOCAL_POINT,
    ORGANISER,
    role_group,
)
from training.roles import TRAINER as TRAINER_ROLE
from training.text import name_match_key

SEED = 20191001
TODAY_ANCHOR = datetime.time(9, 0)

# Institution types a county's EIL typically brings together, with the categories of the
# professionals they employ.
COUNTY_INSTITUTIONS = [
    (
        "DGASPC",
        "DGASPC {county}",
        [
            "asistent social",
            "psiholog",
            "manager de caz",
            "personal centru / adăpost / locuință protejată",
            "consilier juridic",
        ],
    ),
    (
        "IPJ / DGPMB (Poliția Română)",
        "Inspectoratul de Poliție Județean {county}",
        ["polițist (ofițer / agent)"],
    ),
    (
        "ISJ / ISMB; CJRAE",
        "Inspectoratul Școlar Județean {county}",
        ["cadru didactic / consilier școlar / mediator școlar"],
    ),
    (
        "Direcția de Sănătate Publică (DSP)",
        "Direcția de Sănătate Publică {county}",
        [
            "medic (familie / urgență / legist)",
            "asistent medical / asistent medical comunitar",
            "mediator sanitar",
        ],
    ),
    ("Serviciul de Probațiune", "Serviciul de Probațiune {county}", ["consilier de probațiune"]),
    ("SPAS / DAS (primărie)", "Direcția de Asistență Socială {seat}", ["asistent social"]),
]
COUNTY_SEATS = {
    "AB": "Alba Iulia",
    "AR": "Arad",
    "AG": "Pitești",
    "BC": "Bacău",
    "BH": "Oradea",
    "BN": "Bistrița",
    "BT": "Botoșani",
    "BR": "Brăila",
    "BV": "Brașov",
    "BZ": "Buzău",
    "CL": "Călărași",
    "CS": "Reșița",
    "CJ": "Cluj-Napoca",
    "CT": "Constanța",
    "CV": "Sfântu Gheorghe",
    "DB": "Târgoviște",
    "DJ": "Craiova",
    "GL": "Galați",
    "GR": "Giurgiu",
    "GJ": "Târgu Jiu",
    "HR": "Miercurea Ciuc",
    "HD": "Deva",
    "IL": "Slobozia",
    "IS": "Iași",
    "IF": "Buftea",
    "MM": "Baia Mare",
    "MH": "Drobeta-Turnu Severin",
    "MS": "Târgu Mureș",
    "NT": "Piatra Neamț",
    "OT": "Slatina",
    "PH": "Ploiești",
    "SJ": "Zalău",
    "SM": "Satu Mare",
    "SB": "Sibiu",
    "SV": "Suceava",
    "TR": "Alexandria",
    "TM": "Timișoara",
    "TL": "Tulcea",
    "VL": "Râmnicu Vâlcea",
    "VS": "Vaslui",
    "VN": "Focșani",
    "B": "București",
}

PROJECTS = [
    {
        "acronym": "VENUS",
        "name": "VENUS – Împreună pentru o viață în siguranță!",
        "funder": Project.Funder.ESF,
        "programme": "Programul Operațional Capital Uman (POCU) 2014–2020",
        "contract_number": "465/4/4/128038",
        "smis_code": "128038",
        "starts_on": datetime.date(2019, 9, 1),
        "ends_on": datetime.date(2023, 12, 31),
        "description": "Rețea națională de locuințe protejate și servicii pentru victimele "
        "violenței domestice, cu formarea profesioniștilor din cele 42 de parteneriate "
        "județene (DGASPC).",
        "indicators": [
            ("O1", "Profesioniști formați", Indicator.Kind.OUTPUT, Indicator.Unit.PERSONS, 200),
            (
                "O2",
                "Sesiuni de formare organizate",
                Indicator.Kind.OUTPUT,
                Indicator.Unit.SESSIONS,
                8,
            ),
            (
                "R1",
                "Profesioniști certificați",
                Indicator.Kind.RESULT,
                Indicator.Unit.CERTIFICATES,
                180,
            ),
        ],
    },
    {
        "acronym": "IC-RO",
        "name": "Sprijin pentru implementarea Convenției de la Istanbul în România",
        "funder": Project.Funder.NORWAY_GRANTS,
        "programme": "Granturile Norvegiene 2014–2021, Programul „Justiție”",
        "contract_number": "",
        "smis_code": "",
        "starts_on": datetime.date(2020, 6, 1),
        "ends_on": datetime.date(2024, 4, 30),
        "description": "Formarea membrilor echipelor intersectoriale locale și seminarii cu "
        "experți norvegieni pentru aplicarea Convenției de la Istanbul.",
        "indicators": [
            ("O1", "Membri EIL formați", Indicator.Kind.OUTPUT, Indicator.Unit.EIL_MEMBERS, 150),
            ("O2", "Sesiuni de formare EIL", Indicator.Kind.OUTPUT, Indicator.Unit.SESSIONS, 10),
        ],
    },
]

CURRICULA = [
    {
        "code": "SIS-FSS",
        "title": "Set de instrumente standardizate pentru furnizorii de servicii sociale",
        "project": "VENUS",
        "summary": "Instrumente comune de evaluare, intervenție și monitorizare pentru "
        "serviciile destinate victimelor violenței domestice.",
        "courses": [
            (
                "SIS-01",
                "Evaluarea riscului în cazurile de violență domestică",
                "16",
                "training",
                "completion",
            ),
            (
                "SIS-02",
                "Managementul de caz pentru victimele violenței domestice",
                "24",
                "training",
                "completion",
            ),
            (
                "SIS-03",
                "Lucrul în locuința protejată: standarde și proceduri",
                "16",
                "training",
                "participation",
            ),
        ],
    },
    {
        "code": "EIL",
        "title": "Formarea echipelor intersectoriale locale (EIL)",
        "project": "IC-RO",
        "summary": "Cooperarea interinstituțională în prevenirea și combaterea violenței "
        "domestice, conform Convenției de la Istanbul.",
        "courses": [
            (
                "EIL-01",
                "Intervenția coordonată a echipei intersectoriale locale",
                "24",
                "training",
                "completion",
            ),
            (
                "EIL-02",
                "Ordinul de protecție provizoriu: aplicare practică",
                "8",
                "meeting",
                "participation",
            ),
        ],
    },
    {
        "code": "SEM",
        "title": "Seminarii de informare",
        "project": None,
        "summary": "Seminarii scurte pentru profesioniști și publicul instituțional.",
        "courses": [
            (
                "SEM-01",
                "Seminar de informare: Convenția de la Istanbul",
                "4",
                "seminar",
                "participation",
            ),
            (
                "SEM-02",
                "Seminar cu experți norvegieni: lucrul în adăposturi",
                "6",
                "conference",
                "participation",
            ),
            ("SEM-03", "Supervizarea grupurilor de sprijin", "6", "supervision", "participation"),
        ],
    },
]

# Information seminars and conferences count days, not hours: a participant who was there (on
# time or late) has completed them. Trainings keep the default rule, 80 % of the hours.
COMPLETION_BY_DAYS = {"seminar": 1, "conference": 1}

TRAINERS = [
    ("Adriana Niculescu", "internal"),
    ("Mihaela Dragomir", "internal"),
    ("Cristian Văduva", "internal"),
    ("Elena Sîrbu", "internal"),
    ("Ioana Țăranu", "internal"),
    ("Răzvan Ciocan", "internal"),
    ("Gabriela Muntean", "external"),
    ("Sorin Lăcătuș", "external"),
    ("Ingrid Solberg", "partner"),
    ("Kari Haugen", "partner"),
]


@dataclass
class Report:
    created: dict

    def add(self, key: str, n: int = 1):
        self.created[key] = self.created.get(key, 0) + n


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _slug_email(first: str, last: str, n: int) -> str:
    local = f"{_ascii(first)}.{_ascii(last)}".lower().replace(" ", "").replace("-", "")
    return f"{local}{n}@example.ro"


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _completion_rule(delivery: str) -> dict:
    if delivery in COMPLETION_BY_DAYS:
        return {"completion_basis": "days", "min_days": COMPLETION_BY_DAYS[delivery]}
    return {}


def _demo_mark(draw: float, enrolment: Enrolment, day: SessionDay) -> Mark:
    """A mark from one random draw in [0, 1): mostly present, one in ten late or leaving early
    (the minutes attended, in quarters of an hour, of a 09:00–16:00 day), some absent, a few
    excused."""
    if draw < 0.8:
        return Mark(enrolment.pk, day.pk, "present")
    if draw < 0.9:
        return Mark(enrolment.pk, day.pk, "partial", 60 + 15 * int((draw - 0.8) * 160))
    return Mark(enrolment.pk, day.pk, "absent" if draw < 0.97 else "excused")


def _upload_sheet(day: SessionDay, acting_user) -> None:
    """The day's signed sign-in sheet, scanned and uploaded as evidence (here: the printed
    sheet itself)."""
    local = timezone.localtime(day.starts_at)
    evidence_upload(
        day=day,
        upload=SimpleUploadedFile(
            f"lista-prezenta-{day.training_session.code}-{local:%Y-%m-%d}.pdf",
            signin_sheet_pdf(day=day),
            content_type="application/pdf",
        ),
        acting_user=acting_user,
    )


DEMO_ADMIN_EMAIL = "admin@formativ.example"


def demo_admin(*, password: str):
    """The demo organiser account (superuser), created once."""
    User = get_user_model()
    user = User.objects.filter(username="admin").first()
    if user is None:
        user = User.objects.create_superuser(
            "admin", DEMO_ADMIN_EMAIL, password, first_name="Admin", last_name="Formativ"
        )
    # Everyone signs in with a verified e-mail address, the demo organiser included.
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _person(rng: random.Random, county_code: str) -> tuple[str, str, str]:
    if county_code in names.HUNGARIAN_COUNTIES and rng.random() < 0.45:
        female = rng.random() < 0.8
        first = rng.choice(names.HUNGARIAN_FEMALE if female else names.HUNGARIAN_MALE)
        return first, rng.choice(names.HUNGARIAN_LAST), "F" if female else "M"
    female = rng.random() < 0.8  # the social professions are mostly women
    first = rng.choice(names.FEMALE if female else names.MALE)
    return first, rng.choice(names.LAST), "F" if female else "M"


def build_base(*, acting_user, stdout=None) -> Report:
    """The everyday demo: every county, its institutions and EIL, both projects, curricula,
    a few hundred professionals, past and upcoming sessions with enrolments and attendance."""
    rng = random.Random(SEED)
    report = Report({})
    counties = {c.code: c for c in County.objects.all()}
    types = {t.name: t for t in InstitutionType.objects.all()}
    categories = {c.name: c for c in ProfessionalCategory.objects.all()}

    with transaction.atomic():
        anes = _institution(
            "Agenția Națională pentru Egalitatea de Șanse între Femei și Bărbați",
            types["ANES"],
            counties["B"],
            acting_user,
            report,
        )
        norway = Institution.objects.filter(name="Krisesentersekretariatet").first()
        if norway is None:
            norway = training_services.institution_save(
                institution=Institution(
                    name="Krisesentersekretariatet",
                    institution_type=types["ONG (servicii pentru victime)"],
                    country="NO",
                    ownership="private",
                ),
                acting_user=acting_user,
            )
            report.add("institutions")

        # Institutions and one EIL per county.
        by_county: dict[str, list[tuple[Institution, list[str]]]] = {}
        for code, county in counties.items():
            label = "Municipiului București" if code == "B" else county.name
            for type_name, pattern, cats in COUNTY_INSTITUTIONS:
                name = pattern.format(county=label, seat=COUNTY_SEATS[code])
                if code == "B" and type_name.startswith("IPJ"):
                    name = "Direcția Generală de Poliție a Municipiului București"
                inst = _institution(name, types[type_name], county, acting_user, report)
                by_county.setdefault(code, []).append((inst, cats))
            team_name = f"EIL {label}"
            team = LocalTeam.objects.filter(name=team_name, county=county).first()
            if team is None:
                team = LocalTeam(name=team_name, county=county, coordinator=by_county[code][0][0])
                team.institutions = [i for i, _ in by_county[code]]
                training_services.local_team_save(local_team=team, acting_user=acting_user)
                report.add("local teams")

        projects = {}
        for spec in PROJECTS:
            project = Project.objects.filter(acronym=spec["acronym"]).first()
            if project is None:
                fields = {k: v for k, v in spec.items() if k != "indicators"}
                project = Project(**fields, lead=anes)
                project.partners = (
                    [i for i, _ in (by_county[c][0] for c in counties)]
                    if spec["acronym"] == "VENUS"
                    else [norway]
                )
                training_services.project_save(project=project, acting_user=acting_user)
                for code, name, kind, unit, target in spec["indicators"]:
                    training_services.indicator_save(
                        indicator=Indicator(
                            project=project,
                            code=code,
                            name=name,
                            kind=kind,
                            unit=unit,
                            target=target,
                        ),
                        acting_user=acting_user,
                    )
                report.add("projects")
            projects[spec["acronym"]] = project

        courses = []
        for spec in CURRICULA:
            curriculum = Curriculum.objects.filter(code=spec["code"], version="1.0").first()
            if curriculum is None:
                curriculum = Curriculum(
                    code=spec["code"],
                    title=spec["title"],
                    summary=spec["summary"],
                    project=projects.get(spec["project"]),
                )
                curriculum.target_categories = list(categories.values())[:8]
                training_services.curriculum_save(curriculum=curriculum, acting_user=acting_user)
                report.add("curricula")
            for code, title, hours, delivery, certificate in spec["courses"]:
                course = Course.objects.filter(code=code).first()
                if course is None:
                    course = training_services.course_save(
                        course=Course(
                            curriculum=curriculum,
                            code=code,
                            title=title,
                            hours=Decimal(hours),
                            delivery_type=delivery,
                            certificate_type=certificate,
                            **_completion_rule(delivery),
                            learning_outcomes="Identifică semnele violenței "
                            "domestice.\nCooperează cu celelalte instituții "
                            "din echipa intersectorială.",
                        ),
                        acting_user=acting_user,
                    )
                    report.add("courses")
                courses.append((course, spec["project"]))

        trainers = []
        for full_name, kind in TRAINERS:
            trainer = Trainer.objects.filter(full_name=full_name).first()
            if trainer is None:
                trainer = training_services.trainer_save(
                    trainer=Trainer(
                        full_name=full_name,
                        kind=kind,
                        email=_slug_email(*full_name.split(" ", 1), 0),
                        organisation=norway if kind == "partner" else anes,
                    ),
                    acting_user=acting_user,
                )
                report.add("trainers")
            trainers.append(trainer)

        # Professionals: ~7 per county, in the county's institutions.
        people_by_county: dict[str, list[Professional]] = {}
        n = 0
        # Birth dates from their own generator, so that the other values stay as they were.
        ages = random.Random(SEED + 3)
        for code in sorted(counties):
            for _ in range(7):
                n += 1
                # Draw every random value first, so that a second run draws the same ones.
                first, last, sex = _person(rng, code)
                institution, cats = rng.choice(by_county[code])
                category = categories[rng.choice(cats)]
                position = rng.choice(
                    ["Specialist", "Șef serviciu", "Expert", "Inspector", "Consilier"]
                )
                birth_date = _birth_date(ages)
                email = _slug_email(first, last, n)
                person = Professional.objects.filter(email=email).first()
                if person is None:
                    person = training_services.professional_create(
                        acting_user=acting_user,
                        first_name=first,
                        last_name=last,
                        email=email,
                        sex=sex,
                        birth_date=birth_date,
                        county=counties[code],
                        institution=institution,
                        category=category,
                        position=position,
                    )
                    report.add("professionals")
                people_by_county.setdefault(code, []).append(person)

        # EIL members: the first three people of each county.
        for code, people in people_by_county.items():
            team = LocalTeam.objects.get(county=counties[code], name__startswith="EIL ")
            for i, person in enumerate(people[:3]):
                exists = LocalTeamMembership.objects.filter(team=team, professional=person)
                if not exists.exists():
                    training_services.local_team_membership_save(
                        membership=LocalTeamMembership(
                            team=team,
                            professional=person,
                            role="coordinator" if i == 0 else "member",
                            since=datetime.date(2020, 1, 15),
                        ),
                        acting_user=acting_user,
                    )
                    report.add("team members")

        # Sessions: 24 past, 12 upcoming, spread over counties.
        today = timezone.localdate()
        county_codes = sorted(counties)
        for i in range(36):
            code = f"DEMO-{i + 1:03d}"
            course, project_key = courses[i % len(courses)]
            county = counties[county_codes[(i * 5) % len(county_codes)]]
            past = i < 24
            start = today + datetime.timedelta(days=(-400 + i * 15) if past else (7 + (i - 24) * 9))
            day_count = (
                1
                if course.delivery_type in ("seminar", "conference", "supervision", "meeting")
                else 3
            )
            # Enrolments: people of the county and its neighbour (drawn before the existence
            # check, so that every run draws the same numbers).
            pool = (
                people_by_county[county.code]
                + people_by_county[
                    county_codes[(county_codes.index(county.code) + 1) % len(county_codes)]
                ]
            )
            chosen = rng.sample(pool, k=min(len(pool), rng.randint(8, 14)))
            attendance_draws = iter([rng.random() for _ in range(len(chosen) * day_count)])
            if TrainingSession.objects.filter(code=code).exists():
                continue
            venue = _venue(county, acting_user, report)
            online = course.delivery_type == "seminar" and i % 2 == 0
            session = TrainingSession(
                code=code,
                course=course,
                county=county,
                project=projects.get(project_key) if project_key else None,
                delivery_mode="online" if online else "in_person",
                venue=None if online else venue,
                online_url="https://meet.example.ro/formativ-" + code.lower() if online else "",
                capacity=25,
                status="published",
                approval_mode="automatic" if i % 3 else "manual",
                registration_closes_at=_aware(start - datetime.timedelta(days=2), 17),
                description="Sesiune demonstrativă.",
            )
            session.days = [
                SessionDay(
                    starts_at=_aware(start + datetime.timedelta(days=d), 9),
                    ends_at=_aware(start + datetime.timedelta(days=d), 16),
                )
                for d in range(day_count)
            ]
            session.trainers = [trainers[i % len(trainers)], trainers[(i + 3) % len(trainers)]]
            training_session_save(training_session=session, acting_user=acting_user)
            report.add("sessions")
            days = list(session.days.order_by("starts_at"))
            marks = []
            for person in chosen:
                enrolment = enrolment_create(
                    training_session=session,
                    professional=person,
                    source="staff",
                    acting_user=acting_user,
                )
                report.add("enrolments")
                if past:
                    marks += [_demo_mark(next(attendance_draws), enrolment, d) for d in days]
            if past:
                # Typed in from the signed sheets, which the latest sessions also keep as
                # evidence (DEMO-020 without its last day's: the reconciliation flags it).
                attendance_mark_many(
                    training_session=session, marks=marks, acting_user=acting_user, method="sheet"
                )
                report.add("attendance marks", len(marks))
                if i in (18, 19, 21):
                    for day in days[:-1] if i == 19 else days:
                        _upload_sheet(day, acting_user)
                        report.add("scanned sign-in sheets")
                # Completed: each participant's result (completed or not, hours attended).
                training_session_complete(training_session=session, acting_user=acting_user)

        _build_certificates(acting_user=acting_user, report=report)

        # Evaluation (issue 11): questionnaires, and the completed sessions' answers. After the
        # certificates: the demo courses set no post-test condition on them.
        from demo.evaluation import build_evaluation

        build_evaluation(acting_user=acting_user, report=report)

        _build_attendance(
            people_by_county=people_by_county,
            counties=counties,
            course=next(c for c, _ in courses if c.code == "EIL-01"),
            project=projects["IC-RO"],
            trainers=trainers,
            acting_user=acting_user,
            report=report,
        )

        _build_registration(
            people_by_county=people_by_county,
            counties=counties,
            courses=[c for c, _ in courses],
            projects=projects,
            trainers=trainers,
            report=report,
        )

    build_history(acting_user=acting_user, report=report)
    return report


# --- certificates: issued for every completed demo session --------------------------------


def _build_certificates(*, acting_user, report) -> None:
    """Issue the completed sessions' certificates (sealed with the development keys the first
    run generates) and, with an organiser at hand, revoke one to show how that looks."""
    from certificates.models import Certificate
    from certificates.services import certificate_issue_all, certificate_revoke

    completed = TrainingSession.objects.filter(
        code__startswith="DEMO-", status=TrainingSession.Status.COMPLETED
    ).order_by("code")
    for session in completed:
        issued = certificate_issue_all(training_session=session, acting_user=None)
        if issued:
            report.add("certificates", issued)
    revoked = Certificate.objects.filter(status=Certificate.Status.REVOKED).exists()
    last = Certificate.objects.order_by("-serial").first()
    if acting_user is not None and last is not None and not revoked:
        certificate_revoke(
            certificate=last,
            reason="Exemplu: certificat emis din eroare (participantul nu a fost prezent).",
            acting_user=acting_user,
        )


def demo_participant(*, password: str):
    """A participant who holds a certificate, with a known password (development only), to
    see "My trainings", the downloads and the verification page, and a coming training whose
    pre-test waits for them."""
    from certificates.models import Certificate

    certificate = (
        Certificate.objects.filter(status=Certificate.Status.VALID)
        .select_related("enrolment__professional__user")
        .order_by("serial")
        .first()
    )
    if certificate is None:
        return None
    person = certificate.enrolment.professional
    user = person.user
    if user is None:
        User = get_user_model()
        user = User.objects.filter(username="participant.demo").first() or User(
            username="participant.demo", email=person.email
        )
        user.first_name, user.last_name = person.first_name, person.last_name
        user.set_password(password)
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        person.user = user
        training_services.professional_save(professional=person, acting_user=None)
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    # A coming training whose pre-test waits for them in "my trainings".
    from demo.evaluation import participant_pre_test

    participant_pre_test(professional=person)
    return user


# --- attendance (issue 6): a session running today ------------------------------------------


def _build_attendance(
    *, people_by_county, counties, course, project, trainers, acting_user, report
):
    """DEMO-PREZ: a three-day session running now (yesterday, today, tomorrow, as of the first
    seeding), to try attendance on: yesterday marked from the signed sheet (some late, one
    absent, one excused) with the scanned sheet uploaded; today ready for QR and self check-in
    and for marking; tomorrow still to come."""
    if TrainingSession.objects.filter(code="DEMO-PREZ").exists():
        return
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    session = TrainingSession(
        code="DEMO-PREZ",
        course=course,
        county=counties["CJ"],
        project=project,
        delivery_mode="in_person",
        venue=_venue(counties["CJ"], acting_user, report),
        capacity=20,
        status="published",
        registration_closes_at=_aware(yesterday - datetime.timedelta(days=3), 17),
        description="Sesiune demonstrativă pentru prezență: ieri, azi și mâine.",
    )
    session.days = [
        SessionDay(
            starts_at=_aware(yesterday + datetime.timedelta(days=d), 9),
            ends_at=_aware(yesterday + datetime.timedelta(days=d), 16),
        )
        for d in range(3)
    ]
    session.trainers = trainers[2:4]
    training_session_save(training_session=session, acting_user=acting_user)
    report.add("sessions")
    people = people_by_county["CJ"] + people_by_county["AB"] + people_by_county["BH"][:2]
    enrolments = [
        enrolment_create(
            training_session=session, professional=person, source="staff", acting_user=acting_user
        )
        for person in people
    ]
    report.add("enrolments", len(enrolments))
    first_day = session.days.order_by("starts_at").first()
    # Yesterday's sheet: who signed in late or left early, who was absent, who excused.
    minutes = {2: 300, 5: 180, 9: 375}
    marks = [
        Mark(e.pk, first_day.pk, "partial", minutes[n])
        if n in minutes
        else Mark(e.pk, first_day.pk, "absent" if n == 7 else "excused" if n == 12 else "present")
        for n, e in enumerate(enrolments)
    ]
    attendance_mark_many(
        training_session=session, marks=marks, acting_user=acting_user, method="sheet"
    )
    report.add("attendance marks", len(marks))
    _upload_sheet(first_day, acting_user)
    report.add("scanned sign-in sheets")


# --- registration (issue 4): approvals, nominations, waiting lists, offers ------------------

DEMO_FOCAL_POINT_EMAIL = "punct.focal.cluj@formativ.example"


def _focal_point_user(counties, report):
    """A focal point who nominates the people of Cluj county (the DGASPC's coordinator). Its
    password is set only by `demo_focal_point` (development settings)."""
    User = get_user_model()
    user = User.objects.filter(username="punct.focal.cluj").first()
    if user is None:
        user = User(
            username="punct.focal.cluj",
            email=DEMO_FOCAL_POINT_EMAIL,
            first_name="Daniela",
            last_name="Pop",
        )
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        training_services.model_save(
            instance=FocalPoint(user=user, county=counties["CJ"]), acting_user=None
        )
        report.add("nomination rights")
        # The county coordinator's role: Cluj's people, sessions and certificates.
        user.groups.add(role_group(COUNTY_COORDINATOR))
        # The county's coordinator also reads the county's reports in the admin: the reports
        # show her the people of Cluj only.
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label__in=["wagtailadmin", "reports"],
                codename__in=["access_admin", "view_reports"],
            )
        )
    return user


def demo_focal_point(*, password: str):
    """Give the demo focal point a known password (development only, like the admin's)."""
    user = get_user_model().objects.filter(username="punct.focal.cluj").first()
    if user is not None:
        # Seeded before the roles existed: the county coordinator's group.
        user.groups.add(role_group(COUNTY_COORDINATOR))
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
    return user


def _role_user(username: str, email: str, first: str, last: str, role, password: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=email, first_name=first, last_name=last)
        user.set_password(password)
        user.save()
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    user.groups.add(role_group(role))
    return user


def demo_role_users(*, password: str) -> list[tuple[str, object]]:
    """One demo account per staff role (development only, known password), each with where
    its role applies: an ANES organiser of the first project, a focal point of a Cluj
    institution, the account of the trainer with the most sessions, and a CMS editor.
    Idempotent. Returns (description, user) pairs for the command to print."""
    users = []
    project = Project.objects.order_by("pk").first()
    organiser = _role_user(
        "organizator", "organizator@formativ.example", "Ioana", "Marinescu", ORGANISER, password
    )
    if project is not None and not project.organisers.filter(pk=organiser.pk).exists():
        project.organisers.add(organiser)
        project.save()  # a ParentalManyToManyField: written on save
    users.append((f"ANES organiser of {project.acronym if project else '-'}", organiser))

    institution = (
        Institution.objects.filter(county__code="CJ", professionals__isnull=False)
        .order_by("pk")
        .first()
    )
    focal = _role_user(
        "punct.focal.institutie",
        "punct.focal.institutie@formativ.example",
        "Mihai",
        "Rusu",
        INSTITUTION_FOCAL_POINT,
        password,
    )
    if (
        institution is not None
        and not FocalPoint.objects.filter(user=focal, institution=institution).exists()
    ):
        training_services.model_save(
            instance=FocalPoint(user=focal, institution=institution), acting_user=None
        )
    users.append((f"institution focal point of {institution}", focal))

    trainer_user = _role_user(
        "formator", "formator@formativ.example", "Elena", "Stan", TRAINER_ROLE, password
    )
    trainer = Trainer.objects.filter(user=trainer_user).first()
    if trainer is None:
        trainer = (
            Trainer.objects.filter(user__isnull=True)
            .annotate(n=Count("sessions"))
            .order_by("-n", "pk")
            .first()
        )
        if trainer is not None:
            trainer.user = trainer_user
            training_services.trainer_save(trainer=trainer, acting_user=None)
    users.append((f"trainer ({trainer})", trainer_user))

    editor = _role_user(
        "editor", "editor@formativ.example", "Andrei", "Ionescu", CMS_EDITOR, password
    )
    users.append(("CMS editor", editor))
    return users


def _self_registrant(person, report):
    """A demo professional with an account of their own, so that they register themselves."""
    if person.user_id:
        return person.user
    User = get_user_model()
    user = User(username=person.email, email=person.email, first_name=person.first_name)
    user.last_name = person.last_name
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    person.user = user
    training_services.professional_save(professional=person, acting_user=None)
    report.add("accounts")
    return user


def _registration_session(
    code, *, course, county, project, trainers, start, days, report, **fields
):
    venue = _venue(county, None, report)
    session = TrainingSession(
        code=code,
        course=course,
        county=county,
        project=project,
        delivery_mode="in_person",
        venue=venue,
        status="published",
        registration_closes_at=_aware(start - datetime.timedelta(days=2), 17),
        description="Sesiune demonstrativă pentru înscrieri.",
        **fields,
    )
    session.days = [
        SessionDay(
            starts_at=_aware(start + datetime.timedelta(days=d), 9),
            ends_at=_aware(start + datetime.timedelta(days=d), 16),
        )
        for d in range(days)
    ]
    session.trainers = trainers
    return training_session_save(training_session=session, acting_user=None).training_session


def _build_registration(*, people_by_county, counties, courses, projects, trainers, report):
    """Four upcoming sessions showing registration at work, built through the services by the
    system itself (acting_user None) or by the people and focal point concerned:

    - DEMO-REG-APR: approval by the organisers, with requests awaiting a decision;
    - DEMO-REG-NOM: places by nomination, with quotas per county and nominations from Cluj;
    - DEMO-REG-FULL: full, with a waiting list in order;
    - DEMO-REG-OFR: freed seats are offered for 48 hours; one offer is running."""
    today = timezone.localdate()
    focal_user = _focal_point_user(counties, report)
    course = next(c for c in courses if c.code == "SIS-02")
    eil_course = next(c for c in courses if c.code == "EIL-01")

    if not TrainingSession.objects.filter(code="DEMO-REG-APR").exists():
        session = _registration_session(
            "DEMO-REG-APR",
            course=course,
            county=counties["IS"],
            project=projects["VENUS"],
            trainers=trainers[:2],
            start=today + datetime.timedelta(days=21),
            days=3,
            report=report,
            capacity=20,
            approval_mode="manual",
        )
        report.add("sessions")
        for person in people_by_county["IS"][:4] + people_by_county["VS"][:1]:
            user = _self_registrant(person, report)
            enrolment_create(
                training_session=session, professional=person, acting_user=user, source="self"
            )
            report.add("enrolments")

    if not TrainingSession.objects.filter(code="DEMO-REG-NOM").exists():
        session = _registration_session(
            "DEMO-REG-NOM",
            course=eil_course,
            county=counties["CJ"],
            project=projects["IC-RO"],
            trainers=trainers[2:4],
            start=today + datetime.timedelta(days=28),
            days=2,
            report=report,
            capacity=12,
            approval_mode="nomination",
        )
        session.quotas = [
            SessionQuota(county=counties[code], seats=seats)
            for code, seats in (("CJ", 5), ("AB", 4), ("BH", 3))
        ]
        training_session_save(training_session=session, acting_user=None)
        report.add("sessions")
        for person in people_by_county["CJ"][:3]:
            enrolment_create(
                training_session=session,
                professional=person,
                acting_user=focal_user,
                source="nomination",
                nominated_by=person.institution,
            )
            report.add("enrolments")

    if not TrainingSession.objects.filter(code="DEMO-REG-FULL").exists():
        session = _registration_session(
            "DEMO-REG-FULL",
            course=course,
            county=counties["TM"],
            project=projects["VENUS"],
            trainers=trainers[4:6],
            start=today + datetime.timedelta(days=14),
            days=3,
            report=report,
            capacity=6,
        )
        report.add("sessions")
        for person in people_by_county["TM"] + people_by_county["AR"][:2]:  # 9 for 6 seats
            enrolment_create(training_session=session, professional=person, acting_user=None)
            report.add("enrolments")

    if not TrainingSession.objects.filter(code="DEMO-REG-OFR").exists():
        session = _registration_session(
            "DEMO-REG-OFR",
            course=course,
            county=counties["B"],
            project=projects["VENUS"],
            trainers=trainers[:1],
            start=today + datetime.timedelta(days=10),
            days=3,
            report=report,
            capacity=5,
            offer_hours=48,
        )
        report.add("sessions")
        enrolments = [
            enrolment_create(training_session=session, professional=person, acting_user=None)
            for person in people_by_county["B"]  # 7 for 5 seats
        ]
        report.add("enrolments", len(enrolments))
        # One participant drops out: the first person waiting is offered the seat for 48 hours.
        enrolment_set_status(
            enrolment=enrolments[0],
            status="cancelled",
            acting_user=None,
            reason="Nu mai poate participa.",
        )


def _institution(name, institution_type, county, acting_user, report) -> Institution:
    existing = Institution.objects.filter(name=name, county=county).first()
    if existing:
        return existing
    report.add("institutions")
    return training_services.institution_save(
        institution=Institution(name=name, institution_type=institution_type, county=county),
        acting_user=acting_user,
    )


def _venue(county, acting_user, report) -> Venue:
    city = COUNTY_SEATS[county.code]
    venue = Venue.objects.filter(name=f"Sala de formare DGASPC {city}", city=city).first()
    if venue is None:
        venue = training_services.model_save(
            instance=Venue(
                name=f"Sala de formare DGASPC {city}",
                city=city,
                county=county,
                capacity=40,
                address="Str. Principală nr. 1",
            ),
            acting_user=acting_user,
        )
        report.add("venues")
    return venue


# --- benchmark scale ----------------------------------------------------------------------

LARGE = {"professionals": 17_000, "sessions": 2_000, "enrolments": 60_000, "attendance": 200_000}


def _birth_date(rng: random.Random) -> datetime.date | None:
    """Most professionals aged 23 to 64 in 2025; one in ten without a birth date, as lists
    have."""
    if rng.random() < 0.1:
        return None
    return datetime.date(2025, 1, 1) - datetime.timedelta(days=rng.randint(23 * 365, 64 * 365))


def build_large(*, stdout=None) -> Report:
    """The benchmark scale: 17,000 professionals, 2,000 sessions, 60,000 enrolments and
    200,000 attendance marks, with the completed sessions' completion results.

    At this scale rows are bulk-inserted rather than written one by one through the services
    (which would take an hour and fill the audit log with fixture noise). The rows are built
    so that every invariant the services enforce holds: unique e-mails, one enrolment per
    person and session, no more seat-holding enrolments than seats, attendance only for
    confirmed participants on their own session's past days, partial marks with their
    minutes. The completion results are then worked out by the service itself."""
    rng = random.Random(SEED + 1)
    report = Report({})
    if TrainingSession.objects.filter(code__startswith="BENCH-").exists():
        return report
    counties = list(County.objects.order_by("code"))
    categories = list(ProfessionalCategory.objects.filter(requires_detail=False))
    course_ids = list(Course.objects.values_list("pk", flat=True))
    project_ids = list(Project.objects.values_list("pk", flat=True)) + [None]
    venues = {v.county_id: v for v in Venue.objects.all()}
    institutions: dict[int, list[int]] = {}
    for pk, county_id in Institution.objects.filter(county__isnull=False).values_list(
        "pk", "county_id"
    ):
        institutions.setdefault(county_id, []).append(pk)
    now = timezone.now()

    # Birth dates from their own generator, so that the rest of the data stays as it was.
    ages = random.Random(SEED + 2)
    with transaction.atomic():
        people = []
        for n in range(LARGE["professionals"]):
            county = counties[n % len(counties)]
            first, last, sex = _person(rng, county.code)
            people.append(
                Professional(
                    first_name=first,
                    last_name=last,
                    sex=sex,
                    match_key=name_match_key(first, last),
                    email=f"bench{n:05d}@example.ro",
                    county=county,
                    institution_id=rng.choice(institutions.get(county.pk, [None])),
                    category=rng.choice(categories),
                    birth_date=_birth_date(ages),
                )
            )
        Professional.objects.bulk_create(people, batch_size=2000)
        report.add("professionals", len(people))
        person_ids = list(
            Professional.objects.filter(email__startswith="bench").values_list("pk", "county_id")
        )
        by_county: dict[int, list[int]] = {}
        for pk, county_id in person_ids:
            by_county.setdefault(county_id, []).append(pk)

        for county in counties:
            if county.pk not in venues:
                venues[county.pk] = Venue.objects.create(
                    name=f"Sala de formare DGASPC {COUNTY_SEATS[county.code]}",
                    city=COUNTY_SEATS[county.code],
                    county=county,
                    capacity=40,
                )

        # 1,700 past sessions of 4 days (50,000 enrolments × 4 marks = 200,000) and 300
        # upcoming ones (10,000 enrolments).
        past_count, per_past, per_future = 1_700, 50_000, 10_000
        sessions, days = [], []
        today = timezone.localdate()
        for i in range(LARGE["sessions"]):
            county = counties[i % len(counties)]
            past = i < past_count
            sessions.append(
                TrainingSession(
                    code=f"BENCH-{i + 1:05d}",
                    course_id=course_ids[i % len(course_ids)],
                    project_id=project_ids[i % len(project_ids)],
                    county=county,
                    venue=venues[county.pk],
                    capacity=40,
                    status="completed" if past else "published",
                )
            )
        TrainingSession.objects.bulk_create(sessions, batch_size=1000)
        report.add("sessions", len(sessions))
        saved = list(
            TrainingSession.objects.filter(code__startswith="BENCH-")
            .order_by("code")
            .values_list("pk", "county_id")
        )
        for i, (pk, _) in enumerate(saved):
            # Past sessions: four days, starting 30 or more days ago; upcoming ones: two days.
            past = i < past_count
            start = today + datetime.timedelta(days=-30 - (i % 1500) if past else 5 + (i % 200))
            for d in range(4 if past else 2):
                day = start + datetime.timedelta(days=d)
                days.append(
                    SessionDay(
                        training_session_id=pk, starts_at=_aware(day, 9), ends_at=_aware(day, 16)
                    )
                )
        SessionDay.objects.bulk_create(days, batch_size=5000)
        session_dates_refresh(session_ids=[pk for pk, _ in saved])

        enrolments = []
        quotas = [
            per_past // past_count + (1 if i < per_past % past_count else 0)
            for i in range(past_count)
        ]
        future_n = LARGE["sessions"] - past_count
        quotas += [
            per_future // future_n + (1 if i < per_future % future_n else 0)
            for i in range(future_n)
        ]
        for (pk, county_id), quota in zip(saved, quotas, strict=True):
            pool = by_county[county_id]
            for person_id in rng.sample(pool, k=min(quota, len(pool))):
                enrolments.append(
                    Enrolment(
                        training_session_id=pk,
                        professional_id=person_id,
                        status="confirmed",
                        source="import",
                    )
                )
        Enrolment.objects.bulk_create(enrolments, batch_size=5000)
        report.add("enrolments", len(enrolments))

        enrolment_rows = Enrolment.objects.filter(
            training_session__code__startswith="BENCH-", training_session__status="completed"
        ).values_list("pk", "training_session_id")
        days_by_session: dict[int, list[int]] = {}
        for pk, session_id in SessionDay.objects.filter(
            training_session__code__startswith="BENCH-", starts_at__lt=now
        ).values_list("pk", "training_session_id"):
            days_by_session.setdefault(session_id, []).append(pk)
        marks = []
        for enrolment_id, session_id in enrolment_rows.iterator(chunk_size=5000):
            for day_id in days_by_session.get(session_id, []):
                # Mostly present, some late or leaving early (60–360 of the day's 420
                # minutes), the rest absent: one draw each.
                draw = rng.random()
                status = "present" if draw < 0.88 else "partial" if draw < 0.93 else "absent"
                marks.append(
                    Attendance(
                        enrolment_id=enrolment_id,
                        day_id=day_id,
                        status=status,
                        minutes=60 + int((draw - 0.88) * 6000) if status == "partial" else None,
                        method="import",
                    )
                )
        Attendance.objects.bulk_create(marks, batch_size=10_000)
        report.add("attendance marks", len(marks))
        # The completed sessions' results, as completing them through the service would store.
        completion_compute(
            training_sessions=TrainingSession.objects.filter(
                code__startswith="BENCH-", status="completed"
            )
            .select_related("course")
            .prefetch_related("days")
        )
        history = [
            EnrolmentStatusChange(enrolment_id=pk, to_status="confirmed")
            for pk in Enrolment.objects.filter(
                training_session__code__startswith="BENCH-"
            ).values_list("pk", flat=True)
        ]
        EnrolmentStatusChange.objects.bulk_create(history, batch_size=10_000)
    return report
