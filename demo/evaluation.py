"""Evaluation in the demo (issue 11): the trainings' knowledge test, anonymous feedback form
and three-month follow-up survey; the completed demo sessions' answers; a pre-test waiting for
the demo participant.

Everything goes through `evaluation.services`, with answers drawn from generators seeded by
the session's code (so a run draws the same answers whatever was built before). Who knows
what before the training depends on the professional category (a police officer or a legal
adviser knows the law better than a school mediator), and everybody learns something, so the
dashboard shows a learning gain per profession. About four in five answer each form."""

import datetime
import random

from django.db.models import Exists, OuterRef
from django.utils import timezone

from evaluation import services
from evaluation.models import Questionnaire, SessionForm
from evaluation.selectors import SessionTimes, form_window
from sessions.models import Attendance, Enrolment, TrainingSession

SEED = 20191001
Kind = Questionnaire.Kind
P = SessionForm.Purpose

# The trainings whose sessions run the three forms: risk assessment, case management and the
# local intersectoral team's coordinated response.
EVALUATED_COURSES = ("SIS-01", "SIS-02", "EIL-01")


def _single(text, options, right: int, points="1"):
    return (
        "single",
        {
            "text": text,
            "options": [{"label": label, "correct": n == right} for n, label in enumerate(options)],
            "points": points,
            "required": True,
        },
    )


def _multiple(text, options, points="2"):
    return (
        "multiple",
        {
            "text": text,
            "options": [{"label": label, "correct": correct} for label, correct in options],
            "points": points,
            "required": True,
        },
    )


def _likert(text, scale="agreement"):
    return ("likert", {"text": text, "scale": scale, "required": True})


def _text(text):
    return ("text", {"text": text, "required": False})


KNOWLEDGE_TEST = {
    "title": "Test de cunoștințe: violența domestică",
    "intro": "Același test îl completați înainte de formare și la final, ca să vedem ce ați "
    "învățat. Durează aproximativ 10 minute.",
    "questions": [
        _single(
            "Ce lege reglementează prevenirea și combaterea violenței domestice în România?",
            [
                "Legea nr. 217/2003",
                "Legea nr. 272/2004",
                "Legea nr. 448/2006",
                "Codul muncii",
            ],
            right=0,
        ),
        _single(
            "La ce obligă Convenția de la Istanbul, ratificată de România prin Legea nr. 30/2016?",
            [
                "Să prevină violența împotriva femeilor și violența domestică, să protejeze "
                "victimele și să urmărească penal agresorii",
                "Numai la cooperarea polițiilor din statele semnatare",
                "Numai la sancționarea violenței fizice",
                "La înființarea unui tribunal european pentru familie",
            ],
            right=0,
        ),
        _single(
            "Cine emite ordinul de protecție provizoriu?",
            [
                "Polițistul, la fața locului, când constată un risc iminent",
                "Judecătoria, la cererea victimei, în 72 de ore",
                "Primarul localității",
                "Medicul legist, după examinarea victimei",
            ],
            right=0,
        ),
        _single(
            "Ce se întâmplă cu ordinul de protecție provizoriu după emitere?",
            [
                "Este confirmat de procuror în cel mult 48 de ore de la emitere",
                "Rămâne valabil fără alt control timp de un an",
                "Este confirmat de consiliul local în 30 de zile",
                "Este trimis agresorului, care îl poate refuza",
            ],
            right=0,
        ),
        _single(
            "Pe ce durată poate dispune instanța măsurile unui ordin de protecție?",
            ["Cel mult 6 luni", "Cel mult 30 de zile", "Cel mult 5 ani", "Pe durată nelimitată"],
            right=0,
        ),
        _multiple(
            "Care dintre acestea sunt forme ale violenței domestice, potrivit Legii nr. 217/2003?",
            [
                ("Violența psihologică", True),
                ("Violența economică", True),
                ("Violența cibernetică", True),
                ("Un conflict de muncă între doi colegi", False),
            ],
        ),
        _multiple(
            "Care sunt semne de risc ridicat la evaluarea riscului?",
            [
                ("Amenințări cu moartea sau cu o armă", True),
                ("Agresiuni tot mai dese și mai grave", True),
                ("Tentativă de strangulare în trecut", True),
                ("Victima are un loc de muncă stabil", False),
                ("Agresorul locuiește de mulți ani în alt județ", False),
            ],
        ),
        _single(
            "Când se reevaluează riscul?",
            [
                "La orice schimbare a situației victimei sau a agresorului",
                "O singură dată, la prima sesizare",
                "Numai la cererea agresorului",
                "Numai după o hotărâre judecătorească definitivă",
            ],
            right=0,
        ),
        _single(
            "Ce spune Convenția de la Istanbul despre medierea obligatorie?",
            [
                "Este interzisă în cazurile de violență acoperite de convenție",
                "Este obligatorie înainte de orice plângere",
                "Este recomandată la prima intervenție a poliției",
                "Se decide de comun acord cu agresorul",
            ],
            right=0,
        ),
        _single(
            "Ce înseamnă o intervenție centrată pe victimă?",
            [
                "Victima este informată și consultată, iar siguranța ei are prioritate",
                "Victima și agresorul sunt puși față în față ca să se împace",
                "Fiecare instituție lucrează separat, fără să comunice",
                "Intervenția începe numai după ce victima depune plângere penală",
            ],
            right=0,
        ),
    ],
}

