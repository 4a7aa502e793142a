from django.core.management.base import BaseCommand

from evaluation import emails


class Command(BaseCommand):
    help = (
        "The periodic sweep of evaluation; run it from cron every 10 minutes beside "
        "process_due, e.g. '*/10 * * * * cd /srv/formativ && .venv/bin/python manage.py "
        "evaluation_due'. It sets up the forms of published sessions starting within "
        "a few days whose course has questionnaires, makes the invitations of new confirmed "
        "participants and mails the personal links that are due (the pre-test before the "
        "first day, the post-test and feedback after the last day, in one mail, the follow-up "
        "survey when it opens). Safe to run at any time and as often as wanted: nobody is "
        "mailed twice."
    )

    def handle(self, *args, **options):
        result = emails.sweep()
        self.stdout.write(f"Sessions set up: {result.sessions_set_up}")
        self.stdout.write(f"Invitations made: {result.invitations_made}")
        self.stdout.write(f"Evaluation mails sent: {result.mails_sent}")
