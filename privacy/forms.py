from django.utils.html import format_html
from django.utils.translation import gettext

from privacy.links import notice_url
from privacy.models import PrivacyNotice


def notice_checkbox_label(notice: PrivacyNotice) -> str:
    """“I have read the privacy notice (version N)”, the notice linked (opening in a new tab,
    so that a half-filled form is not lost)."""
    return format_html(
        gettext(
            'I have read the <a href="{url}" target="_blank" rel="noopener">privacy notice</a> '
            "(version {version}) and understand how my data is used."
        ),
        url=notice_url(),
        version=notice.version,
    )
