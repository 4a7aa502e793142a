from django.db import migrations, models

import sessions.models.schedule


class Migration(migrations.Migration):
    dependencies = [("training_sessions", "0006_checkin_tokens")]

    operations = [
        migrations.AlterField(
            model_name="enrolment",
            name="checkin_token",
            field=models.CharField(
                default=sessions.models.schedule.new_checkin_token,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="check-in code",
            ),
        ),
    ]
