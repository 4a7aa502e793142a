"""Background work for large imports: tasks take primary keys and call services."""

from django.contrib.auth import get_user_model
from django_tasks import task

from imports import services
from imports.models import ImportBatch


@task()
def check_import(batch_id: int) -> str | None:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.UPLOADED:
        return None
    return services.import_batch_check(batch=batch).status


@task()
def run_import(batch_id: int, user_id: int | None) -> str | None:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.RUNNING:
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.import_batch_run(batch=batch, acting_user=user).status
