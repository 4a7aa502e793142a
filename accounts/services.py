"""Writes for people's own accounts: linking an account to its registry entry, the profile, and
keeping the registry's e-mail in step with the account's verified address.

Two people are never merged silently: an account is linked to a registry entry only when the
account's verified e-mail is the entry's and the names match; anything else is logged for the
organisers to check."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from privacy import services as privacy_services
from privacy.models import ConsentRecord, PrivacyNotice
from training.models import Professional
from training.services import (
    model_save,
    professional_create,
    professional_duplicates_record,
    professional_save,
)
from training.text import name_match_key, normalize_text

CONFLICT_MESSAGE = _(
    "An entry in the registry already uses this e-mail address under another name. "
    "The organisers will check it; until then you cannot register for trainings."
)

LINK_ACTION = "formativ.account.link"
LINK_CONFLICT_ACTION = "formativ.account.link_conflict"
EMAIL_CONFLICT_ACTION = "formativ.account.email_conflict"

# What a person may change about themselves; e-mail and account link are not among them.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "sex",
    "county",
    "sector",
    "institution",
    "category",
    "category_detail",
    "preferred_language",
    "contact_consent",
)


def verified_primary_email(*, user: AbstractBaseUser) -> str | None:
    """The account's primary e-mail address, lower-cased, if it has been verified."""
    address = EmailAddress.objects.filter(user=user, primary=True, verified=True).first()
    return address.email.strip().lower() if address else None


def _linked_professional(user: AbstractBaseUser) -> Professional | None:
    return Professional.objects.filter(user=user).first()


def registry_conflict(*, user: AbstractBaseUser, email: str | None = None) -> Professional | None:
    """The registry entry that uses the account's verified e-mail but may not be linked to it
    (another name, or already another account's), or None."""
    email = email if email is not None else verified_primary_email(user=user)
    if not email:
        return None
    other = Professional.objects.filter(email__iexact=email).exclude(user=user).first()
    if other is None:
        return None
    if other.user_id is not None:
        return other
    if name_match_key(user.first_name, user.last_name) != other.match_key:
        return other
    return None


def _log_conflict(*, professional: Professional, user: AbstractBaseUser, action: str) -> None:
    # Ids only: the log's title is the entry's number, not the person's name.
    log(
        instance=professional,
        action=action,
        user=user,
        title=f"#{professional.pk}",
        data={"user_id": user.pk, "professional_id": professional.pk},
    )


@transaction.atomic
def account_link_professional(*, user: AbstractBaseUser) -> Professional | None:
    """Link the account to the registry entry with its verified e-mail, when the names match and
    the entry has no account yet. Returns the linked entry (also one linked earlier), or None.
    A mismatch is logged as a conflict and nothing is linked."""
    linked = _linked_professional(user)
    if linked is not None:
        return linked
    email = verified_primary_email(user=user)
    if not email:
        return None
    professional = (
        Professional.objects.select_for_update().filter(email__iexact=email).order_by("pk").first()
    )
    if professional is None:
        return None
    names_match = name_match_key(user.first_name, user.last_name) == professional.match_key
    if professional.user_id is not None or not names_match:
        # Once per account and entry: the profile asks again on every visit.
        if not _conflict_logged(professional=professional, user=user, action=LINK_CONFLICT_ACTION):
            _log_conflict(professional=professional, user=user, action=LINK_CONFLICT_ACTION)
        return None
    professional.user = user
    # Only the link is validated here: an older registry entry's other gaps are the person's to
    # fill in on the profile, and must not stop them from getting their own history.
    model_save(
        instance=professional,
        acting_user=user,
        exclude=[f.name for f in Professional._meta.concrete_fields if f.name != "user"],
    )
    log(
        instance=professional,
        action=LINK_ACTION,
        user=user,
        title=f"#{professional.pk}",
        data={
            "user_id": user.pk,
            "professional_id": professional.pk,
            "changes": {"user": [None, {"id": user.pk, "label": user.get_username()}]},
        },
    )
    return professional


def _conflict_logged(*, professional: Professional, user: AbstractBaseUser, action: str) -> bool:
    return ModelLogEntry.objects.filter(
        object_id=str(professional.pk), action=action, data__user_id=user.pk
    ).exists()


@transaction.atomic
def profile_save(*, user: AbstractBaseUser, data: dict[str, Any]) -> Professional:
    """Create the person's registry entry, or update the one linked to their account, from what
    they typed on their profile. `data` holds PROFILE_FIELDS (model instances for the foreign
    keys) and `cnp`: None keeps the stored CNP, "" erases it. The e-mail is always the account's
    verified one. A change of `contact_consent` is recorded as a consent record. Raises
    ValidationError (by field) and saves nothing when anything is wrong."""
    email = verified_primary_email(user=user)
    if not email:
        raise ValidationError(gettext("Verify your e-mail address first."))
    professional = account_link_professional(user=user)
    if professional is None and registry_conflict(user=user, email=email) is not None:
        raise ValidationError(str(CONFLICT_MESSAGE))
    fields = {name: data[name] for name in PROFILE_FIELDS if name in data}
    cnp = data.get("cnp")
    contact_before = professional.contact_consent if professional is not None else False
    if professional is None:
        professional = professional_create(
            acting_user=user, cnp=cnp, email=email, user=user, **fields
        )
        professional_duplicates_record(professional=professional, source=gettext("sign-up"))
    else:
        for name, value in fields.items():
            setattr(professional, name, value)
        professional.email = email
        professional = professional_save(professional=professional, acting_user=user, cnp=cnp)
    first_name, last_name = professional.first_name, professional.last_name
    if (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    if professional.contact_consent != contact_before:
        privacy_services.contact_consent_record(
            professional=professional,
            given=professional.contact_consent,
            context=ConsentRecord.Context.PROFILE,
            acting_user=user,
        )
    return professional


def account_notice_accept(
    *, user: AbstractBaseUser, notice: PrivacyNotice | None, context: str
) -> None:
    """The person ticked "I have read the privacy notice" (version `notice`, the one shown to
    them); nothing to record when no notice is published."""
    if notice is None:
        return
    privacy_services.notice_accept(user=user, notice=notice, context=context)


@transaction.atomic
def account_email_sync(*, user: AbstractBaseUser) -> Professional | None:
    """After an address is verified: the linked registry entry takes the account's verified
    primary e-mail; an account without an entry is linked when it may be. When another entry
    already uses the new address, the entry keeps its old one and the clash is logged."""
    professional = _linked_professional(user)
    if professional is None:
        return account_link_professional(user=user)
    email = verified_primary_email(user=user)
    if not email or professional.email == email:
        return professional
    professional.email = email
    try:
        with transaction.atomic():
            return professional_save(professional=professional, acting_user=user)
    except ValidationError:
        professional.refresh_from_db()
        other = Professional.objects.filter(email__iexact=email).exclude(pk=professional.pk).first()
        _log_conflict(professional=other or professional, user=user, action=EMAIL_CONFLICT_ACTION)
        return professional


@transaction.atomic
def account_names_save(*, user: AbstractBaseUser, first_name: str, last_name: str) -> None:
    """The names the person gives at sign-up, tidied like the registry's (comma-below ș ț)."""
    user.first_name = normalize_text(first_name)[:150]
    user.last_name = normalize_text(last_name)[:150]
    user.save(update_fields=["first_name", "last_name"])
