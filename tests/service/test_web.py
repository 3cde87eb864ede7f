"""The page's views (service/web: /, /stories/<id>, /sources, /write, /jobs) without a browser:
they and their files carry the security headers, ask for an API key only where the service needs
one, and state the service's own limits. The browser tier (tests/browser) uses the page."""

from __future__ import annotations

import re

import pytest

from service.web import CONTENT_SECURITY_POLICY

KEY = "alice-0123456789-abcdef"


VIEWS = ["/", "/stories/1", "/sources", "/write", "/jobs"]


@pytest.mark.parametrize("path", VIEWS)
def test_the_page_and_its_files_carry_the_security_headers(client, path):
    page = client.get(path)
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
    for path in VIEWS:
        page = keyed.get(path)
        assert page.status_code == 200 and 'id="api-key"' in page.text
    # The page and its files are open; what it calls needs the key.
    assert keyed.get("/assets/page.js").status_code == 200
    assert keyed.get("/v1/models").status_code == 401


def test_the_page_states_the_services_limits_and_defaults(make_app):
    page = make_app(MAX_ARTICLES=7, MAX_WORDS=90, MAX_ARTICLE_CHARS=1234).test_client().get("/write").text
    assert 'data-max-articles="7"' in page and "up to 7 articles" in page
    assert 'data-max-article-chars="1234"' in page and "each at most 1,234 characters" in page
    assert re.search(r'id="max-words"[^>]*min="10" max="2000"[^>]*value="90"', page)
    assert [engine for engine in re.findall(r'<option value="(\w+)"', page)] == ["auto", "abstractive", "extractive"]
    assert re.search(r'<option value="extractive" selected>', page)  # the tests' default engine


def test_a_story_id_is_only_data_on_its_page(client):
    page = client.get('/stories/"><img src=x onerror=alert(1)>')
    assert page.status_code == 200
    assert 'data-story-id="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in page.text
    assert "<img" not in page.text
