from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from wagtail.log_actions import log
from wagtail.models import APIToken


class Command(BaseCommand):
    help = "Create a REST API bearer token for a user and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        token, plaintext = APIToken.create_token(user=user, name=name)
        log(token, "wagtail.apitoken.create", data={"source": "create_api_token"})
        self.stdout.write(plaintext)
