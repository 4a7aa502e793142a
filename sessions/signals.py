"""Keep each session's stored first and last day (starts_on, ends_on) in step with its days,
however a day is saved or deleted one by one: the admin's inline panel, the API, test
factories. Bulk writes (imports, demo data) and fixture loading (raw saves) send no such signal:
they call sessions.services.session_dates_refresh themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sessions.models import SessionDay


@receiver(post_save, sender=SessionDay, dispatch_uid="session_day_saved_dates")
@receiver(post_delete, sender=SessionDay, dispatch_uid="session_day_deleted_dates")
def _session_day_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from sessions.services import session_dates_refresh

    session_dates_refresh(session_ids=[instance.training_session_id])
