"""A generated historical-participations list for the import benchmark (issue 8), and the
registry it refers to.

`registry_create()` adds what the list needs to exist: ~300 institutions over 40 counties,
four courses and two projects (the reference data must be loaded first).
`participations(...)` builds the list: 17,000 rows (person × session) for 12,000 distinct
persons in 680 sessions of 25 rows, with the duplicates real lists have — the same person in
up to four sessions, spelled differently (upper / lower case, cedilla ş ţ, no diacritics,
Cîmpeanu for Câmpeanu, first and last name swapped, extra spaces), e-mail addresses in another
case, some with a second address, a CNP for some, a birth date (an Excel date or dd.mm.yyyy)
for others, the person's county left out on some rows (the institution says it), phones in
several formats. Every repeated appearance carries something the matching rules recognise
(CNP, e-mail, name + birth date, or the very same identity columns), except a second e-mail
address on a person with neither CNP nor birth date: no rule can tell that it is the same
person, so it is a new person (and a probable duplicate: same name, same institution).
`Generated.expected_persons` counts them.

Written with openpyxl's write-only mode (a few seconds for 17,000 rows)."""

import datetime
import io
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook

from training.models import County, Course, Institution, InstitutionType, Project
from training.text import name_match_key

SEED = 8
COUNTIES = 40
SESSION_SIZE = 25
# appearances -> persons: 8,100 once, 3,000 twice, 700 three times, 200 four times
# = 12,000 persons, 17,000 rows, 680 sessions (every group a whole number of sessions).
APPEARANCES = {1: 8100, 2: 3000, 3: 700, 4: 200}

FIRST_NAMES = [
    "Ana",
    "Ioana",
    "Maria",
    "Elena",
    "Andreea",
    "Cristina",
    "Mihaela",
    "Gabriela",
    "Alexandra",
    "Daniela",
    "Simona",
    "Raluca",
    "Oana",
    "Roxana",
    "Irina",
    "Ștefania",
    "Bianca",
    "Camelia",
    "Luminița",
    "Florentina",
    "Cătălina",
    "Mirela",
    "Corina",
    "Violeta",
    "Larisa",
    "Adina",
    "Lăcrămioara",
    "Ramona",
    "Nicoleta",
    "Georgiana",
    "Ileana",
    "Doina",
    "Rodica",
    "Silvia",
    "Anca",
    "Delia",
    "Mihai",
    "Andrei",
    "Alexandru",
    "Ion",
    "Gheorghe",
    "Vasile",
    "Constantin",
    "Nicolae",
    "Ștefan",
    "Dumitru",
    "Florin",
    "Marius",
    "Bogdan",
    "Cristian",
    "Adrian",
    "Ciprian",
    "Răzvan",
    "Sorin",
    "Dorin",
    "Liviu",
    "Cosmin",
    "Tudor",
    "Petru",
    "Lucian",
    "Ionuț",
    "Cătălin",
    "Viorel",
    "Costel",
    "Traian",
    "Horia",
    "Radu",
    "Emil",
    "Aurel",
    "Iulian",
    "Ovidiu",
    "Valentin",
    "Sebastian",
    "Laurențiu",
    "Dănuț",
    "Marian",
    "Nelu",
    "Ilie",
    "Octavian",
    "Claudiu",
    "Eugen",
    "Mircea",
]
COMPOUND_FIRST = (
    "Ana-Maria",
    "Maria Cristina",
    "Elena Luminița",
    "Ioana Alexandra",
    "Mihaela Simona",
    "Andrei Ștefan",
    "Ion Cătălin",
    "Florin Răzvan",
    "Gabriela Doina",
    "Raluca Ileana",
)
LAST_ROOTS = [
    "Ștef",
    "Câmp",
    "Mureș",
    "Brâncov",
    "Dumitraș",
    "Băl",
    "Vlăd",
    "Pop",
    "Ion",
    "Georg",
    "Rad",
    "Constantin",
    "Nicol",
    "Marin",
    "Tudor",
    "Dobr",
    "Stoic",
    "Moldov",
    "Ungur",
    "Munten",
    "Olt",
    "Cârstoi",
    "Țăr",
    "Sârb",
    "Bârl",
    "Grigor",
    "Lupș",
    "Vrânc",
    "Mănăil",
    "Pătraș",
    "Ciobăn",
    "Cazac",
    "Toma",
    "Barb",
    "Stănc",
    "Drăgul",
    "Zamfir",
    "Chiriț",
    "Preduț",
    "Năstas",
]
LAST_SUFFIXES = ("escu", "eanu", "anu", "ache", "oiu")
DOMAINS = ("yahoo.com", "gmail.com", "dgaspc.ro", "politia.ro", "isj.ro", "anes.gov.ro")

