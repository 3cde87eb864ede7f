"""Articles from fetched pages (trafilatura's main text and metadata), and the key that makes the
same article arriving twice count once."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

import lxml.etree
import lxml.html
import trafilatura
from tld import get_fld

from ..text import normalize, without_control_characters
from ..types import Article
from .fetch import FetchFailed, FetchPolicy, fetch

PLAIN_TEXT = "text/plain"


def fetch_article(url: str, policy: FetchPolicy) -> Article:
    """The article at `url`: its main text, title, site (`source`), date (`published`, ISO) and
    canonical URL (the page's own <link rel=canonical> or og:url when on its own site (`same_site`),
    else the URL fetched after redirects). FetchRefused or FetchFailed (InputErrors) when it cannot be had."""
    page = fetch(url, policy)
    return article_from_page(page.body, page.url, page.content_type, page.charset)


def article_from_page(
    body: bytes | str, url: str, content_type: str | None = None, charset: str | None = None
) -> Article:
    """An Article from a page's bytes (or text) found at `url`, without control characters (see
    `cleaned`); FetchFailed when it holds no text."""
    return cleaned(_article_from_page(body, url, content_type, charset))


def cleaned(article: Article) -> Article:
    """`article` without control characters in any of its texts: a fetched page or a feed may hold
    them (a NUL byte, `&#0;`), and they are no text (PostgreSQL cannot even store NUL)."""

    def clean(value: str | None) -> str | None:
        return None if value is None else without_control_characters(value)

    return replace(
        article,
        id=without_control_characters(article.id),
        title=without_control_characters(article.title),
        text=without_control_characters(article.text),
        url=clean(article.url),
        source=clean(article.source),
        published=clean(article.published),
    )


def _article_from_page(body: bytes | str, url: str, content_type: str | None, charset: str | None) -> Article:
    if content_type == PLAIN_TEXT:
        text = body.decode(charset or "utf-8", errors="replace") if isinstance(body, bytes) else body
        if not without_control_characters(text).strip():
            raise FetchFailed(url, "the page is empty")
        return Article(id=url, title="", text=text.strip(), url=url, source=site_of(url))
    # trafilatura decodes bytes itself (meta charset, then detection); it never fetches `url`.
    found = trafilatura.bare_extraction(body, url=url, with_metadata=True, include_comments=False)
    document: dict = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    text = str(document.get("text") or "").strip()
    if not without_control_characters(text).strip():
        raise FetchFailed(url, "no article text found in the page")
    found_url = document.get("url")
    canonical = found_url if isinstance(found_url, str) and same_site(found_url, url) else url
    return Article(
        id=canonical,
        title=str(document.get("title") or "").strip(),
        text=text,
        url=canonical,
        source=str(document.get("sitename") or "").strip() or site_of(canonical),
        published=str(document.get("date") or "") or None,
    )


def html_text(html: str) -> str:
    """The text of HTML that is no whole page (a feed's content, an article sent as HTML):
    trafilatura's main text, or for a fragment too short for it to judge, all of its text."""
    extracted = trafilatura.extract(html, include_comments=False)
    if extracted and extracted.strip():
        return extracted.strip()
    try:
        return " ".join(lxml.html.fromstring(html).text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return ""


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def same_site(claimed: str, fetched: str) -> bool:
    """Whether a page fetched from `fetched` may name `claimed` as its canonical URL: a web URL on
    the same host, or on the same registrable domain (www.bbc.co.uk for m.bbc.co.uk; by the
    Public Suffix List, so a.github.io is not b.github.io). Any other site's URL would let a page
    take that article's place: a later fetch of it would be answered as a duplicate."""
    if not is_web_url(claimed):
        return False
    claimed_host, fetched_host = (str(urlsplit(u).hostname or "").lower().rstrip(".") for u in (claimed, fetched))
    if claimed_host == fetched_host:
        return True
    claimed_domain = get_fld(claimed, fail_silently=True)
    return claimed_domain is not None and claimed_domain == get_fld(fetched, fail_silently=True)


def site_of(url: str | None) -> str | None:
    """The host of `url` without "www.", the outlet when a page names none."""
    if url is None or not is_web_url(url):
        return None
    host = str(urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def canonical_url(url: str) -> str:
    """`url` as two copies of one article compare: scheme and host in lower case, no fragment, no
    "www.", no trailing slash. The query stays: on many sites it names the article."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return urlunsplit((parts.scheme.lower(), host + port, parts.path.rstrip("/") or "/", parts.query, ""))


def article_key(article: Article) -> str:
    """The key under which an article is stored once: its canonical URL when it has a web URL,
    else a hash of its normalised text (case and whitespace folded)."""
    if is_web_url(article.url):
        return canonical_url(str(article.url))
    digest = hashlib.sha256(normalize(article.text).casefold().encode("utf-8")).hexdigest()
    return f"sha256:{digest}"
