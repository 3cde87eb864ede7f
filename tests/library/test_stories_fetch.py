"""Safe fetching (summarizer.stories.fetch): nothing reaches a refused address.

Every network test talks to local servers (helpers.news_server) that count the requests they
get: a refusal must leave the refused server's count at 0.
"""

from __future__ import annotations

import ipaddress
import socket
import tracemalloc
import zlib

import pytest
from helpers.news_server import NewsServer, Page, article_page

from summarizer.errors import InputError
from summarizer.stories import FetchFailed, FetchPolicy, FetchRefused, article_from_page, fetch_article
from summarizer.stories.fetch import USER_AGENT, address_problem, fetch

ALLOW_FIRST = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=5)
PARAGRAPHS = [
    "The city council of Valencia approved a new flood defence plan on Monday after a long debate.",
    "The plan adds four kilometres of walls along the river and two new pumping stations in the port district.",
    "Work is due to start in the spring and to last three years, the mayor told reporters at the town hall.",
]


@pytest.fixture
def first():
    with NewsServer("127.0.0.1").running() as server:
        yield server


@pytest.fixture
def second():
    """A second local "host": 127.0.0.2, which ALLOW_FIRST does not allow."""
    with NewsServer("127.0.0.2").running() as server:
        yield server


def test_a_loopback_address_is_refused_by_default_and_gets_no_request(first):
    first.pages["/a"] = Page(article_page("Flood plan", PARAGRAPHS, "Valencia Daily"))
    with pytest.raises(FetchRefused) as caught:
        fetch_article(first.url("/a"), FetchPolicy())
    assert "127.0.0.1 is a loopback address" in caught.value.reason
    assert caught.value.url == first.url("/a") and caught.value.field == "url"
    assert isinstance(caught.value, InputError)
    assert first.total_hits == 0


def test_the_allow_list_lets_the_test_server_be_fetched(first):
    canonical = first.url("/flood-plan")
    first.pages["/a?utm=x"] = Page(article_page("Flood plan approved", PARAGRAPHS, "Valencia Daily", canonical))
    article = fetch_article(first.url("/a?utm=x"), ALLOW_FIRST)
    assert article.title == "Flood plan approved"
    assert "four kilometres of walls" in article.text and "Home | World" not in article.text
    assert article.url == canonical and article.id == canonical
    assert article.source == "Valencia Daily"
    assert article.published == "2026-11-30"
    assert first.hits["/a?utm=x"] == 1
    assert first.user_agents == [USER_AGENT] and USER_AGENT.startswith("newsbrief/")


@pytest.mark.parametrize(
    ("fetched", "canonical", "kept"),
    [
        # Another site's URL: a page cannot claim another page's article.
        ("https://evil.example/evil", "https://victim.example/article-victim", False),
        ("https://a.github.io/post", "https://b.github.io/post", False),  # a public suffix is no site
        ("http://127.0.0.1:8000/evil", "http://127.0.0.2:8000/victim", False),
        # The page's own host, or its registrable domain.
        ("https://news.example/a?utm=x", "https://news.example/a", True),
        ("https://m.bbc.co.uk/news/1", "https://www.bbc.co.uk/news/1", True),
        ("http://127.0.0.1:8000/a?x=1", "http://127.0.0.1:8000/a", True),
    ],
)
def test_a_canonical_url_is_taken_only_from_the_pages_own_site(fetched, canonical, kept):
    article = article_from_page(article_page("Flood plan", PARAGRAPHS, "Valencia Daily", canonical), fetched)
    assert article.url == article.id == (canonical if kept else fetched)


def test_without_a_canonical_link_the_url_is_the_final_one_after_redirects(first):
    first.pages["/old"] = Page(b"", None, 301, {"Location": "/new"})
    first.pages["/new"] = Page(article_page("Flood plan", PARAGRAPHS, "Valencia Daily"))
    article = fetch_article(first.url("/old"), ALLOW_FIRST)
    assert article.url == first.url("/new")
    assert first.hits == {"/old": 1, "/new": 1}


def test_a_redirect_to_a_refused_address_is_refused_before_any_request_reaches_it(first, second):
    second.pages["/secret"] = Page(b"internal data", "text/plain")
    first.pages["/go"] = Page(b"", None, 302, {"Location": second.url("/secret")})
    with pytest.raises(FetchRefused) as caught:
        fetch(first.url("/go"), ALLOW_FIRST)
    assert "127.0.0.2 is a loopback address" in caught.value.reason
    assert caught.value.url == second.url("/secret")
    assert first.hits["/go"] == 1
    assert second.total_hits == 0


def test_a_redirect_to_a_non_http_scheme_is_refused(first):
    first.pages["/go"] = Page(b"", None, 302, {"Location": "file:///etc/passwd"})
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(first.url("/go"), ALLOW_FIRST)


def test_a_host_name_on_the_allow_list_allows_that_name_only(first):
    first.pages["/a"] = Page(b"plain words", "text/plain")
    by_name = FetchPolicy(allow_networks=("localhost",), timeout_s=5)
    assert fetch(f"http://localhost:{first.port}/a", by_name).body == b"plain words"
    with pytest.raises(FetchRefused):
        fetch(first.url("/a"), by_name)  # 127.0.0.1 written as an address is not "localhost"
    assert first.hits["/a"] == 1


