"""Anonymous feedback cannot be joined back to a person through any query or export (issue 11).

Six participants answer an anonymous feedback form, one after the other, in a known order. The
responses must carry no enrolment, no person, no time and a random key; answering must leave no
other trace in the database whose content or time pairs with the response (every table is
compared before and after one answer); and what staff read or download (the dashboard, the
XLSX export, the API) lists the comments by their content, not in the order they were given,
and names nobody.

The enrolments get conspicuous ids (98765x) so that an id leaking into an export is found by
plain text search."""

import io
import re
import uuid

import pytest
from django.apps import apps
from django.urls import reverse

from evaluation import services
from evaluation.models import Invitation, Questionnaire, Response
from sessions.models import Enrolment
from tests.factories.evaluation import free_text, likert, questionnaire
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db

# In the order they are submitted; none of them in alphabetical order.
COMMENTS = [
    "Zebra crossing examples were vivid",
    "Mango break was welcome",
    "Apple of the course: the case studies",
    "Kiwi trainer, very clear",
    "Cherry on top: the handouts",
    "Banana-shaped room, hard to see",
]
SURNAMES = ["Ungureanu", "Vladutescu", "Wagner", "Xenopol", "Yordanov", "Zidaru"]
FIRST_ENROLMENT_ID = 987650


@pytest.fixture
def world():
    """A one-day session that ended yesterday (its feedback is open), an anonymous feedback
    form (a rating and a comment), six confirmed participants invited."""
    session = make_session(start_in=-1, day_count=1)
    questionnaire(
        session.course,
        kind=Questionnaire.Kind.FEEDBACK,
        anonymous=True,
        questions=[likert("The course was useful"), free_text("Comments")],
    )
    enrolments = []
    for i, surname in enumerate(SURNAMES):
        person = ProfessionalFactory(
            first_name="Anonim", last_name=surname, email=f"{surname.lower()}@example.org"
        )
        enrolments.append(
            Enrolment.objects.create(
                pk=FIRST_ENROLMENT_ID + i,
                training_session=session,
                professional=person,
                status="confirmed",
                source="self",
            )
        )
    (form,) = services.session_forms_setup(training_session=session, purposes=["feedback"])
    invitations = [Invitation.objects.get(session_form=form, enrolment=e) for e in enrolments]
    return session, form, enrolments, invitations


def answers(form, i: int) -> dict:
    rating, comment = form.version.questions
    return {f"q-{rating['id']}": [str(1 + i % 5)], f"q-{comment['id']}": [COMMENTS[i]]}


def submit_all(form, invitations, upto=6):
    for i, invitation in enumerate(invitations[:upto]):
        services.response_submit(invitation=invitation, data=answers(form, i))


# ---- the rows themselves ---------------------------------------------------------------------


def test_anonymous_responses_carry_no_link_no_time_and_a_random_key(world):
    session, form, enrolments, invitations = world
    submit_all(form, invitations)

    rows = list(Response.objects.values())
    assert len(rows) == 6
    for row in rows:
        assert row["enrolment_id"] is None
        assert row["submitted_at"] is None
        key = row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"]))
        assert key.version == 4 and key.variant == uuid.RFC_4122  # random, not time-based
        # the answers hold the question ids and the answers, nothing else
        assert set(row["answers"]) == {q["id"] for q in form.version.questions}
    # no date or time column of the response is filled in
    time_fields = [
        f.attname
        for f in Response._meta.concrete_fields
        if f.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
    ]
    for row in rows:
        assert all(row[name] is None for name in time_fields)
    # each of the six is counted once, on the invitation, without a time
    assert Invitation.objects.filter(session_form=form, submitted=True).count() == 6
    assert sorted(r["answers"][form.version.questions[1]["id"]] for r in rows) == sorted(COMMENTS)