FEEDBACK = {
    "title": "Chestionar de feedback",
    "intro": "Răspunsurile sunt anonime: nu sunt păstrate împreună cu numele dumneavoastră.",
    "questions": [
        _likert("Conținutul formării a fost util pentru activitatea mea.", "usefulness"),
        _likert("Formatorii au explicat clar și au răspuns la întrebări."),
        _likert("Exercițiile practice și studiile de caz au fost relevante."),
        _likert("Organizarea (sala, programul, materialele) a fost bună.", "satisfaction"),
        _likert("Voi aplica în practică ce am învățat."),
        _text("Ce v-a plăcut cel mai mult?"),
        _text("Ce ar trebui îmbunătățit?"),
    ],
}

FOLLOW_UP = {
    "title": "Chestionar la trei luni după formare",
    "intro": "Ne interesează ce ați folosit în practică din ce ați învățat. Răspunsurile sunt "
    "anonime.",
    "questions": [
        _likert("Am aplicat în activitatea mea ce am învățat la formare."),
        _likert("Colaborez mai bine cu celelalte instituții din echipa intersectorială."),
        _likert("Privind în urmă, cât de utilă a fost formarea?", "usefulness"),
        _text("Descrieți pe scurt o situație în care ați folosit cele învățate."),
    ],
}

LIKED = [
    "Studiile de caz din practica altor județe.",
    "Exercițiul de evaluare a riscului pe un caz real, anonimizat.",
    "Discuțiile cu colegii de la poliție și de la DGASPC.",
    "Modelul de ordin de protecție provizoriu, explicat pas cu pas.",
    "Formatorii au avut multă răbdare și exemple concrete.",
    "Am înțeles în sfârșit cine ce face în echipa intersectorială.",
]
IMPROVE = [
    "Mai mult timp pentru exerciții practice.",
    "Sala a fost prea mică pentru atâția participanți.",
    "Materialele să fie trimise înainte de formare.",
    "Ar fi utilă o sesiune de follow-up după câteva luni.",
    "Pauze mai lungi; programul a fost încărcat.",
]
APPLIED = [
    "Am completat formularul de evaluare a riscului împreună cu o victimă și am cerut ordin "
    "de protecție.",
    "Am sunat direct colegii din echipa intersectorială în loc să trimit adresă.",
    "Am reevaluat riscul după ce agresorul a ieșit din arest.",
    "Am explicat unei victime ce drepturi are și unde găsește adăpost.",
]