INSTITUTIONS = (  # (type as the reference data names it, name pattern)
    ("DGASPC", "DGASPC {county}"),
    ("SPAS / DAS (primărie)", "Direcția de Asistență Socială {county}"),
    ("IPJ / DGPMB (Poliția Română)", "Inspectoratul de Poliție Județean {county}"),
    ("IJJ (Jandarmeria)", "Inspectoratul de Jandarmi Județean {county}"),
    ("Poliția Locală", "Poliția Locală {county}"),
    ("ISJ / ISMB; CJRAE", "Centrul Județean de Resurse și Asistență Educațională {county}"),
    ("Spital / UPU / medic de familie", "Spitalul Județean de Urgență {county}"),
    ("Serviciul de Probațiune", "Serviciul de Probațiune {county}"),
)
CATEGORIES = (
    "asistent social",
    "psiholog",
    "consilier juridic",
    "manager de caz",
    "polițist (ofițer / agent)",
    "jandarm",
    "polițist local",
    "medic (familie / urgență / legist)",
    "asistent medical / asistent medical comunitar",
    "cadru didactic / consilier școlar / mediator școlar",
    "consilier de probațiune",
)
COURSES = (  # code, title, hours, delivery type, activity type as lists write it
    (
        "VD-101",
        "Prevenirea și combaterea violenței domestice",
        16,
        "training",
        "sesiune de formare",
    ),
    ("VD-102", "Intervenția integrată în cazurile de violență", 24, "training", "formare"),
    ("VS-201", "Violența sexuală: sprijinul victimelor", 16, "training", "sesiune de formare"),
    ("INF-01", "Convenția de la Istanbul: informare", 8, "information", "seminar de informare"),
)
PROJECTS = (
    ("ICONV", "Implementarea Convenției de la Istanbul în România", "norway"),
    ("VENUS", "VENUS – Împreună pentru o viață în siguranță", "esf"),
)

HEADERS = (
    "Nume",
    "Prenume",
    "CNP",
    "Data nașterii",
    "Sex",
    "Email",
    "Telefon",
    "Județ",
    "Instituția",
    "Tip instituție",
    "Categoria profesională",
    "Membru EIL",
    "Proiect",
    "Curs",
    "Cod sesiune",
    "Data început",
    "Data sfârșit",
    "Județ sesiune",
    "Tip activitate",
    "Prezent",
    "Zile prezent",
    "Serie certificat",
)

_CNP_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)
_CEDILLA = str.maketrans({"Ș": "Ş", "ș": "ş", "Ț": "Ţ", "ț": "ţ"})


