"""API callers choose the language of error messages with Accept-Language (Romanian by
default), although the API lives outside the language-prefixed site URLs."""

import pytest

pytestmark = pytest.mark.django_db


def detail(client, **headers) -> str:
    response = client.get("/api/v1/sessions?county=ZZ", **headers)
    assert response.status_code == 400
    return response.json()["detail"]


def test_errors_are_romanian_by_default_and_english_on_request(client):
    romanian = detail(client)
    english = detail(client, HTTP_ACCEPT_LANGUAGE="en")
    assert romanian != english
    assert "ZZ" in romanian and "ZZ" in english
    assert detail(client, HTTP_ACCEPT_LANGUAGE="ro") == romanian


def test_the_api_language_does_not_leak_into_site_pages(client):
    detail(client, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/cont/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ro"