# What each professional category knows before the training (the share of questions it gets
# right) and how much it learns.
KNOWLEDGE = {
    "polițist (ofițer / agent)": (0.58, 0.22),
    "consilier juridic": (0.64, 0.18),
    "consilier de probațiune": (0.52, 0.24),
    "asistent social": (0.48, 0.28),
    "manager de caz": (0.54, 0.25),
    "psiholog": (0.50, 0.26),
    "personal centru / adăpost / locuință protejată": (0.44, 0.30),
    "medic (familie / urgență / legist)": (0.40, 0.30),
    "asistent medical / asistent medical comunitar": (0.34, 0.32),
    "mediator sanitar": (0.30, 0.30),
    "cadru didactic / consilier școlar / mediator școlar": (0.33, 0.34),
}
DEFAULT_KNOWLEDGE = (0.42, 0.28)
# Who answers each form, among those who attended.
RATES = {P.PRE_TEST: 0.88, P.POST_TEST: 0.84, P.FEEDBACK: 0.85, P.FOLLOW_UP: 0.5}


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def questionnaires(*, acting_user, report) -> list:
    """The three questionnaires of each evaluated course (made once). Returns the courses."""
    from training.models import Course

    courses = list(Course.objects.filter(code__in=EVALUATED_COURSES).order_by("code"))
    specs = [
        (Kind.TEST, KNOWLEDGE_TEST, False),
        (Kind.FEEDBACK, FEEDBACK, True),
        (Kind.FOLLOW_UP, FOLLOW_UP, True),
    ]
    existing = set(
        Questionnaire.objects.filter(course__in=courses).values_list("course_id", "kind")
    )
    for course in courses:
        for kind, spec, anonymous in specs:
            if (course.pk, kind) in existing:
                continue
            item = Questionnaire(
                course=course,
                kind=kind,
                title=spec["title"],
                intro=spec["intro"],
                anonymous=anonymous,
                follow_up_months=3,
            )
            item.questions = spec["questions"]
            services.questionnaire_save(questionnaire=item, acting_user=acting_user)
            report.add("questionnaires")
    return courses


def _test_answers(rng: random.Random, questions: list[dict], ability: float) -> dict:
    """A knowledge test answered by someone who gets about `ability` of it right."""
    data = {}
    for n, question in enumerate(questions):
        difficulty = (n % 5 - 2) * 0.06  # some questions are harder than others
        p = _clamp(ability - difficulty, 0.05, 0.97)
        right = [o["id"] for o in question["options"] if o["correct"]]
        wrong = [o["id"] for o in question["options"] if not o["correct"]]
        if question["type"] == "single":
            data[f"q-{question['id']}"] = [right[0] if rng.random() < p else rng.choice(wrong)]
        else:
            chosen = [o for o in right if rng.random() < p]
            chosen += [o for o in wrong if rng.random() < (1 - p) * 0.4]
            data[f"q-{question['id']}"] = chosen or [rng.choice(right + wrong)]
    return data


def _ratings(rng: random.Random, questions: list[dict], mood: float, texts: list[list]) -> dict:
    data, text_index = {}, 0
    for question in questions:
        key = f"q-{question['id']}"
        if question["type"] == "likert":
            data[key] = [str(int(_clamp(round(mood + rng.gauss(0, 0.6)), 1, 5)))]
        elif question["type"] == "text":
            pool = texts[text_index] if text_index < len(texts) else []
            text_index += 1
            if pool and rng.random() < 0.3:
                data[key] = [rng.choice(pool)]
    return data


def _attending(session: TrainingSession) -> list[Enrolment]:
    attended = Attendance.objects.filter(
        enrolment=OuterRef("pk"),
        status__in=(Attendance.Status.PRESENT, Attendance.Status.PARTIAL),
    )
    return list(
        session.enrolments.filter(Exists(attended), status=Enrolment.Status.CONFIRMED)
        .select_related("professional__category")
        .order_by("pk")
    )


