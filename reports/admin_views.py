"""The reports dashboard (built next)."""

from django.views.generic import TemplateView


class DashboardView(TemplateView):
    template_name = "reports/dashboard.html"
