from django.http import Http404
from django.views import View


class ProfileView(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404