def session_answers(*, session: TrainingSession, acting_user, report, now=None) -> None:
    """Set up a completed session's forms and answer them as its participants would have."""
    now = now or timezone.now()
    forms = {
        f.purpose: f
        for f in services.session_forms_setup(training_session=session, acting_user=acting_user)
    }
    rng = random.Random(f"{SEED}-evaluation-{session.code}")
    times = SessionTimes.of(session)
    invitations = {
        (i.session_form_id, i.enrolment_id): i
        for form in forms.values()
        for i in form.invitations.all()
    }
    people = _attending(session)
    # Draw everything first, person by person, so the answers do not depend on the order in
    # which the forms are submitted.
    plans = []
    for enrolment in people:
        category = enrolment.professional.category
        base, gain = KNOWLEDGE.get(category.name if category else "", DEFAULT_KNOWLEDGE)
        before = _clamp(base + rng.gauss(0, 0.1), 0.1, 0.95)
        after = _clamp(before + gain + rng.gauss(0, 0.08), 0.15, 0.98)
        answers = {purpose: rng.random() < rate for purpose, rate in RATES.items()}
        plans.append((enrolment, before, after, answers, rng.random(), rng.gauss(4.1, 0.6)))
    submitted = 0
    for purpose, form in forms.items():
        window = form_window(purpose, times, form.version.questionnaire.follow_up_months)
        if purpose == P.FOLLOW_UP and (window.opens_at is None or window.opens_at > now):
            continue  # not due yet
        order = list(plans)
        if form.version.anonymous:
            rng.shuffle(order)  # nothing about who answered first
        for enrolment, before, after, answers, moment, mood in order:
            if not answers[purpose]:
                continue
            questions = form.version.questions
            if purpose == P.PRE_TEST:
                data = _test_answers(rng, questions, before)
                at = times.first_start - datetime.timedelta(hours=2 + 60 * moment)
            elif purpose == P.POST_TEST:
                data = _test_answers(rng, questions, after)
                at = times.last_end - datetime.timedelta(minutes=45 * moment)
            elif purpose == P.FEEDBACK:
                data = _ratings(rng, questions, mood, [LIKED, IMPROVE])
                at = times.last_end
            else:
                data = _ratings(rng, questions, mood - 0.3, [APPLIED])
                at = min(window.opens_at + datetime.timedelta(days=20 * moment), now)
            services.response_submit(
                invitation=invitations[(form.pk, enrolment.pk)], data=data, now=at
            )
            submitted += 1
    report.add("evaluation responses", submitted)


def build_evaluation(*, acting_user, report) -> None:
    """The questionnaires and the completed demo sessions' answers (each session once)."""
    courses = questionnaires(acting_user=acting_user, report=report)
    sessions = (
        TrainingSession.objects.filter(
            code__startswith="DEMO-0",
            status=TrainingSession.Status.COMPLETED,
            course__in=courses,
        )
        .exclude(evaluation_forms__isnull=False)
        .select_related("course")
        .order_by("code")
    )
    for session in sessions:
        session_answers(session=session, acting_user=acting_user, report=report)
        report.add("sessions evaluated")


def participant_pre_test(*, professional, report=None) -> TrainingSession | None:
    """An upcoming session of an evaluated course that the demo participant is registered in
    (registered by the organisers in the first one when they are in none), with its forms set
    up: "my trainings" shows them "Take the pre-test"."""
    now = timezone.now()
    upcoming = (
        TrainingSession.objects.filter(
            code__startswith="DEMO-0",
            status=TrainingSession.Status.PUBLISHED,
            course__code__in=EVALUATED_COURSES,
            days__starts_at__gt=now + datetime.timedelta(days=1),
        )
        .distinct()
        .order_by("code")
    )
    session = upcoming.filter(
        enrolments__professional=professional,
        enrolments__status=Enrolment.Status.CONFIRMED,
    ).first()
    if session is None:
        from sessions.services import enrolment_create

        session = upcoming.exclude(enrolments__professional=professional).first()
        if session is None:
            return None
        enrolment = enrolment_create(
            training_session=session, professional=professional, acting_user=None
        )
        if enrolment.status != Enrolment.Status.CONFIRMED:
            return None
        if report is not None:
            report.add("enrolments")
    if not session.evaluation_forms.exists():
        services.session_forms_setup(training_session=session)
    return session