def test_the_invitation_has_no_time_of_answering(world):
    _session, form, _enrolments, invitations = world
    before = Invitation.objects.filter(pk=invitations[0].pk).values().get()
    services.response_submit(invitation=invitations[0], data=answers(form, 0))
    after = Invitation.objects.filter(pk=invitations[0].pk).values().get()
    assert {k for k in before if before[k] != after[k]} == {"submitted"}
    assert not [
        f.name
        for f in Invitation._meta.concrete_fields
        if getattr(f, "auto_now", False) or f.name in ("submitted_at", "answered_at", "updated_at")
    ]


def test_a_second_answer_through_the_same_invitation_is_refused(world):
    _session, form, _enrolments, invitations = world
    services.response_submit(invitation=invitations[0], data=answers(form, 0))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.response_submit(invitation=invitations[0], data=answers(form, 1))
    assert Response.objects.count() == 1


# ---- no other trace in the database ----------------------------------------------------------


def dump() -> dict[str, dict]:
    """Every row of every table of the project, by model and primary key."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        tables[meta.label] = {
            str(row[meta.pk.attname]): row for row in model._base_manager.values()
        }
    return tables


def differences(before: dict, after: dict) -> dict[str, dict]:
    changed = {}
    for label in after:
        old, new = before.get(label, {}), after[label]
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        edited = {
            pk: {k for k in new[pk] if new[pk][k] != old[pk][k]}
            for pk in set(new) & set(old)
            if new[pk] != old[pk]
        }
        if added or removed or edited:
            changed[label] = {"added": added, "removed": removed, "edited": edited}
    return changed


def assert_only_the_response_and_the_flag(before, after, invitation):
    diff = differences(before, after)
    assert set(diff) == {"evaluation.Response", "evaluation.Invitation"}, diff
    assert len(diff["evaluation.Response"]["added"]) == 1
    assert not diff["evaluation.Response"]["removed"]
    assert not diff["evaluation.Response"]["edited"]
    assert diff["evaluation.Invitation"] == {
        "added": [],
        "removed": [],
        "edited": {str(invitation.pk): {"submitted"}},
    }
    (new_key,) = diff["evaluation.Response"]["added"]
    row = after["evaluation.Response"][new_key]
    assert row["enrolment_id"] is None and row["submitted_at"] is None


def test_answering_leaves_no_other_trace_in_any_table(world):
    _session, form, _enrolments, invitations = world
    submit_all(form, invitations, upto=5)
    before = dump()
    services.response_submit(invitation=invitations[5], data=answers(form, 5))
    assert_only_the_response_and_the_flag(before, dump(), invitations[5])


def _answer_url(token: str) -> str:
    return reverse("evaluation:answer", kwargs={"token": token})


def test_answering_through_the_personal_link_leaves_no_other_trace(world, client):
    _session, form, _enrolments, invitations = world
    submit_all(form, invitations, upto=5)
    url = _answer_url(invitations[5].token)
    client.get(url)  # the participant opens the link first
    before = dump()
    response = client.post(url, answers(form, 5))
    assert response.status_code in (200, 302, 303), response.status_code
    assert Response.objects.count() == 6
    assert_only_the_response_and_the_flag(before, dump(), invitations[5])


def test_answering_signed_in_leaves_no_other_trace(world, client):
    """The participant is signed in (they came from "my trainings" or the room QR): their
    account, their session and anything else about them stay as they were."""
    _session, form, enrolments, invitations = world
    submit_all(form, invitations, upto=5)
    person = enrolments[5].professional
    from tests.factories.training import UserFactory

    user = UserFactory(username="participant-6")
    person.user = user
    person.save()
    client.force_login(user)
    url = _answer_url(invitations[5].token)
    client.get(url)
    before = dump()
    response = client.post(url, answers(form, 5))
    assert response.status_code in (200, 302, 303), response.status_code
    assert Response.objects.count() == 6
    assert_only_the_response_and_the_flag(before, dump(), invitations[5])


# ---- what staff read and download ------------------------------------------------------------


def forbidden_strings(enrolments) -> list[str]:
    """What must never appear next to anonymous answers: who answered, or the keys to them."""
    strings = [str(r) for r in Response.objects.values_list("id", flat=True)]
    strings += [str(r.hex) for r in Response.objects.values_list("id", flat=True)]
    strings += [str(e.pk) for e in enrolments]
    for e in enrolments:
        strings += [e.professional.last_name, e.professional.email]
    strings += list(Invitation.objects.values_list("token", flat=True))
    return strings


def comments_in_order(text: str) -> list[str]:
    found = sorted((text.find(c), c) for c in COMMENTS if c in text)
    return [c for _pos, c in found]


def xlsx_text(content: bytes) -> tuple[str, list[str]]:
    """All cells of every sheet, row by row: joined, and the comment cells in order."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += [str(v) for v in row if v is not None]
    return "\n".join(cells), [c for c in cells if c in COMMENTS]


