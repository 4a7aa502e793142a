"""An account is linked to the person's registry entry only when it is unmistakably theirs:
same verified e-mail, same names. Two people are never merged silently."""

from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import escape
from wagtail.models import ModelLogEntry

from accounts import services
from sessions.models import Enrolment
from tests.accounts.conftest import confirm_last_mail, make_user, sign_up
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

User = get_user_model()


def romanian(message: str) -> str:
    """A message as the page shows it (Romanian, HTML-escaped)."""
    with translation.override("ro"):
        return escape(translation.gettext(message))


def test_verifying_the_registry_email_with_matching_names_links_the_person(client, db):
    registered = ProfessionalFactory(
        first_name="Ana-Maria", last_name="Ştefănescu", email="ana.stefanescu@example.org"
    )
    past = Enrolment.objects.create(
        training_session=make_session(start_in=-60),
        professional=registered,
        status=Enrolment.Status.CONFIRMED,
    )

    sign_up(
        client, email="Ana.Stefanescu@example.org", first_name="ana maria", last_name="STEFANESCU"
    )
    user = User.objects.get(email="ana.stefanescu@example.org")
    registered.refresh_from_db()
    assert registered.user is None  # not before the address is verified

    confirm_last_mail(client)

    registered.refresh_from_db()
    assert registered.user == user
    assert list(Enrolment.objects.filter(professional__user=user)) == [past]
    assert ModelLogEntry.objects.filter(
        object_id=str(registered.pk), action="formativ.account.link"
    ).exists()
    # The profile shows the registry entry for editing, not a conflict.
    response = client.get("/cont/profil/")
    assert response.context["professional"] == registered
    assert not response.context["conflict"]


def test_same_email_under_another_name_is_not_linked_and_the_profile_says_so(client, db):
    registered = ProfessionalFactory(
        first_name="Maria", last_name="Ionescu", email="familie@example.org"
    )
    sign_up(client, email="familie@example.org", first_name="Ion", last_name="Ionescu")
    confirm_last_mail(client)
    user = User.objects.get(email="familie@example.org")

    registered.refresh_from_db()
    assert registered.user is None
    entry = ModelLogEntry.objects.get(
        object_id=str(registered.pk), action="formativ.account.link_conflict"
    )
    assert entry.data == {"user_id": user.pk, "professional_id": registered.pk}
    assert "Maria" not in entry.label and "Ionescu" not in entry.label

    response = client.get("/cont/profil/")
    assert response.context["conflict"]
    notice = romanian(
        "An entry in the registry already uses this e-mail address under another name. "
        "The organisers will check it and get in touch; until then you cannot register for "
        "trainings."
    )
    assert notice in response.content.decode()
    assert '<form method="post" novalidate>' not in response.content.decode()

    # Nor can the profile form be used to create a second person with that address.
    client.post("/cont/profil/", {"first_name": "Ion", "last_name": "Ionescu"})
    registered.refresh_from_db()
    assert registered.user is None
    assert registered.first_name == "Maria"
    # Visiting again does not fill the log.
    client.get("/cont/profil/")
    assert ModelLogEntry.objects.filter(action="formativ.account.link_conflict").count() == 1


def test_an_entry_already_linked_to_another_account_is_not_taken_over(db):
    owner = make_user(email="old@example.org")
    registered = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email="ana@example.org", user=owner
    )
    newcomer = make_user(email="ana@example.org", first_name="Ana", last_name="Popescu")

    assert services.account_link_professional(user=newcomer) is None
    assert services.account_link_professional(user=newcomer) is None
    assert (
        ModelLogEntry.objects.filter(
            object_id=str(registered.pk), action="formativ.account.link_conflict"
        ).count()
        == 1
    )
    registered.refresh_from_db()
    assert registered.user == owner
    assert services.registry_conflict(user=newcomer) == registered


def test_an_unverified_address_links_nothing(db):
    registered = ProfessionalFactory(first_name="Ana", last_name="Popescu", email="ana@example.org")
    user = make_user(email="ana@example.org", verified=False)

    assert services.account_link_professional(user=user) is None
    registered.refresh_from_db()
    assert registered.user is None


def test_a_conflict_the_organisers_resolve_links_on_the_next_profile_visit(client, db):
    registered = ProfessionalFactory(first_name="Ana", last_name="Popa", email="ana@example.org")
    user = make_user(email="ana@example.org", first_name="Ana", last_name="Popescu")
    client.force_login(user)
    assert client.get("/cont/profil/").context["conflict"]

    # The organisers find it is the same person (married name) and correct the registry.
    registered.last_name = "Popescu"
    from training.services import professional_save

    professional_save(professional=registered, acting_user=None)

    response = client.get("/cont/profil/")
    assert not response.context["conflict"]
    registered.refresh_from_db()
    assert registered.user == user
