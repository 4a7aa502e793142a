"""The Wagtail admin runs no inline script: its Content-Security-Policy forbids them, and every
widget and inline panel starts from a JSON data block (config.admin_scripts) instead."""

import gc
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from certificates.models import CertificateTemplate
from config import admin_scripts
from tests.factories.sessions import VenueFactory, add_quota, make_session
from tests.factories.training import (
    CourseFactory,
    FocalPointFactory,
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    ProjectFactory,
    TrainerFactory,
    county,
)

pytestmark = pytest.mark.django_db

DATA_TYPES = {"application/json", "application/ld+json"}


class ScriptFinder(HTMLParser):
    """Every script a browser would run from the markup itself: <script> without src whose type
    is a JavaScript one, `on…=` handler attributes and javascript: links; and the start-up calls
    the page asks for (data blocks and data-formativ-init attributes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline: list[str] = []
        self.blocks: list[dict] = []
        self._in_block = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag != "script" and "data-formativ-init" in attributes:
            self.blocks.append(json.loads(attributes["data-formativ-init"]))
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.inline.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in attributes:
            kind = (attributes.get("type") or "").strip().lower()
            if kind not in DATA_TYPES:
                self.inline.append(f"<script {attributes}>")
            self._in_block = "data-formativ-init" in attributes
            self._data = ""

    def handle_data(self, data):
        if self._in_block:
            self._data += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_block:
            self.blocks.append(json.loads(self._data))
            self._in_block = False


def scripts_of(markup: str) -> ScriptFinder:
    finder = ScriptFinder()
    finder.feed(markup)
    # A <template> (an inline panel's empty form) is parsed as markup too: its blocks count.
    return finder


# Not screens: Wagtail's error test pages, the sign-out, the JavaScript catalogue and sprite.
NOT_SCREENS = ("/admin/failwhale/", "/admin/test404/", "/admin/logout/", "/admin/jsi18n/")


def admin_urls_without_arguments() -> list[str]:
    """Every address under /admin/ that takes no argument: the listings, add forms and chooser
    modals of our snippets and model viewsets, and Wagtail's own (users, images, documents,
    reports, workflows, …)."""
    found = []

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            elif (
                isinstance(pattern, URLPattern)
                and route.startswith("admin/")
                and not any(c in route for c in "<^")
                and "/" + route not in NOT_SCREENS
            ):
                found.append("/" + route)

    walk(get_resolver(), "")
    return sorted(set(found))


@pytest.fixture
def records(db):
    project = ProjectFactory()
    session = make_session(day_count=2, project=project)
    add_quota(session, 5, county=county("CJ"))
    image = get_image_model().objects.create(title="Sigla", file=get_test_image_file())
    document = get_document_model().objects.create(
        title="Regulament", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="regulament.pdf")
    )
    return {
        "home": Page.objects.get(depth=2),
        "session": session,
        "course": CourseFactory(),
        "professional": ProfessionalFactory(),
        "institution": InstitutionFactory(),
        "trainer": TrainerFactory(),
        "team": LocalTeamFactory(),
        "focal_point": FocalPointFactory(county=county("CJ")),
        "venue": VenueFactory(),
        "project": project,
        "template": CertificateTemplate.objects.first()
        or CertificateTemplate.objects.create(name="Model"),
        "user": get_user_model().objects.create_user("ana", "ana@example.ro", "x" * 20),
        "image": image,
        "document": document,
    }


def admin_urls(records) -> list[str]:
    r = records
    session, day = r["session"], r["session"].days.first()
    edit = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{r['home'].pk}/",
        f"/admin/pages/{r['home'].pk}/edit/",
        f"/admin/trainingsession/edit/{r['session'].pk}/",
        f"/admin/snippets/training/professional/edit/{r['professional'].pk}/",
        f"/admin/snippets/training/institution/edit/{r['institution'].pk}/",
        f"/admin/snippets/training/course/edit/{r['course'].pk}/",
        f"/admin/snippets/training/trainer/edit/{r['trainer'].pk}/",
        f"/admin/snippets/training/localteam/edit/{r['team'].pk}/",
        f"/admin/snippets/training/focalpoint/edit/{r['focal_point'].pk}/",
        f"/admin/snippets/training/project/edit/{r['project'].pk}/",
        f"/admin/venue/edit/{r['venue'].pk}/",
        f"/admin/certificatetemplate/edit/{r['template'].pk}/",
        f"/admin/users/edit/{r['user'].pk}/",
        f"/admin/images/{r['image'].pk}/",
        f"/admin/documents/edit/{r['document'].pk}/",
        f"/admin/training-sessions/{session.pk}/roster/",
        f"/admin/training-sessions/{session.pk}/attendance/",
        f"/admin/training-sessions/{session.pk}/attendance/{day.pk}/",
        f"/admin/training-sessions/{session.pk}/attendance/{day.pk}/scan/",
        f"/admin/training-sessions/{session.pk}/attendance/{day.pk}/projector/",
        f"/admin/certificates/session/{session.pk}/issue/",
        f"/admin/privacy/erase/{r['professional'].pk}/",
    ]
    return edit + admin_urls_without_arguments()


def test_the_admin_policy_forbids_inline_scripts(admin_client):
    for url in ("/admin/", "/admin/reports/", "/admin/reports/evaluation/", "/admin/imports/"):
        header = admin_client.get(url)["Content-Security-Policy"]
        script_src = next(p.split()[1:] for p in header.split(";") if p.split()[0] == "script-src")
        assert script_src == ["'self'", "'wasm-unsafe-eval'"], url


# Wagtail leaves the temporary file of a new image rendition (the images screens make some) for
# the garbage collector to close.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_admin_screen_holds_an_inline_script(admin_client, records):
    urls = admin_urls(records)
    # The screens found include our snippets' and model viewsets' and Wagtail's own.
    for expected in (
        "/admin/reports/",
        "/admin/reports/evaluation/",
        "/admin/imports/",
        "/admin/audit-log/",
        "/admin/privacy/notices/",
        "/admin/privacy/retention/",
        "/admin/users/",
        "/admin/snippets/choose/training/course/",
        "/admin/trainingsession/new/",
        "/admin/snippets/training/professional/add/",
        "/admin/certificatetemplate/new/",
        "/admin/users/new/",
        "/admin/images/add/",
        "/admin/documents/add/",
    ):
        assert expected in urls
    checked = 0
    for url in urls:
        response = admin_client.get(url)
        if response.status_code in (302, 403, 404, 405):
            continue  # not a screen (a redirect, or nothing to add here)
        assert response.status_code == 200, url
        kind = response.get("Content-Type", "")
        if kind.startswith("application/json"):  # a chooser modal's step
            data = response.json()
            markup = data.get("html") or "" if isinstance(data, dict) else ""
        elif kind.startswith("text/html"):
            markup = response.content.decode()
        else:
            continue  # a spreadsheet, an image, a script file
        found = scripts_of(markup)
        assert found.inline == [], url
        checked += 1
    assert checked >= 150
    gc.collect()  # the renditions' files, while the warning is ignored


def test_the_session_form_starts_its_widgets_and_panels_from_data(admin_client, records):
    session = records["session"]
    body = admin_client.get(f"/admin/trainingsession/edit/{session.pk}/").content.decode()
    blocks = scripts_of(body).blocks
    assert any(
        b.get("new") == "SnippetChooser"
        and b["args"][0] == "id_course"
        and b["args"][1]["modalUrl"] == "/admin/snippets/choose/training/course/"
        for b in blocks
    )
    panels = [b for b in blocks if b.get("new") == "InlinePanel"]
    assert {p["args"][0]["formsetPrefix"] for p in panels} >= {"id_days", "id_quotas"}
    # The days' start and end pickers, for each existing day and in the empty form template.
    pickers = {b["args"][0] for b in blocks if b.get("call") == "initDateTimeChooser"}
    assert {"id_days-0-starts_at", "id_days-1-ends_at", "id_days-__prefix__-starts_at"} <= pickers


def test_a_chooser_modal_holds_no_inline_script(admin_client, records):
    response = admin_client.get("/admin/snippets/choose/training/course/")
    assert response.status_code == 200
    html = response.json()["html"]
    assert records["course"].title in html
    assert scripts_of(html).inline == []


def test_a_data_block_cannot_name_any_other_function():
    with pytest.raises(ValueError, match="alert"):
        admin_scripts.init_block("alert", ["x"])
    with pytest.raises(ValueError):
        admin_scripts.init_block("initDateChooser", ["x"], new=True)  # not a constructor
    # A value that would close the block is escaped.
    block = admin_scripts.init_block("initDateChooser", ["</script><script>alert(1)//", {}])
    assert "</script><script>" not in block.removesuffix("</script>")
    assert re.fullmatch(r'<script type="application/json" data-formativ-init>.*</script>', block)


def test_the_starter_knows_the_same_functions_as_the_server():
    from pathlib import Path

    from django.conf import settings

    script = Path(settings.BASE_DIR, "static/admin/formativ_init.js").read_text()
    constructors = re.search(r"var CONSTRUCTORS = \[(.*?)\];", script, re.S).group(1)
    functions = re.search(r"var FUNCTIONS = \[(.*?)\];", script, re.S).group(1)
    assert set(re.findall(r'"(\w+)"', constructors)) == admin_scripts.INIT_CONSTRUCTORS
    assert set(re.findall(r'"(\w+)"', functions)) == admin_scripts.INIT_FUNCTIONS
    assert "eval(" not in script and "Function(" not in script