def _url(name: str) -> str:
    return reverse(name)


def test_the_xlsx_export_lists_comments_by_content_and_names_nobody(world, admin_client):
    _session, form, enrolments, invitations = world
    submit_all(form, invitations)
    response = admin_client.get(_url("reports:evaluation_export"))
    assert response.status_code == 200
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    text, comment_cells = xlsx_text(content)
    assert comment_cells == sorted(COMMENTS), comment_cells
    leaked = [s for s in forbidden_strings(enrolments) if re.search(rf"\b{re.escape(s)}\b", text)]
    assert not leaked


def test_the_dashboard_lists_comments_by_content_and_names_nobody(world, admin_client):
    _session, form, enrolments, invitations = world
    submit_all(form, invitations)
    response = admin_client.get(_url("reports:evaluation"))
    assert response.status_code == 200
    text = response.content.decode()
    shown = comments_in_order(text)
    assert shown == sorted(COMMENTS)  # every comment, in the order of their text
    leaked = [s for s in forbidden_strings(enrolments) if re.search(rf"\b{re.escape(s)}\b", text)]
    assert not leaked


def test_the_api_names_nobody(world, admin_client):
    _session, form, enrolments, invitations = world
    submit_all(form, invitations)
    response = admin_client.get("/api/v1/reports/evaluation")
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert response.json()  # a report, not an empty answer
    shown = comments_in_order(text)
    assert shown == sorted(COMMENTS)  # every comment, in the order of their text
    leaked = [s for s in forbidden_strings(enrolments) if re.search(rf"\b{re.escape(s)}\b", text)]
    assert not leaked


def test_no_row_written_with_an_anonymous_response_points_at_its_author(world):
    """PostgreSQL stamps each row with the transaction that wrote it (`xmin`): a row written
    together with an anonymous response would name its author through `… JOIN … ON
    invitation.xmin = response.xmin`. The invitation has to be marked as answered in that
    transaction (so nobody answers twice), so every answered invitation of the form is
    stamped again with it: the join gives all who answered, never one person."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    _session, form, _enrolments, invitations = world
    submit_all(form, invitations)
    answered = Invitation.objects.filter(session_form=form, submitted=True).count()
    assert answered == len(invitations)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT xmin::text FROM evaluation_response")
        stamps = [row[0] for row in cursor.fetchall()]
        assert len(stamps) == len(invitations)  # one transaction per answer
        paired = {}
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or model in (Response, Invitation):
                continue
            table = connection.ops.quote_name(meta.db_table)
            cursor.execute(
                f"SELECT count(*) FROM {table} WHERE xmin::text = ANY(%s)",  # noqa: S608
                [stamps],
            )
            if count := cursor.fetchone()[0]:
                paired[meta.label] = count
        cursor.execute(
            "SELECT r.xmin::text, count(i.id) FROM evaluation_response r "
            "LEFT JOIN evaluation_invitation i ON i.xmin::text = r.xmin::text "
            "GROUP BY r.xmin::text"
        )
        per_response = sorted(count for _stamp, count in cursor.fetchall())
    assert not paired, f"rows written with an anonymous response: {paired}"
    # Every response but the latest pairs with no invitation; the latest with all of them.
    assert per_response == [0] * (len(invitations) - 1) + [answered]
