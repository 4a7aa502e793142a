"""How often one person may try a self check-in code: the codes on the projector are short, so
guessing is slowed down. Counted in the shared cache, per user, in fixed 15-minute windows."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 15 * 60


def window_count(key: str, *, seconds: int) -> int:
    """Count one more under `key` in the shared cache, in fixed windows of `seconds`; returns
    the count so far in the current window."""
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window starts
        cache.set(key, 1, timeout=seconds)
        return 1


def checkin_attempt_allowed(user) -> bool:
    """Count one attempt by `user`; False once they are over the limit for the window."""
    attempts = window_count(f"formativ:checkin-attempts:{user.pk}", seconds=WINDOW_SECONDS)
    return attempts <= settings.CHECKIN_ATTEMPTS_PER_15_MINUTES
