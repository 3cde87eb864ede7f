"""Text that is HTML (a pasted page) is read as HTML is, with a warning, so markup and scripts
never reach briefing sentences; text that merely mentions a tag or a comparison stays text."""

from __future__ import annotations

from summarizer import Article, SummaryOptions, summarize
from summarizer.pipeline import looks_like_markup

STORM = (
    "A powerful storm hit the northern coast on Monday, cutting power to 40,000 homes, officials said. "
    "The storm brought winds of 120 kilometres an hour and flooded the harbour district of the port city. "
    "Emergency services rescued 35 people from flooded homes overnight, the regional fire service said."
)
STORM_TOO = (
    "Officials said the storm that hit the northern coast on Monday cut power to 40,000 homes. "
    "Winds of 120 kilometres an hour flooded the harbour district, and 35 people were rescued overnight."
)


def test_a_pasted_page_sent_as_text_is_read_as_html_with_a_warning():
    pasted = (
        "<html><head><title>Storm</title><script>document.cookie='x'</script></head><body>"
        f"<article><p>{STORM}</p></article><img src=x onerror=alert(1)></body></html>"
    )
    articles = [
        Article(id="pasted", title="Storm hits coast", text=pasted),
        Article(id="wire", title="", text=STORM_TOO),
    ]
    briefing = summarize(articles, SummaryOptions(engine="extractive", max_words=80))
    for markup in ("<", "script", "onerror", "document.cookie"):
        assert markup not in briefing.text
        assert all(markup not in sentence.text for sentence in briefing.sentences)
    assert any("article 1 (Storm hits coast)" in w and "HTML" in w for w in briefing.warnings), briefing.warnings


def test_text_that_mentions_a_tag_or_compares_numbers_stays_text():
    assert not looks_like_markup("Prices rose 3% while wages rose < 2% and costs > 4%.")
    assert not looks_like_markup("The <p> tag starts a paragraph, the web standards group said.")
    assert looks_like_markup("<p>One.</p><p>Two.</p>")
    assert looks_like_markup("Read this <script>alert(1)</script>")
    assert looks_like_markup('A photo <img src="x.png" onerror="alert(1)"> of the storm.')
