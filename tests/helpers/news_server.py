"""A local web server for the story ingestion tests: it serves canned pages and counts every
request it gets, so a test can show that a refused address got none.

Bound to a loopback address (127.0.0.1, or 127.0.0.2 as a second "host"); no other network.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Sent without a Content-Length, in pieces, so only counting while reading can stop it.
    chunked: bool = False
    # Seconds to wait before answering (time-out tests); bounded by the test's own limits.
    delay_s: float = 0.0


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hung up (a time-out or size-limit test stops reading, a fetch gives up
        # during a delay) is what those tests do; anything else is printed as usual.
        if not isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class NewsServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.pages: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        self.host_headers: list[str | None] = []
        self.user_agents: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.host_headers.append(self.headers.get("Host"))
                server.user_agents.append(self.headers.get("User-Agent"))
                page = server.pages.get(self.path, Page(b"not found", "text/plain", 404))
                if page.delay_s:
                    time.sleep(page.delay_s)
                self.send_response(page.status)
                if page.content_type:
                    self.send_header("Content-Type", page.content_type)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                if page.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        for start in range(0, len(page.body), 65536):
                            piece = page.body[start : start + 65536]
                            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading at its size limit
                    return
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up first
                    self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = QuietServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self.host = host
        self.port = self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    @contextmanager
    def running(self) -> Iterator[NewsServer]:
        thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._httpd.shutdown()
            self._httpd.server_close()
            thread.join(timeout=5)


def article_page(
    title: str, paragraphs: list[str], site: str, canonical: str | None = None, date: str = "2026-11-30"
) -> bytes:
    """An HTML article page with the metadata trafilatura reads (og:site_name, canonical, date)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!doctype html><html><head><title>{title}</title><meta property="og:site_name" content="{site}">'
        f'<meta property="article:published_time" content="{date}T08:00:00Z">{link}</head>'
        f"<body><nav>Home | World | Sport</nav><article><h1>{title}</h1>{body}</article>"
        f"<footer>Copyright {site}</footer></body></html>"
    ).encode()


def rss(title: str, items: list[dict[str, str]]) -> bytes:
    """An RSS 2.0 feed; an item's "content" becomes <content:encoded>."""
    parts = []
    for item in items:
        content = f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>" if "content" in item else ""
        link = f"<link>{item['link']}</link>" if "link" in item else ""
        parts.append(
            f"<item><title>{item['title']}</title>{link}<pubDate>{item.get('date', 'Mon, 30 Nov 2026 08:00:00 GMT')}</pubDate>"
            f"<description>{item.get('description', 'A teaser.')}</description>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>http://example.org/</link><description>News</description>{''.join(parts)}</channel></rss>"
    ).encode()
