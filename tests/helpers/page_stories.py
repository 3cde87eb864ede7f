"""The news the browser tests read: a local RSS feed of several events, each reported by two or
three outlets (one of them disputed: 12 dead or 15), one event by a single outlet, and article
pages to add by URL. Served by helpers.news_server on 127.0.0.1."""

from __future__ import annotations

from helpers.news_server import NewsServer, Page, article_page, rss

FEED_PATH = "/news/feed.xml"

# (outlet's site, title, text): the outlet of a feed entry is its link's site.
EVENTS = [
    [
        (
            "wire.example",
            "Floods kill 12 in the northern province",
            "Floods killed 12 people in the northern province on Monday, officials said. "
            "Rescue teams reached the cut-off villages on Tuesday morning after the river burst its banks. "
            "The regional governor declared a state of emergency in the flooded province.",
        ),
        (
            "herald.example",
            "State of emergency after deadly floods in the northern province",
            "Floods killed 15 people in the northern province on Monday, officials said. "
            "The governor declared a state of emergency on Monday night as the river kept rising. "
            "Schools in the flooded province will stay closed until Friday, rescue teams said.",
        ),
        (
            "radio.example",
            "Floods: rescue teams reach villages in the northern province",
            "Rescue teams reached villages cut off by the floods in the northern province on Tuesday. "
            "The governor's state of emergency frees money for the flooded province, officials said. "
            "The river burst its banks after three days of heavy rain.",
        ),
    ],
    [
        (
            "business.example",
            "Central bank raises interest rates by half a point",
            "The central bank raised its main interest rate by half a point on Thursday. "
            "Inflation reached five percent last month, the highest in a decade. "
            "Economists had expected the bank to raise rates as prices kept climbing.",
        ),
        (
            "money.example",
            "Central bank lifts interest rates to fight inflation",
            "The central bank lifted its main interest rate by half a point on Thursday to fight inflation. "
            "Inflation reached five percent last month, the statistics office said. "
            "Mortgage holders will pay more from next month, the largest banks said.",
        ),
    ],
    [
        (
            "geo.example",
            "Volcano erupts on remote island",
            "The volcano on the remote island erupted on Sunday, sending ash high into the sky. "
            "Flights across the region were cancelled on Sunday afternoon. "
            "Scientists said the eruption could last for several weeks.",
        ),
        (
            "island.example",
            "Ash cloud grounds flights after island volcano erupts",
            "Flights across the region were cancelled after the volcano on the remote island erupted on Sunday. "
            "The ash cloud reached ten kilometres into the sky, scientists said. "
            "Residents of the nearest villages were moved to the mainland.",
        ),
    ],
    [
        (
            "sport.example",
            "Marathon record broken in Berlin",
            "A runner broke the marathon world record in Berlin on Sunday morning. "
            "She finished the race eleven seconds faster than the old record.",
        ),
    ],
]

# Headlines are the first article's title: the stories the front page lists.
STORIES_WITH_BRIEFINGS = 3

# A page to add by its URL: it joins the bridge story it starts.
BRIDGE_PATH = "/articles/bridge-opens"
BRIDGE_TITLE = "New bridge opens across the bay"
BRIDGE_PARAGRAPHS = [
    "The new bridge across the bay opened to traffic on Friday after six years of work.",
    "Thousands of people walked across it on Friday morning before the first cars.",
]


def entries(events: list) -> list[dict[str, str]]:
    return [
        {"title": title, "link": f"https://{site}/{n}", "content": text}
        for n, event in enumerate(events)
        for site, title, text in event
    ]


def serve_news(news: NewsServer) -> None:
    news.pages[FEED_PATH] = Page(rss("Local News", entries(EVENTS)), "application/rss+xml")
    news.pages[BRIDGE_PATH] = Page(article_page(BRIDGE_TITLE, BRIDGE_PARAGRAPHS, "Bay Post"))


# A third outlet's article that grows the rates story with new facts.
RATES_GROWTH = {
    "title": "Shares fall after the central bank raises interest rates",
    "text": "Shares fell two percent on Thursday after the central bank raised its main interest rate by half a point. "
    "The bank said it could raise interest rates again in March if inflation stays at five percent. "
    "Banks said mortgage rates would rise from next month.",
    "url": "https://markets.example/shares-fall",
    "source": "Markets Weekly",
}
