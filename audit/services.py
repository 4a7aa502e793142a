"""Writes of the audit app: the log of staff opening a person's full record."""

from wagtail.log_actions import log

from training.models import Professional

PERSON_VIEW_ACTION = "formativ.person.view"
# Where a record was opened: the log says which screen, never what it showed.
VIA_ADMIN_EDIT = "admin.edit"
VIA_ADMIN_INSPECT = "admin.inspect"
VIA_API = "api"
VIA_ADMIN_DUPLICATES = "admin.duplicates"


def person_view_log(*, professional: Professional, user, via: str):
    """Log that `user` opened `professional`'s full record (`via`: which screen or endpoint).
    A person looking at their own record is not staff access and is not logged. The entry
    holds the record's number only, no personal values."""
    if user is None or not getattr(user, "pk", None):
        return None
    if professional.user_id is not None and professional.user_id == user.pk:
        return None
    return log(
        instance=professional,
        action=PERSON_VIEW_ACTION,
        user=user,
        title=f"#{professional.pk}",
        data={"via": via},
    )
