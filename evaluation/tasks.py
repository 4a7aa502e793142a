"""Background work for evaluation: the periodic sweep (forms set up, invitations made and
mailed). Tasks call evaluation.emails."""

from django_tasks import task

from evaluation import emails


@task()
def process_evaluation_due() -> dict[str, int]:
    result = emails.sweep()
    return {
        "sessions_set_up": result.sessions_set_up,
        "invitations_made": result.invitations_made,
        "mails_sent": result.mails_sent,
    }