def test_the_connection_goes_to_the_checked_address_with_the_name_in_the_host_header(first, monkeypatch):
    """No second DNS lookup: the name resolves once, is checked, and the request goes to that address."""
    first.pages["/a"] = Page(b"plain words", "text/plain")
    lookups = []

    def resolve(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    page = fetch(f"http://news.invalid:{first.port}/a", ALLOW_FIRST)
    assert page.body == b"plain words"
    # The name is looked up once; the connection only "resolves" the checked address itself.
    assert lookups[0] == "news.invalid" and set(lookups[1:]) <= {"127.0.0.1"}
    assert first.host_headers == [f"news.invalid:{first.port}"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@127.0.0.1/", "credentials"),
        ("http:///path-only", "no host"),
        ("not a url", "only http and https"),
    ],
)
def test_urls_that_are_not_plain_web_addresses_are_refused(url, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch(url, ALLOW_FIRST)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fd00::1", "private"),
    ],
)
def test_non_public_addresses_are_named_with_their_kind(address, kind):
    problem = address_problem(ipaddress.ip_address(address))
    assert problem is not None and kind in problem


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert address_problem(ipaddress.ip_address(address)) is None


def test_an_allowed_network_covers_its_addresses_only(first, second):
    first.pages["/a"] = second.pages["/a"] = Page(b"words", "text/plain")
    both = FetchPolicy(allow_networks=("127.0.0.0/30",), timeout_s=5)
    assert fetch(second.url("/a"), both).body == b"words"
    assert fetch(first.url("/a"), both).body == b"words"


def test_a_bad_allow_list_entry_is_an_input_error():
    with pytest.raises(InputError, match="neither a network"):
        FetchPolicy(allow_networks=("http://127.0.0.1/",))


def test_a_content_type_that_is_no_page_feed_or_text_is_refused(first):
    first.pages["/photo"] = Page(b"\x89PNG....", "image/png")
    with pytest.raises(FetchRefused, match="image/png"):
        fetch(first.url("/photo"), ALLOW_FIRST)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_size_limit_is_refused(first, chunked):
    first.pages["/big"] = Page(b"x" * 300_000, "text/plain", chunked=chunked)
    small = FetchPolicy(allow_networks=("127.0.0.1/32",), max_bytes=100_000, timeout_s=5)
    with pytest.raises(FetchRefused, match="100000 byte limit"):
        fetch(first.url("/big"), small)


def test_an_http_error_status_is_a_fetch_failure(first):
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetch(first.url("/missing"), ALLOW_FIRST)


def test_a_redirect_loop_stops_at_the_limit(first):
    first.pages["/loop"] = Page(b"", None, 302, {"Location": "/loop"})
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        fetch(first.url("/loop"), FetchPolicy(allow_networks=("127.0.0.1",), max_redirects=3, timeout_s=5))
    assert first.hits["/loop"] == 4


def test_a_server_slower_than_the_time_out_is_a_fetch_failure(first):
    first.pages["/slow"] = Page(b"late", "text/plain", delay_s=2.0)
    with pytest.raises(FetchFailed, match="timed out"):
        fetch(first.url("/slow"), FetchPolicy(allow_networks=("127.0.0.1",), timeout_s=0.3))


def test_a_page_without_article_text_is_a_fetch_failure(first):
    first.pages["/empty"] = Page(b"<html><head><title>x</title></head><body></body></html>")
    with pytest.raises(FetchFailed, match="no article text"):
        fetch_article(first.url("/empty"), ALLOW_FIRST)


def packed(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def test_a_gzip_bomb_is_stopped_at_the_limit_without_unpacking_it_in_memory(first):
    """256 MiB of zeros, 256 KB packed: refused at the limit, with memory near the limit (unpacked
    in bounded pieces, not a whole network chunk's worth at a time)."""
    bomb = packed(bytes(256 << 20), 31)
    first.pages["/bomb"] = Page(bomb, "text/plain", headers={"Content-Encoding": "gzip"})
    policy = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=30, max_bytes=1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(FetchRefused, match="over the 1000000 byte limit"):
            fetch(first.url("/bomb"), policy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < policy.max_bytes + 2_000_000, f"{peak / 1e6:.1f} MB traced for a 1 MB limit"


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15), ("x-gzip", 31)])
def test_a_compressed_page_is_unpacked(first, encoding, wbits):
    text = " ".join(PARAGRAPHS * 50).encode()
    first.pages["/a"] = Page(packed(text, wbits), "text/plain", headers={"Content-Encoding": encoding})
    assert fetch(first.url("/a"), ALLOW_FIRST).body == text


def test_an_unknown_content_encoding_is_refused(first):
    first.pages["/a"] = Page(b"\x00\x01", "text/plain", headers={"Content-Encoding": "compress"})
    with pytest.raises(FetchRefused, match="content encoding compress"):
        fetch(first.url("/a"), ALLOW_FIRST)