def ascii_text(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def cnp_for(sex: str, born: datetime.date, county_code: str, serial: int) -> str:
    digit = ("1" if sex == "M" else "2") if born.year < 2000 else ("5" if sex == "M" else "6")
    first12 = f"{digit}{born:%y%m%d}{county_code}{serial:03d}"
    remainder = sum(w * int(d) for w, d in zip(_CNP_WEIGHTS, first12, strict=True)) % 11
    return first12 + ("1" if remainder == 10 else str(remainder))


@dataclass
class Registry:
    counties: list  # County
    institutions: dict  # county pk -> [Institution]
    courses: list  # Course
    projects: list  # Project


def registry_create() -> Registry:
    """The counties the list uses, their institutions, the courses and the projects."""
    counties = list(County.objects.exclude(code="B").order_by("code")[:COUNTIES])
    types = {t.name: t for t in InstitutionType.objects.all()}
    made = Institution.objects.bulk_create(
        [
            Institution(
                name=pattern.format(county=county.name),
                institution_type=types[type_name],
                county=county,
            )
            for county in counties
            for type_name, pattern in INSTITUTIONS
        ]
    )
    institutions: dict[int, list] = {}
    for institution in made:
        institutions.setdefault(institution.county_id, []).append(institution)
    courses = [
        Course.objects.create(
            code=code,
            title=title,
            hours=Decimal(hours),
            delivery_type=delivery,
            min_days=1 if delivery == "information" else None,
            completion_basis="days" if delivery == "information" else "hours",
        )
        for code, title, hours, delivery, _activity in COURSES
    ]
    projects = [
        Project.objects.create(
            acronym=acronym,
            name=name,
            funder=funder,
            starts_on=datetime.date(2019, 1, 1),
            ends_on=datetime.date(2024, 12, 31),
        )
        for acronym, name, funder in PROJECTS
    ]
    return Registry(counties, institutions, courses, projects)


@dataclass
class Person:
    index: int
    first: str
    last: str
    sex: str
    county: County
    institution: Institution
    category: str
    email: str = ""
    email2: str = ""
    phone: str = ""
    birth: datetime.date | None = None
    cnp: str = ""
    eil: bool = False


@dataclass
class Generated:
    data: bytes
    rows: int
    persons: int
    sessions: int
    # rows no rule can match to the person's earlier rows (second e-mail, no CNP, no birth
    # date): each is a new person, and a probable duplicate for review
    unmatchable: int
    by_rule: dict = field(default_factory=dict)  # how the generator made each repeat match

    @property
    def expected_persons(self) -> int:
        return self.persons + self.unmatchable


def _names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    last_names = [root + suffix for root in LAST_ROOTS for suffix in LAST_SUFFIXES]
    first_names = list(FIRST_NAMES) + list(COMPOUND_FIRST)
    by_key = {}
    for last in last_names:
        for first in first_names:
            by_key.setdefault(name_match_key(first, last), (first, last))
    pairs = sorted(by_key.values())
    return rng.sample(pairs, count)


def _people(rng: random.Random, registry: Registry, count: int) -> list[Person]:
    people = []
    serials = set()
    for i, (first, last) in enumerate(_names(rng, count)):
        county = rng.choice(registry.counties)
        person = Person(
            index=i,
            first=first,
            last=last,
            sex="F" if first.endswith("a") or first == "Ana-Maria" else "M",
            county=county,
            institution=rng.choice(registry.institutions[county.pk]),
            category=rng.choice(CATEGORIES),
        )
        handle = ascii_text(f"{first.split()[0]}.{last}").lower().replace("-", "")
        if rng.random() < 0.85:
            person.email = f"{handle}{i}@{rng.choice(DOMAINS)}"
            person.email2 = f"{handle}.{i}@personal.ro"
        if rng.random() < 0.5:
            person.phone = f"07{rng.randrange(10**8):08d}"
        if rng.random() < 0.4:
            person.birth = datetime.date(1960, 1, 1) + datetime.timedelta(rng.randrange(40 * 365))
        if rng.random() < 0.15:
            born = person.birth or datetime.date(1960, 1, 1) + datetime.timedelta(
                rng.randrange(40 * 365)
            )
            while True:
                cnp = cnp_for(person.sex, born, county.cnp_code, rng.randrange(1, 1000))
                if cnp not in serials:
                    break
            serials.add(cnp)
            person.cnp = cnp
        person.eil = rng.random() < 0.05
        people.append(person)
    return people


def _spelling(rng: random.Random, first: str, last: str) -> tuple[str, str]:
    """(Nume, Prenume) as some list writes them: all spell the same name key."""
    kind = rng.randrange(9)
    if kind == 0:
        return last.upper(), first
    if kind == 1:
        return last.upper(), first.upper()
    if kind == 2:
        return last.lower(), first.lower()
    if kind == 3:
        return last.translate(_CEDILLA), first.translate(_CEDILLA)
    if kind == 4:
        return ascii_text(last), ascii_text(first)
    if kind == 5:
        return first, last  # the columns swapped
    if kind == 6:
        return f" {last}  ", first.replace("-", " ").replace(" ", "  ")
    if kind == 7 and "â" in last[1:]:
        return last[0] + last[1:].replace("â", "î"), first  # Câmpeanu / Cîmpeanu
    return last, first


def _phone(rng: random.Random, phone: str) -> str:
    if not phone:
        return ""
    kind = rng.randrange(3)
    if kind == 0:
        return f"+40 {phone[1:4]} {phone[4:7]} {phone[7:]}"
    if kind == 1:
        return f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"
    return phone


def _birth(rng: random.Random, birth):
    if birth is None:
        return None
    return birth.strftime("%d.%m.%Y") if rng.random() < 0.3 else birth


def participations(registry: Registry, *, seed: int = SEED) -> Generated:
    rng = random.Random(seed)
    total_persons = sum(APPEARANCES.values())
    people = _people(rng, registry, total_persons)
    order = list(people)
    rng.shuffle(order)
    # Appearance groups: everyone's first session, then the second sessions of those who
    # came back, etc. Within a group, sessions gather people of one county.
    groups: list[list[Person]] = []
    start = 0
    counts = []
    for times, persons in sorted(APPEARANCES.items()):
        counts += [times] * persons
    times_of = {p.index: counts[i] for i, p in enumerate(order)}
    for round_number in range(1, max(APPEARANCES) + 1):
        group = [p for p in order if times_of[p.index] >= round_number]
        group.sort(key=lambda p: (p.county.code, p.institution.pk))
        groups.append(group)
    # Sessions: consecutive chunks of 25, one distinct start date each (working days from
    # 2019), the county most of their participants come from.
    sessions = []
    day = datetime.date(2019, 2, 4)
    for group in groups:
        for start in range(0, len(group), SESSION_SIZE):
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            sessions.append((day, group[start : start + SESSION_SIZE]))
            day += datetime.timedelta(days=2)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Participanți")
    sheet.append(["Participanți la sesiunile de formare 2019–2024 (export din liste)"])
    sheet.append(list(HEADERS))
    seen: set[int] = set()
    last_round: dict[int, int] = {}
    unmatchable = 0
    by_rule = {"cnp": 0, "email": 0, "name_birth": 0, "row": 0}
    rows = 0
    serial = 0
    for number, (day, members) in enumerate(sessions, start=1):
        code_, title, hours, _delivery, activity = COURSES[number % len(COURSES)]
        course = rng.choice((code_, title))
        project_acronym, project_name, _funder = PROJECTS[number % 2]
        project = project_acronym if number % 3 else project_name
        days = 1 if hours <= 8 else 2 if hours <= 16 else 3
        end = day + datetime.timedelta(days=days - 1)
        county = members[0].county
        session_county = rng.choice((county.name, county.code, county.name_ascii.upper()))
        session_code = f"{project_acronym}-{number:04d}" if number % 2 else None
        for person in members:
            rows += 1
            appearance = last_round.get(person.index, 0) + 1
            last_round[person.index] = appearance
            first_time = person.index not in seen
            seen.add(person.index)
            last, first = (
                _spelling(rng, person.first, person.last)
                if not first_time
                else (
                    (person.last, person.first)
                    if rng.random() < 0.7
                    else _spelling(rng, person.first, person.last)
                )
            )
            email, cnp, birth = person.email, person.cnp, person.birth
            if not first_time:
                if not person.email:
                    by_rule["cnp" if person.cnp else "name_birth" if person.birth else "row"] += 1
                elif appearance == times_of[person.index] and rng.random() < 0.25:
                    email = person.email2  # the personal address, on the last list
                    if person.cnp:
                        by_rule["cnp"] += 1
                    elif person.birth:
                        by_rule["name_birth"] += 1
                    else:
                        unmatchable += 1
                else:
                    if person.cnp and rng.random() < 0.4:
                        cnp = ""  # this list did not ask for it: the e-mail matches
                    if rng.random() < 0.5:
                        email = email.capitalize()
                    by_rule["email"] += 1
            present, days_present = "Da", None
            roll = rng.random()
            if roll < 0.03:
                present = "Nu"
            elif roll < 0.10 and days > 1:
                present, days_present = None, days - 1
            certificate = None
            if present == "Da" and rng.random() < 0.3:
                serial += 1
                certificate = f"{project_acronym}-{day.year}-{serial:06d}"
            sheet.append(
                [
                    last,
                    first,
                    cnp or None,
                    _birth(rng, birth) if (birth and rng.random() < 0.8) or not cnp else None,
                    person.sex
                    if rng.random() < 0.5
                    else ("feminin" if person.sex == "F" else "masculin"),
                    email or None,
                    _phone(rng, person.phone) or None,
                    None if rng.random() < 0.05 else person.county.name,
                    person.institution.name
                    if rng.random() < 0.8
                    else person.institution.name.upper(),
                    INSTITUTIONS[0][0] if "DGASPC" in person.institution.name else None,
                    person.category,
                    "Da" if person.eil else None,
                    project,
                    course,
                    session_code,
                    day,
                    end,
                    session_county,
                    activity,
                    present,
                    days_present,
                    certificate,
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Generated(
        data=buffer.getvalue(),
        rows=rows,
        persons=len(people),
        sessions=len(sessions),
        unmatchable=unmatchable,
        by_rule=by_rule,
    )


# --- the registry file for the comparison with django-import-export ----------------------


REGISTRY_HEADERS = (
    "Nume",
    "Prenume",
    "Email",
    "Telefon",
    "Sex",
    "Data nașterii",
    "Județ",
    "Instituția",
    "Categoria profesională",
)
# The same columns as a plain ModelResource for training.Professional reads them: field names,
# foreign keys as ids, and the id column its export has (blank: new people). The name key is
# given (the model's save does not compute it; a plain resource has no hook that would).
RESOURCE_HEADERS = (
    "id",
    "last_name",
    "first_name",
    "email",
    "phone",
    "sex",
    "birth_date",
    "county",
    "institution",
    "category",
    "match_key",
)


def registry_rows(registry: Registry, count: int, *, seed: int = SEED + 1) -> list[dict]:
    """`count` new people (names and addresses the participations list does not use)."""
    from training.models import ProfessionalCategory

    rng = random.Random(seed)
    categories = {c.name: c for c in ProfessionalCategory.objects.filter(name__in=CATEGORIES)}
    names = rng.sample([(f, f"{r}ovici") for f in FIRST_NAMES for r in LAST_ROOTS], count)
    people = []
    for i, (first, last) in enumerate(names):
        county = rng.choice(registry.counties)
        category = categories[rng.choice(CATEGORIES)]
        people.append(
            {
                "last_name": last,
                "first_name": first,
                "email": f"registru{i}@example.ro",
                "phone": f"07{rng.randrange(10**8):08d}",
                "sex": "F" if first.endswith("a") else "M",
                "birth_date": datetime.date(1960, 1, 1)
                + datetime.timedelta(rng.randrange(40 * 365)),
                "county": county,
                "institution": rng.choice(registry.institutions[county.pk]),
                "category": category,
            }
        )
    return people


def registry_xlsx(people: list[dict]) -> bytes:
    """Formativ's registry template: Romanian headers, names of things."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Registru")
    sheet.append(list(REGISTRY_HEADERS))
    for p in people:
        sheet.append(
            [
                p["last_name"],
                p["first_name"],
                p["email"],
                p["phone"],
                p["sex"],
                p["birth_date"],
                p["county"].name,
                p["institution"].name,
                p["category"].name,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def resource_xlsx(people: list[dict]) -> bytes:
    """The same people as django-import-export's ModelResource expects them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Professional")
    sheet.append(list(RESOURCE_HEADERS))
    for p in people:
        sheet.append(
            [
                None,
                p["last_name"],
                p["first_name"],
                p["email"],
                p["phone"],
                p["sex"],
                p["birth_date"],
                p["county"].pk,
                p["institution"].pk,
                p["category"].pk,
                name_match_key(p["first_name"], p["last_name"]),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
