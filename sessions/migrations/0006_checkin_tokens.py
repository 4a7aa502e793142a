# Every existing registration gets its own check-in code; a separate migration from the
# schema changes around it, as PostgreSQL wants.

from django.db import migrations

import sessions.models.schedule


def give_checkin_tokens(apps, schema_editor):
    """Every existing registration gets its own check-in code."""
    Enrolment = apps.get_model("training_sessions", "Enrolment")
    batch = []
    for enrolment in Enrolment.objects.only("pk").iterator():
        enrolment.checkin_token = sessions.models.schedule.new_checkin_token()
        batch.append(enrolment)
        if len(batch) == 2000:
            Enrolment.objects.bulk_update(batch, ["checkin_token"])
            batch = []
    Enrolment.objects.bulk_update(batch, ["checkin_token"])


class Migration(migrations.Migration):
    dependencies = [("training_sessions", "0005_attendance")]

    operations = [migrations.RunPython(give_checkin_tokens, migrations.RunPython.noop)]
