"""The demo public site: a Romanian page tree with English translations. Idempotent: pages
are found by slug under their parent."""

import datetime

from wagtail.models import Locale, Page
from wagtail.rich_text import RichText

from cms.models import (
    CalendarPage,
    CurriculumPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
    SeminarIndexPage,
    SeminarPage,
    StandardPage,
)
from training.models import Course, Curriculum, Project


def _p(*paragraphs: str) -> list:
    return [("paragraph", RichText("".join(f"<p>{text}</p>" for text in paragraphs)))]


def _child(parent, model, slug, **fields):
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        return existing.specific, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


NEWS = [
    (
        "intalnire-tehnica-coordonatori",
        datetime.date(2020, 2, 18),
        "VENUS",
        "Întâlnire tehnică de lucru cu coordonatorii din 42 de județe",
        "Coordonatorii județeni ai proiectului VENUS s-au reunit la București pentru a stabili "
        "calendarul sesiunilor de formare.",
        "Reprezentanții celor 42 de direcții generale de asistență socială și protecția "
        "copilului au discutat etapele de amenajare a locuințelor protejate și planul de "
        "formare a specialiștilor care lucrează cu victimele violenței domestice.",
    ),
    (
        "doi-ani-de-proiect",
        datetime.date(2021, 9, 1),
        "VENUS",
        "Doi ani de proiect: rețeaua de locuințe protejate crește",
        "La doi ani de la lansare, proiectul a format primele serii de profesioniști și a "
        "deschis locuințe protejate în mai multe județe.",
        "Asistenții sociali, psihologii și consilierii juridici formați în proiect aplică deja "
        "instrumentele standardizate de evaluare a riscului și de management de caz.",
    ),
    (
        "rezultate-finale-ic-ro",
        datetime.date(2024, 3, 28),
        "IC-RO",
        "Rezultatele proiectului pentru implementarea Convenției de la Istanbul",
        "Membrii echipelor intersectoriale locale au participat la sesiuni de formare și la "
        "seminarii cu experți norvegieni.",
        "Formarea a pus accent pe intervenția coordonată a poliției, a serviciilor sociale, a "
        "sistemului medical și a școlii în cazurile de violență domestică.",
    ),
    (
        "conferinta-de-inchidere",
        datetime.date(2023, 12, 12),
        "VENUS",
        "Conferința de închidere: peste 17.000 de persoane formate și informate",
        "Conferința de închidere a prezentat rezultatele obținute în toate județele țării.",
        "Peste 17.000 de persoane au participat la sesiunile de formare și la seminariile de "
        "informare organizate de agenție și de partenerii săi.",
    ),
]

STANDARD = [
    (
        "despre",
        "Despre Formativ",
        "About Formativ",
        "Formativ este platforma de formare a agenției și a partenerilor săi județeni.",
        "Formativ is the training platform of the agency and its county partners.",
    ),
    (
        "contact",
        "Contact",
        "Contact",
        "Scrieți-ne pentru întrebări despre sesiunile de formare.",
        "Write to us with questions about training sessions.",
    ),
    (
        "declaratie-accesibilitate",
        "Declarație de accesibilitate",
        "Accessibility statement",
        "Ne propunem ca acest site să respecte nivelul AA al WCAG 2.1.",
        "We aim for this site to meet WCAG 2.1 level AA.",
    ),
]


def _section(heading: str, *paragraphs: str) -> list:
    return [("heading", {"text": heading, "level": "h2"}), *_p(*paragraphs)]


STANDARD_BODIES = {
    "declaratie-accesibilitate": [
        *_section(
            "Stadiul conformității",
            "Agenția se angajează să facă acest site accesibil, în conformitate cu Directiva "
            "(UE) 2016/2102 și cu legislația națională care o transpune. Site-ul urmărește "
            "nivelul AA al WCAG 2.1 și este verificat automat, la fiecare modificare, cu "
            "instrumentul axe-core.",
        ),
        *_section(
            "Conținut care nu este încă accesibil",
            "Unele documente PDF publicate înainte de lansarea site-ului pot să nu fie "
            "accesibile cititoarelor de ecran. Le înlocuim treptat; la cerere, vă trimitem "
            "conținutul într-un format accesibil.",
        ),
        *_section(
            "Feedback și contact",
            "Dacă întâmpinați dificultăți în folosirea site-ului, scrieți-ne la "
            "office@anes.gov.ro. Răspundem în cel mult 30 de zile.",
        ),
        *_section(
            "Procedura de asigurare a respectării",
            "Dacă răspunsul nostru nu vă mulțumește, vă puteți adresa autorității naționale "
            "responsabile de monitorizarea accesibilității site-urilor instituțiilor publice.",
        ),
    ],
}

