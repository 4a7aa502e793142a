"""The evaluation forms on "My trainings": one look-up for the whole page
(`{% evaluation_forms upcoming past as forms_by_enrolment %}`, rows of
sessions.selectors.enrolment_actions), then `forms_by_enrolment|get_item:enrolment.pk`."""

from django import template
from django.urls import reverse

from evaluation import selectors
from evaluation.forms import purpose_name
from evaluation.models import SessionForm

register = template.Library()

P = SessionForm.Purpose


@register.simple_tag
def evaluation_forms(*row_lists) -> dict:
    enrolments = [row.enrolment for rows in row_lists for row in rows or ()]
    if not enrolments:
        return {}
    return selectors.forms_for_enrolments(enrolments=enrolments)


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def evaluation_link(pending) -> str:
    """Their personal link when they have an invitation; else the room address, which makes it."""
    if pending.invitation is not None:
        return reverse("evaluation:answer", kwargs={"token": pending.invitation.token})
    return reverse("evaluation:room", kwargs={"code": pending.session_form.code})


@register.filter
def evaluation_form_name(pending) -> str:
    return purpose_name(pending.session_form.purpose)
