import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import sessions.models


def give_days_uids(apps, schema_editor):
    SessionDay = apps.get_model("training_sessions", "SessionDay")
    for day in SessionDay.objects.filter(uid__isnull=True).only("pk"):
        SessionDay.objects.filter(pk=day.pk).update(uid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("training_sessions", "0002_registration_rules_quotas_offers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionday",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_days_uids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="sessionday",
            name="uid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="calendar UID"
            ),
        ),
        migrations.AddField(
            model_name="sessionday",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="calendar revision"
            ),
        ),
        migrations.AddField(
            model_name="sessionday",
            name="calendar_signature",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="sessionday",
            name="calendar_changed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="calendar last changed"
            ),
        ),
        migrations.AddField(
            model_name="enrolment",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.CreateModel(
            name="CalendarToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "token",
                    models.CharField(
                        default=sessions.models.new_calendar_token, max_length=64, unique=True
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_token",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "calendar subscription key",
                "verbose_name_plural": "calendar subscription keys",
            },
        ),
    ]
