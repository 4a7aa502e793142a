"""Registration on the public site: a session's page, registering, nominating, "my trainings".
Thin views over sessions.selectors and sessions.services."""

from django.http import Http404
from django.views import View


class _Pending(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


SessionDetailView = RegisterView = NominateView = MyTrainingsView = CancelView = RespondView = (
    _Pending
)
