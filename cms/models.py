"""The public site's pages. Pages present; the domain apps decide (through selectors)."""

import datetime
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock
from reports import selectors as report_selectors
from sessions import ical
from sessions import selectors as session_selectors
from sessions.forms import SessionFilterForm
from training.models import Indicator

PAGE_SIZE = 20
SESSIONS_ON_A_PAGE = 12  # a seminar page shows the next ones; the calendar has them all


def paginate(request, items, per_page=PAGE_SIZE):
    """A page of `items` for ?page=N; a number out of range gives the nearest page, anything
    else the first, never an error."""
    paginator = Paginator(items, per_page)
    raw = request.GET.get("page", "1")
    try:
        return paginator.page(raw)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(
            paginator.num_pages if str(raw).lstrip("-").isdigit() and int(raw) > 1 else 1
        )


class BasePage(Page):
    """What every public page has: a short introduction, searchable."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        abstract = True


class HomePage(BasePage):
    """Upcoming sessions, featured seminars, latest news and headline figures."""

    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.SeminarIndexPage",
        "cms.CalendarPage",
        "cms.ProjectIndexPage",
        "cms.NewsIndexPage",
        "cms.StandardPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["upcoming_sessions"] = session_selectors.public_session_list()[:6]
        context["featured_seminars"] = (
            SeminarPage.objects.live()
            .filter(featured=True, locale=self.locale)
            .select_related("course")[:3]
        )
        context["latest_news"] = (
            NewsPage.objects.live().filter(locale=self.locale).order_by("-date")[:3]
        )
        # The report service's public figures (small counts suppressed), which count over
        # every attendance mark: computed at most every five minutes.
        context["figures"] = cache.get_or_set(
            "formativ:headline-figures", report_selectors.public_figures, 300
        )
        context["calendar_page"] = CalendarPage.objects.live().filter(locale=self.locale).first()
        return context


class SeminarIndexPage(BasePage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.SeminarPage", "cms.CurriculumPage"]

    class Meta:
        verbose_name = _("seminar index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().specific()
        context["seminars"] = [p for p in children if isinstance(p, SeminarPage)]
        context["curricula"] = [p for p in children if isinstance(p, CurriculumPage)]
        return context


class SeminarPage(BasePage):
    """A course or seminar series, with its upcoming sessions read live."""

    course = models.ForeignKey(
        "training.Course", on_delete=models.PROTECT, related_name="+", verbose_name=_("course")
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    partners = models.TextField(
        _("partners"), blank=True, help_text=_("Organisations that deliver it with ANES.")
    )
    featured = models.BooleanField(_("featured on the home page"), default=False)

    parent_page_types = ["cms.SeminarIndexPage"]
    subpage_types = []
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    content_panels = [
        *BasePage.content_panels,
        FieldPanel("course"),
        FieldPanel("body"),
        FieldPanel("partners"),
        FieldPanel("featured"),
    ]

    class Meta:
        verbose_name = _("seminar page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = session_selectors.SessionFilters(course=self.course)
        sessions = session_selectors.public_session_list(filters=filters)
        context["sessions"] = sessions[:SESSIONS_ON_A_PAGE]
        context["sessions_total"] = sessions.count()
        context["calendar_page"] = CalendarPage.objects.live().filter(locale=self.locale).first()
        context["target_categories"] = self.course.target_categories.all()
        context["trainers"] = session_selectors.course_trainers(course=self.course)
        return context


class CurriculumPage(BasePage):
    """A training programme: its modules, hours, outcomes, version and the sessions teaching
    it."""

    curriculum = models.ForeignKey(
        "training.Curriculum",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("curriculum"),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    parent_page_types = ["cms.SeminarIndexPage"]
    subpage_types = []
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    content_panels = [*BasePage.content_panels, FieldPanel("curriculum"), FieldPanel("body")]

    class Meta:
        verbose_name = _("curriculum page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        courses = list(self.curriculum.courses.order_by("code"))
        context["courses"] = courses
        context["total_hours"] = sum(c.hours for c in courses)
        context["outcomes"] = [
            line.strip() for line in self.curriculum.learning_outcomes.splitlines() if line.strip()
        ]
        context["sessions"] = session_selectors.public_session_list().filter(
            course__curriculum=self.curriculum
        )
        return context


class CalendarPage(BasePage):
    """All upcoming published sessions: filters, a list and a month view, pagination."""

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("training calendar")

    def get_context(self, request, *args, **kwargs):
        from cms.month import month_grid

        context = super().get_context(request, *args, **kwargs)
        form = SessionFilterForm(request.GET or None)
        filters = form.session_filters()
        sessions = session_selectors.public_session_list(filters=filters)
        view = "month" if request.GET.get("view") == "month" else "list"
        context.update(form=form, view=view)
        if view == "month":
            month = filters.month or timezone.localdate().replace(day=1)
            context["month"] = month
            context["weeks"] = month_grid(
                month,
                session_selectors.public_session_list(
                    filters=dataclass_replace(filters, month=month)
                ).prefetch_related("days"),
            )
            context["previous_month"] = (month - datetime.timedelta(days=1)).replace(day=1)
            context["next_month"] = (month + datetime.timedelta(days=32)).replace(day=1)
        else:
            context["page_obj"] = paginate(request, sessions)
        context["query_without_page"] = _query_without(request, "page")
        context["query_without_view"] = _query_without(request, "view", "page")
        context["feed"] = _feed_addresses(form)
        return context


# The calendar page's filters that its feed carries (a feed has no month, page or view).
FEED_FILTERS = ("county", "project", "course", "category", "delivery_type", "mode")


def _feed_addresses(form) -> dict:
    """The public feed with the page's valid filters: the .ics path, its https address and the
    webcal:// one that calendar apps offer to subscribe to."""
    query = {}
    if form.is_bound:
        query = {
            name: form.data[name]
            for name in FEED_FILTERS
            if form.data.get(name) and name not in form.errors
        }
    path = reverse("training_sessions:feed") + (f"?{urlencode(query)}" if query else "")
    https = ical.absolute_url(path)
    return {"path": path, "https": https, "webcal": ical.webcal_url(https)}


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class ProjectIndexPage(BasePage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProjectPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("project index")


@dataclass(frozen=True)
class PublicIndicator:
    """An indicator as the public sees it: what was achieved, unless it is a small count (then
    `suppressed`, and neither the number nor the progress that would give it away)."""

    indicator: object
    achieved: int | None
    percent: int | None
    suppressed: bool = False


def public_indicators(*, project) -> list[PublicIndicator]:
    """A project's indicators with their progress, counted by the report service; counts of 1
    to 4 persons are suppressed (sessions held are public anyway)."""
    out = []
    for progress in report_selectors.project_indicators(project=project):
        if progress.achieved is None:  # a unit Formativ does not count
            out.append(PublicIndicator(progress.indicator, None, None))
        elif (
            progress.indicator.unit != Indicator.Unit.SESSIONS
            and report_selectors.suppressed(progress.achieved) is None
        ):
            out.append(PublicIndicator(progress.indicator, None, None, suppressed=True))
        else:
            out.append(PublicIndicator(progress.indicator, progress.achieved, progress.percent))
    return out


class ProjectPage(BasePage):
    """A funded project: funder, programme, contract, period, partners, indicators."""

    project = models.ForeignKey(
        "training.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    parent_page_types = ["cms.ProjectIndexPage"]
    subpage_types = []
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    content_panels = [*BasePage.content_panels, FieldPanel("project"), FieldPanel("body")]

    class Meta:
        verbose_name = _("project page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Counted by the report service over every participation: cached like the home page's
        # figures, so that visitors cannot make the server recount at will.
        context["indicators"] = cache.get_or_set(
            f"formativ:project-indicators:{self.project_id}",
            lambda: public_indicators(project=self.project),
            300,
        )
        context["partners"] = self.project.partners.select_related("county").order_by("name")
        return context


class NewsIndexPage(BasePage):
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().child_of(self).order_by("-date", "-pk")
        context["page_obj"] = paginate(request, news, per_page=10)
        return context


class NewsPage(BasePage):
    """A news item or press release (comunicat de presă)."""

    date = models.DateField(_("date"), default=timezone.localdate)
    project = models.ForeignKey(
        "training.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
        help_text=_("The funder's publicity block is shown for a project's news."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    content_panels = [
        *BasePage.content_panels,
        FieldPanel("date"),
        FieldPanel("project"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("news page")


class StandardPage(BasePage):
    """About, contact, privacy notice, accessibility statement."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    content_panels = [*BasePage.content_panels, FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")
