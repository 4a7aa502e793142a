"""model_save records what an edit changed, before and after, and never a CNP."""

import datetime
import json

from django.utils import translation

from audit.formatters import change_lines
from tests.audit.conftest import entries
from tests.factories.training import build_cnp, county
from training.services import professional_create, professional_save

CNP = build_cnp("2", datetime.date(1985, 3, 4))


def test_an_edit_records_each_changed_field_before_and_after(staff_user):
    cluj, brasov = county("CJ"), county("BV")
    person = professional_create(
        acting_user=staff_user,
        first_name="Maria",
        last_name="Pop",
        email="maria.pop@example.org",
        county=cluj,
    )
    [created] = entries("wagtail.create", person)
    assert "changes" not in created.data

    person.first_name = "Maria Elena"
    person.county = brasov
    professional_save(professional=person, acting_user=staff_user, cnp=CNP)

    [edit] = entries("wagtail.edit", person)
    assert edit.user == staff_user
    assert edit.timestamp is not None
    changes = edit.data["changes"]
    assert changes["first_name"] == ["Maria", "Maria Elena"]
    assert changes["county"] == [
        {"id": cluj.pk, "label": str(cluj)},
        {"id": brasov.pk, "label": str(brasov)},
    ]
    assert changes["cnp"] == "changed"
    assert set(changes) == {"first_name", "county", "cnp", "birth_date"}  # born from the CNP
    assert changes["birth_date"] == [None, "1985-03-04"]
    # Neither the CNP nor its stored forms are anywhere in the entry.
    stored = json.dumps(edit.data)
    assert CNP not in stored
    person.refresh_from_db()
    assert person.cnp_hash not in stored
    assert person.cnp_encrypted not in stored
    with translation.override("en"):
        lines = change_lines(edit)
    assert "first name: Maria → Maria Elena" in lines
    assert f"county: {cluj} → {brasov}" in lines
    assert "CNP: changed" in lines
    assert "Maria Elena" in edit.message


def test_saving_without_changes_records_no_change(staff_user):
    person = professional_create(
        acting_user=staff_user, first_name="Ion", last_name="Ionescu", county=county("CJ")
    )
    professional_save(professional=person, acting_user=staff_user)
    [edit] = entries("wagtail.edit", person)
    assert edit.data == {"changes": {}}
