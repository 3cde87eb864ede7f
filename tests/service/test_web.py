"""GET / (service/web) without a browser: the page and its files carry the security headers,
ask for an API key only where the service needs one, and state the service's own limits. The
browser tier (tests/browser) uses the page."""

from __future__ import annotations

import re

from service.web import CONTENT_SECURITY_POLICY

KEY = "alice-0123456789-abcdef"


def test_the_page_and_its_files_carry_the_security_headers(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)
    assert sorted(assets) == ["/assets/icon.svg", "/assets/page.css", "/assets/page.js"]
    for response in [page, *(client.get(path) for path in assets)]:
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    # No inline script or style for the policy to refuse: the page's own code is in its files.
    assert not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=", page.text)
    # The API's answers are JSON, not pages: the page's policy is the page's.
    assert "Content-Security-Policy" not in client.get("/healthz").headers


def test_the_key_field_is_there_only_when_the_service_needs_keys(make_app):
    assert 'id="api-key"' not in make_app().test_client().get("/").text
    keyed = make_app(API_KEYS=KEY).test_client()
    page = keyed.get("/")
    assert page.status_code == 200 and 'id="api-key"' in page.text
    # The page and its files are open; what it calls needs the key.
    assert keyed.get("/assets/page.js").status_code == 200
    assert keyed.get("/v1/models").status_code == 401


def test_the_page_states_the_services_limits_and_defaults(make_app):
    page = make_app(MAX_ARTICLES=7, MAX_WORDS=90).test_client().get("/").text
    assert 'data-max-articles="7"' in page and "up to 7 articles" in page
    assert re.search(r'id="max-words"[^>]*min="10" max="2000"[^>]*value="90"', page)
    assert [engine for engine in re.findall(r'<option value="(\w+)"', page)] == ["auto", "abstractive", "extractive"]
    assert re.search(r'<option value="extractive" selected>', page)  # the tests' default engine
