"""Editors can create every page type in the admin, under its allowed parent."""

import pytest
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import StandardPage
from tests.factories.cms import page_tree
from tests.factories.training import CourseFactory, CurriculumFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    curriculum = CurriculumFactory()
    return page_tree(
        course=CourseFactory(curriculum=curriculum), curriculum=curriculum, project=ProjectFactory()
    )


@pytest.mark.parametrize(
    ("model", "parent"),
    [
        ("seminarpage", "seminar_index"),
        ("curriculumpage", "seminar_index"),
        ("projectpage", "project_index"),
        ("newspage", "news_index"),
        ("standardpage", "home"),
        ("standardpage", "standard"),
    ],
)
def test_the_add_form_of_every_page_type_opens(admin_client, tree, model, parent):
    response = admin_client.get(f"/admin/pages/add/cms/{model}/{tree[parent].pk}/")
    assert response.status_code == 200


def test_index_pages_can_be_added_to_a_new_home_tree(admin_client, tree):
    # One of each per home page: the forms open only where there is room.
    home = tree["home"]
    assert admin_client.get(f"/admin/pages/add/cms/calendarpage/{home.pk}/").status_code in (
        302,
        403,
    )
    tree["calendar"].delete()
    assert admin_client.get(f"/admin/pages/add/cms/calendarpage/{home.pk}/").status_code == 200


def test_an_editor_publishes_a_standard_page(admin_client, tree):
    home = tree["home"]
    response = admin_client.post(
        f"/admin/pages/add/cms/standardpage/{home.pk}/",
        nested_form_data(
            {
                "title": "Despre noi",
                "slug": "despre-noi",
                "intro": rich_text("<p>Cine suntem.</p>"),
                "body": streamfield(
                    [("paragraph", rich_text("<p>Agenția formează specialiști.</p>"))]
                ),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:500]
    page = StandardPage.objects.get(slug="despre-noi")
    assert page.live
    assert "Agenția formează specialiști." in admin_client.get(page.url).content.decode()
