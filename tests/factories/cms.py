"""A small public page tree for tests: every page type once, under the Romanian home page."""

from wagtail.models import Locale

from cms.models import (
    CalendarPage,
    CurriculumPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectIndexPage,
    ProjectPage,
    SeminarIndexPage,
    SeminarPage,
    StandardPage,
)


def add(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def romanian_home() -> HomePage:
    return HomePage.objects.get(locale=Locale.objects.get(language_code="ro"))


def page_tree(*, course, curriculum, project) -> dict:
    home = romanian_home()
    seminars = add(home, SeminarIndexPage(title="Seminarii", slug="seminarii", show_in_menus=True))
    calendar = add(home, CalendarPage(title="Calendar", slug="calendar", show_in_menus=True))
    projects = add(home, ProjectIndexPage(title="Proiecte", slug="proiecte"))
    news = add(home, NewsIndexPage(title="Noutăți", slug="noutati"))
    return {
        "home": home,
        "seminar_index": seminars,
        "seminar": add(
            seminars, SeminarPage(title="Evaluarea riscului", slug="evaluare", course=course)
        ),
        "curriculum": add(
            seminars, CurriculumPage(title="Program", slug="program", curriculum=curriculum)
        ),
        "calendar": calendar,
        "project_index": projects,
        "project": add(projects, ProjectPage(title="VENUS", slug="venus", project=project)),
        "news_index": news,
        "news": add(
            news, NewsPage(title="Conferința de închidere", slug="conferinta", project=project)
        ),
        "standard": add(
            home,
            StandardPage(title="Declarație de accesibilitate", slug="declaratie-accesibilitate"),
        ),
    }
