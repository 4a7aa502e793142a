"""How often one person may try a self check-in code: the codes on the projector are short, so
guessing is slowed down. Counted in the shared cache, per user, in fixed 15-minute windows."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 15 * 60


def checkin_attempt_allowed(user) -> bool:
    """Count one attempt by `user`; False once they are over the limit for the window."""
    key = f"formativ:checkin-attempts:{user.pk}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window starts
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        attempts = 1
    return attempts <= settings.CHECKIN_ATTEMPTS_PER_15_MINUTES
