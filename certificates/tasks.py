"""Background work for certificates: issue runs and the "your certificate is ready" e-mail.
Tasks take primary keys and call services."""

from django_tasks import task

from certificates import emails, services
from certificates.models import Certificate, IssueRun


@task()
def run_issue(run_id: int) -> str | None:
    run = (
        IssueRun.objects.select_related("training_session", "requested_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None or run.status != IssueRun.Status.QUEUED:
        return None
    return services.issue_run_execute(run=run).status


@task()
def send_certificate_email(certificate_id: int) -> bool:
    certificate = (
        Certificate.objects.select_related(
            "enrolment__professional__user", "enrolment__training_session__course"
        )
        .filter(pk=certificate_id, status=Certificate.Status.VALID)
        .first()
    )
    return bool(certificate) and emails.send_certificate_ready(certificate=certificate)
