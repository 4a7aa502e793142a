"""Background work for personal data: the retention run (daily, or from the admin page)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks import task

from privacy.retention import retention_run


@task()
def retention_run_task(today: str | None = None, acting_user_id: int | None = None) -> dict:
    """Erase the people past retention on `today` (ISO date; by default the local date)."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    user = get_user_model().objects.filter(pk=acting_user_id).first() if acting_user_id else None
    report = retention_run(today=day, dry_run=False, acting_user=user)
    return {"erased": report.erased, "failed": report.failed, "people": report.people}
