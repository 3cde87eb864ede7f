"""What the stories API tests share: articles about two events, the pages and feeds a local
server (helpers.news_server) gives out, and bounded waits on the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

DEADLINE_S = 120
ALLOW_LOCAL = {"FETCH_ALLOW_NETWORKS": ["127.0.0.1/32"]}

FLOODS_WIRE = {
    "title": "Floods kill 12 in the northern province",
    "text": "Floods killed 12 people in the northern province on Monday, officials said. "
    "Rescue teams reached the cut-off villages on Tuesday morning after the river burst its banks. "
    "The regional governor declared a state of emergency in the flooded province.",
    "url": "https://wire.example/world/floods-north",
    "source": "Wire",
}
FLOODS_LOCAL = {
    "title": "State of emergency after deadly floods in the northern province",
    "text": "Officials said the floods killed 12 people in the northern province on Monday. "
    "The governor declared a state of emergency on Monday night as the river kept rising. "
    "Schools in the flooded province will stay closed until Friday, rescue teams said.",
    "url": "https://local.example/news/floods-emergency",
}
FLOODS_RADIO = {
    "title": "Floods: rescue teams reach villages in the northern province",
    "text": "Rescue teams reached villages cut off by the floods in the northern province, where 12 people died. "
    "The governor's state of emergency frees money for the flooded province, officials said on Tuesday. "
    "The river burst its banks after three days of rain.",
    "url": "https://radio.example/floods-rescue",
    "source": "Radio",
}
RATES = {
    "title": "Central bank raises interest rates by half a point",
    "text": "The central bank raised its main interest rate by half a point on Thursday. "
    "Inflation reached five percent last month, the highest in a decade. "
    "Economists had expected the bank to raise rates as prices kept climbing.",
    "url": "https://business.example/markets/rates",
    "source": "Business Daily",
}
# Distinct events, for paging.
TOPICS = [
    (
        "Volcano erupts on remote island",
        "The volcano on the remote island erupted on Sunday, sending ash into the sky.",
    ),
    ("Marathon record broken in Berlin", "A runner broke the marathon world record in Berlin on Sunday morning."),
    ("Museum returns stolen paintings", "The museum returned three stolen paintings to the family on Wednesday."),
    ("New bridge opens across the bay", "The new bridge across the bay opened to traffic on Friday after six years."),
    ("Chess champion retires at forty", "The chess world champion announced his retirement at forty on Tuesday."),
]


def page(title: str, paragraphs: list[str], site: str) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{escape(title)}</title>"
        f'<meta property="og:site_name" content="{escape(site)}"></head>'
        f"<body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
    ).encode()


def rss(items: list[dict]) -> bytes:
    """An RSS 2.0 feed; an item with "content" carries its full text (content:encoded)."""
    now = format_datetime(datetime.now(UTC))
    entries = []
    for item in items:
        content = f"<content:encoded>{escape(item['content'])}</content:encoded>" if "content" in item else ""
        entries.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
            f"<pubDate>{now}</pubDate>{content}</item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Local News</title><link>http://127.0.0.1/</link>{''.join(entries)}</channel></rss>"
    ).encode()


def wait_for(read: Callable[[], dict], done: Callable[[dict], bool], what: str) -> dict:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = read()
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {DEADLINE_S} s; last seen {found}")
        time.sleep(0.05)


def ingest(client, *articles: dict, status: int | None = None) -> dict:
    response = client.post("/v1/articles", json={"articles": list(articles)})
    if status is not None:
        assert response.status_code == status, response.get_json()
    return response.get_json()


def briefed(client, story_id: int, version: int) -> dict:
    """The story once its briefing's `version` is finished."""

    def done(story: dict) -> bool:
        briefing = story["briefing"]
        return briefing is not None and briefing["version"] == version and briefing["status"] in ("done", "failed")

    return wait_for(lambda: client.get(f"/v1/stories/{story_id}").get_json(), done, f"briefing v{version}")
