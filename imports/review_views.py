from django.views.generic import TemplateView


class IndexView(TemplateView):  # placeholder, replaced by the review UI
    template_name = "wagtailadmin/base.html"
