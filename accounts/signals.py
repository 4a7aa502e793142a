"""allauth's account events, handed to the account services."""

from accounts import services


def on_email_confirmed(sender, request, email_address, **kwargs):
    """A verified address: link the account to its registry entry (when the names match), or
    move the linked entry to the address once it is the account's primary one."""
    services.account_email_sync(user=email_address.user)


def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    services.account_email_sync(user=user)