ENGLISH = {
    "seminarii": ("Seminars and programmes", "Courses, seminars and training programmes."),
    "calendar": ("Training calendar", "All upcoming training sessions."),
    "proiecte": ("Projects", "The projects that fund our training."),
    "noutati": ("News", "News and press releases."),
}


def build_pages() -> int:
    """Create the demo page tree; returns how many pages it created."""
    created = 0
    home = HomePage.objects.filter(locale__language_code="ro").first()
    if home is None:
        return 0

    seminars, new = _child(
        home,
        SeminarIndexPage,
        "seminarii",
        title="Seminarii și programe",
        intro="<p>Cursuri, seminarii și programe de formare.</p>",
        show_in_menus=True,
    )
    created += new
    for course in Course.objects.order_by("code"):
        _, new = _child(
            seminars,
            SeminarPage,
            course.code.lower(),
            title=course.title,
            course=course,
            intro=f"<p>{course.description or course.title}.</p>",
            featured=course.code in {"SIS-01", "EIL-01", "SEM-02"},
            body=_p(
                "Sesiunile se adresează profesioniștilor din echipele intersectoriale "
                "locale și din serviciile pentru victimele violenței domestice."
            ),
        )
        created += new
    for code in ("SIS-FSS", "EIL"):
        curriculum = Curriculum.objects.filter(code=code).first()
        if curriculum:
            _, new = _child(
                seminars,
                CurriculumPage,
                f"program-{code.lower()}",
                title=curriculum.title,
                curriculum=curriculum,
                intro=f"<p>{curriculum.summary}</p>",
            )
            created += new

    _, new = _child(
        home,
        CalendarPage,
        "calendar",
        title="Calendarul formărilor",
        intro="<p>Toate sesiunile de formare programate.</p>",
        show_in_menus=True,
    )
    created += new

    projects, new = _child(
        home,
        ProjectIndexPage,
        "proiecte",
        title="Proiecte",
        intro="<p>Proiectele care finanțează formarea.</p>",
        show_in_menus=True,
    )
    created += new
    for project in Project.objects.order_by("starts_on"):
        _, new = _child(
            projects,
            ProjectPage,
            project.acronym.lower(),
            title=project.name,
            project=project,
            intro=f"<p>{project.description}</p>",
        )
        created += new

    news_index, new = _child(
        home,
        NewsIndexPage,
        "noutati",
        title="Noutăți",
        intro="<p>Noutăți și comunicate de presă.</p>",
        show_in_menus=True,
    )
    created += new
    for slug, date, acronym, title, intro, text in NEWS:
        _, new = _child(
            news_index,
            NewsPage,
            slug,
            title=title,
            date=date,
            project=Project.objects.filter(acronym=acronym).first(),
            intro=f"<p>{intro}</p>",
            body=_p(text),
        )
        created += new

    for slug, title, _en_title, intro, _en_intro in STANDARD:
        _, new = _child(
            home,
            StandardPage,
            slug,
            title=title,
            intro=f"<p>{intro}</p>",
            show_in_menus=slug == "despre",
            body=STANDARD_BODIES.get(slug, []),
        )
        created += new

    created += _translate_to_english(home)
    return created


def _translate_to_english(home) -> int:
    """English copies of every page, with English titles where we have them."""
    english = Locale.objects.get(language_code="en")
    titles = dict(ENGLISH)
    titles.update({slug: (en_title, en_intro) for slug, _t, en_title, _i, en_intro in STANDARD})
    created = 0
    for page in (
        Page.objects.descendant_of(home, inclusive=True)
        .filter(locale__language_code="ro")
        .order_by("path")
    ):
        if page.get_translations().filter(locale=english).exists():
            continue
        copy = page.specific.copy_for_translation(english, copy_parents=True)
        if page.slug in titles:
            copy.title, intro = titles[page.slug]
            copy.intro = f"<p>{intro}</p>"
        elif page.depth == 2:
            copy.title = "Formativ"
            copy.intro = (
                "<p>Formativ is the training and professional-development system of "
                "ANES and its county partners.</p>"
            )
        copy.save_revision().publish()
        created += 1
    return created
