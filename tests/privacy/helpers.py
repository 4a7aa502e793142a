"""Shared builders for the privacy tests."""

from django.utils import translation

from privacy import services
from privacy.models import PrivacyNotice


def new_version(staff=None, *, publish: bool = True) -> PrivacyNotice:
    notice = services.notice_create(
        acting_user=staff,
        title_ro="Notă de informare, ediția nouă",
        title_en="Privacy notice, new edition",
        body_ro="Textul nou în română: ședințe, țări.",
        body_en="The new English text.",
    )
    if publish:
        notice = services.notice_publish(notice=notice, acting_user=staff)
    return notice


def text(response) -> str:
    return response.content.decode()


def romanian(message: str) -> str:
    with translation.override("ro"):
        return translation.gettext(message)
