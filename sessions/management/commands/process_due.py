from django.core.management.base import BaseCommand

from sessions import emails, services


class Command(BaseCommand):
    help = (
        "The periodic sweep of registrations; run it from cron every 10 minutes, e.g. "
        "'*/10 * * * * cd /srv/formativ && .venv/bin/python manage.py process_due'. "
        "It ends seat offers whose time to answer has passed (the seat goes to the next person "
        "waiting, and both are e-mailed) and sends the reminders due "
        "(each session's 'reminder days' before its first day, to confirmed participants of "
        "published sessions). Safe to run at any time and as often as wanted: what is done is "
        "not done twice. The offers' own scheduled tasks usually end them on time; this sweep "
        "catches any the task worker missed."
    )

    def handle(self, *args, **options):
        expired = services.expire_lapsed_offers()
        reminded = emails.send_due_reminders()
        self.stdout.write(f"Offers expired: {expired}")
        self.stdout.write(f"Reminders sent: {reminded}")
