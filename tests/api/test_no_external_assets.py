"""Pages Formativ serves load nothing from other hosts (no CDN, no Gravatar, no update check):
the machines reach no network, and staff data must not leak to third parties."""

import re

import pytest

# Loaded assets: scripts, images, frames (src=) and stylesheets/icons (<link href=>). Plain
# links (<a href>) to other sites are fine: nothing is fetched unless someone follows them.
EXTERNAL = re.compile(r"""(?:\bsrc=|<link\b[^>]*\bhref=)["'](?:https?:)?//[^"']+""")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/docs", "/admin/", "/admin/trainingsession/"])
def test_page_loads_no_external_assets(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert EXTERNAL.findall(body) == []
    assert "gravatar" not in body.lower()
