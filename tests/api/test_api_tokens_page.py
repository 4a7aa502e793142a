"""Staff find their API tokens from their account page, and create one there."""

import pytest
from wagtail.models import APIToken


@pytest.mark.django_db
def test_account_page_links_to_api_tokens_and_a_token_is_created_there(admin_client, staff_user):
    account = admin_client.get("/admin/account/").content.decode()
    assert "/admin/api-tokens/" in account
    response = admin_client.post(
        "/admin/api-tokens/new/", {"name": "raportare", "user": staff_user.pk}
    )
    assert response.status_code in (200, 302)
    token = APIToken.objects.get(user=staff_user, name="raportare")
    assert token.revoked_at is None
