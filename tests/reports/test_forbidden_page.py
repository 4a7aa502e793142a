from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation


def test_a_refused_download_gets_a_readable_page_not_a_bare_403(client, db):
    user = get_user_model().objects.create_user(username="x", email="x@example.ro", password="pw")
    # In the admin, but without the reports right.
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse("reports:export") + "?format=csv")
    assert response.status_code == 403
    with translation.override("ro"):
        assert translation.gettext("Access denied") in response.content.decode()
