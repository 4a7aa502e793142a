"""How the audit log shows what changed: "field: before → after", in the audit log, Wagtail's
site history and every object's history."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import localize
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

EMPTY = "—"
VIA_LABELS = {
    "admin.edit": _("admin edit page"),
    "admin.inspect": _("admin inspect page"),
    "api": _("REST API"),
    "admin.duplicates": _("admin duplicates review"),
}


def _field(model, name):
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _label(model, name) -> str:
    if name == "cnp":
        return "CNP"
    field = _field(model, name)
    return str(getattr(field, "verbose_name", name) or name)


def _value(value, field=None) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, dict):
        return str(value.get("label") or f"#{value.get('id')}")
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    choices = dict(getattr(field, "flatchoices", None) or ())
    if value in choices:
        return str(choices[value])
    return localize(value) if not isinstance(value, str) else value


def change_lines(log_entry) -> list[str]:
    """What an entry changed, one "field: before → after" line each."""
    data = log_entry.data or {}
    if not isinstance(data, dict):
        return []
    content_type = getattr(log_entry, "content_type", None)
    model = content_type.model_class() if content_type else None
    lines = []
    changes = data.get("changes")
    if isinstance(changes, dict):
        for name, change in changes.items():
            if change == "changed" or not isinstance(change, list | tuple) or len(change) != 2:
                lines.append(f"{_label(model, name)}: {gettext('changed')}")
                continue
            field = _field(model, name)
            before, after = (_value(v, field) for v in change)
            lines.append(f"{_label(model, name)}: {before} → {after}")
    if "from" in data and ("to" in data or "status" in data):
        field = _field(model, "status")
        before = _value(data["from"], field)
        after = _value(data.get("to", data.get("status")), field)
        lines.append(f"{_label(model, 'status')}: {before} → {after}")
    for key, text in (("added", _("added")), ("removed", _("removed"))):
        if data.get(key):
            lines.append(f"{text}: {_value(data[key])}")
    if data.get("via"):
        lines.append(f"{gettext('via')}: {VIA_LABELS.get(data['via'], data['via'])}")
    return lines


class ChangesFormatter(LogFormatter):
    """An action's message followed by what changed."""

    def __init__(self, label="", message=""):
        self.label = label
        self.message = message

    def format_message(self, log_entry):
        lines = change_lines(log_entry)
        message = str(self.message)
        return f"{message}: {'; '.join(lines)}" if lines else message
