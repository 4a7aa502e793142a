"""Writes for privacy notices and consent records. A published notice is never changed or
deleted; consent records are only ever added. Every write is in the audit log."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from privacy.models import ConsentRecord, PrivacyNotice
from privacy.selectors import current_notice
from training.models import Professional

NOTICE_CREATE_ACTION = "formativ.privacy.notice_create"
NOTICE_EDIT_ACTION = "formativ.privacy.notice_edit"
NOTICE_PUBLISH_ACTION = "formativ.privacy.notice_publish"
NOTICE_DELETE_ACTION = "formativ.privacy.notice_delete"
CONSENT_ACTION = "formativ.privacy.consent"

NOTICE_FIELDS = ("title_ro", "title_en", "body_ro", "body_en")


def _refuse_if_published(notice: PrivacyNotice) -> None:
    if notice.published_at is not None:
        raise PermissionDenied(
            _("A published privacy notice cannot be changed: add a new version instead.")
        )


@transaction.atomic
def notice_create(
    *,
    acting_user: AbstractBaseUser | None,
    title_ro: str,
    title_en: str,
    body_ro: str,
    body_en: str,
) -> PrivacyNotice:
    """A new draft version, numbered after the highest existing one."""
    # Lock the existing versions so that two drafts made at once get different numbers.
    list(PrivacyNotice.objects.select_for_update().values_list("pk", flat=True))
    highest = PrivacyNotice.objects.aggregate(highest=Max("version"))["highest"] or 0
    notice = PrivacyNotice(
        version=highest + 1, title_ro=title_ro, title_en=title_en, body_ro=body_ro, body_en=body_en
    )
    notice.full_clean()
    notice.save()
    log(
        instance=notice,
        action=NOTICE_CREATE_ACTION,
        user=acting_user,
        data={"version": notice.version},
    )
    return notice


@transaction.atomic
def notice_update(
    *, notice: PrivacyNotice, acting_user: AbstractBaseUser | None, **fields: str
) -> PrivacyNotice:
    """Change a draft's titles or texts; a published version is refused (PermissionDenied)."""
    notice = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    _refuse_if_published(notice)
    unknown = set(fields) - set(NOTICE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.full_clean()
    notice.save(update_fields=[*fields])
    log(
        instance=notice,
        action=NOTICE_EDIT_ACTION,
        user=acting_user,
        data={"version": notice.version, "fields": sorted(fields)},
    )
    return notice


@transaction.atomic
def notice_publish(*, notice: PrivacyNotice, acting_user: AbstractBaseUser | None) -> PrivacyNotice:
    """Publish a draft: from now on it is the current notice, and people are asked to accept
    it. Publishing an older draft than the current version is refused."""
    notice = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    _refuse_if_published(notice)
    newer = PrivacyNotice.objects.filter(published_at__isnull=False, version__gt=notice.version)
    if newer.exists():
        raise ValidationError(
            _("A newer version is already published: add a new version instead of this draft.")
        )
    notice.published_at = timezone.now()
    notice.save(update_fields=["published_at"])
    log(
        instance=notice,
        action=NOTICE_PUBLISH_ACTION,
        user=acting_user,
        data={"version": notice.version},
    )
    return notice


@transaction.atomic
def notice_delete(*, notice: PrivacyNotice, acting_user: AbstractBaseUser | None) -> None:
    """Delete a draft; a published version is refused (PermissionDenied)."""
    notice = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    _refuse_if_published(notice)
    log(
        instance=notice,
        action=NOTICE_DELETE_ACTION,
        user=acting_user,
        data={"version": notice.version},
    )
    notice.delete()


@transaction.atomic
def consent_record(
    *,
    purpose: str,
    context: str,
    given: bool = True,
    professional: Professional | None = None,
    user: AbstractBaseUser | None = None,
    notice: PrivacyNotice | None = None,
    recorded_by: AbstractBaseUser | None = None,
    acting_user: AbstractBaseUser | None = None,
) -> ConsentRecord:
    """Record one act of agreeing (or withdrawing) for a person, an account, or both. For the
    privacy notice, the version accepted is the current one unless `notice` says which.
    `recorded_by` is who recorded it when not the person themself (a nomination)."""
    if professional is None and user is None:
        raise ValidationError("A consent record needs a person or an account.")
    if professional is None and user is not None:
        professional = Professional.objects.filter(user=user).first()
    if user is None and professional is not None:
        user = professional.user
    if purpose == ConsentRecord.Purpose.PRIVACY_NOTICE and notice is None:
        notice = current_notice()
        if notice is None:
            raise ValidationError(_("No privacy notice is published yet."))
    record = ConsentRecord(
        professional=professional,
        user=user,
        notice=notice,
        purpose=purpose,
        given=given,
        context=context,
        recorded_by=recorded_by,
    )
    record.full_clean()
    record.save()
    # Ids and choices only: the log holds no names.
    log(
        instance=record,
        action=CONSENT_ACTION,
        user=acting_user or recorded_by or user,
        title=f"#{record.pk}",
        data={
            "purpose": purpose,
            "given": given,
            "context": context,
            "notice_version": notice.version if notice else None,
            "professional_id": professional.pk if professional else None,
            "user_id": user.pk if user else None,
        },
    )
    return record


def notice_accept(
    *, user: AbstractBaseUser, context: str, notice: PrivacyNotice | None = None
) -> ConsentRecord:
    """The signed-in person accepts the current (or the given) notice."""
    return consent_record(
        purpose=ConsentRecord.Purpose.PRIVACY_NOTICE,
        context=context,
        user=user,
        notice=notice,
        acting_user=user,
    )


def contact_consent_record(
    *,
    professional: Professional,
    given: bool,
    context: str,
    acting_user: AbstractBaseUser | None,
) -> ConsentRecord:
    """The person's "contact me about future trainings" choice changed."""
    return consent_record(
        purpose=ConsentRecord.Purpose.CONTACT,
        given=given,
        context=context,
        professional=professional,
        notice=current_notice(),
        acting_user=acting_user,
    )
