"""Stage 1: turn raw articles into paragraphs of prose, without web boilerplate.

HTML goes through trafilatura, a real main-content extractor. Then general
line rules remove what extractors and copy-paste leave behind: navigation
labels and tag lists (short lines that are not sentences), bylines and
timestamps, photo credits, "Read also:"-style teasers, comment-form and share
widgets, the headline repeated in the body, and short lines that recur across
sources (site furniture). The rules look at the shape of a line, not at a list
of known strings, so they carry over to sites never seen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..errors import InputError
from ..text import COLUMN_DISCLAIMER, find_date, normalize
from ..types import Article, CleanDocument, count_words

# A line shorter than this with no sentence-final punctuation is a label, not prose.
LABEL_MAX_WORDS = 10
# Short non-sentence lines seen in two or more sources are site furniture (menus, footers).
REPEATED_MAX_WORDS = 12

# Full stops of other scripts too (CJK, Devanagari, Arabic, Ethiopic, Armenian, Myanmar, Greek "?").
SENTENCE_END = re.compile(r"""[.!?。！？｡।॥؟።։။\u037e]["')\]」』）]*$|[.!?]\s*["”’]$""")
BYLINE = re.compile(r"^(by|written by|reporting by|reported by|posted by|story by|words by)\s+[A-Z]", re.I)
CREDIT = re.compile(
    r"^(photo|photograph|image|picture|video|source|credit|illustration)s?(\s+credit)?\s*[:|/]"
    r"|\b(getty images|shutterstock|afp photo|ap photo|reuters/)\b",
    re.I,
)
TEASER = re.compile(
    r"^(read|see|watch|listen|also read|read more|related|more|recommended|don't miss|must read)"
    r"( also| more| next)?\s*[:\-–|>]",
    re.I,
)
WIDGET = re.compile(
    r"email address will not be published|required fields are marked|leave a (comment|reply)"
    r"|sign up for|subscribe (to|now)|newsletter|share (this|on)|follow us|all rights reserved"
    r"|cookies?\b.*\b(accept|consent|policy)|click here|advertisement|©|\(c\) \d{4}|back to top"
    rf"|^the {COLUMN_DISCLAIMER}",
    re.I,
)
# A video player's blurb ("EMBED More News Videos Bill Cosby heads to ... Watch the report from
# ... at 4 p.m."), whatever its length.
VIDEO_BLURB = re.compile(r"^embed more news videos\b", re.I)
# A player's button label run into the blurb after it ("CLOSE Kevin Spacey is facing yet another
# accuser ..."): the label goes, the sentence stays.
BUTTON_LABEL = re.compile(r"^CLOSE\s+(?=[A-Z])")
# Text converted from PDF or plain-text mail is hard-wrapped: its sentences run over lines of
# about one width (60 to 120 characters), each ending mid-sentence. A document is read as wrapped
# when at least WRAPPED_MIN_LINES of its lines, and WRAPPED_MIN_SHARE of them, are such lines; a
# web article's paragraphs end on a full stop and its labels are short.
WRAP_WIDTH = range(60, 121)
WRAPPED_MIN_LINES = 8
WRAPPED_MIN_SHARE = 0.3
# A space before a comma or full stop, or inside brackets, left where markup was taken out ("CKY ,
# now known as CTV Winnipeg", "a new catchphrase .", "CBS ( cbs )"). Only these: French and
# other typographies space before other marks.
LOOSE_SPACE = re.compile(r"(?<=\w) +(?=[,.](?:\s|$))|(?<=\() +| +(?=\))")
# A link's aside inside a sentence: "posted on the EPA's website (read it here), the agency notes",
# "a dream-like interpretation of reality (see video below).", "the Honolulu Star-Advertiser
# (http://ow.ly/uPJl4) reported". The page's words to its reader, or its address.
LINK_ASIDE = re.compile(
    r" ?\((?:(?:read|see|watch|click|listen)\b[^()]{0,30}\b(?:here|below|above)|(?:https?://|www\.)[^()\s]+\s*)\)", re.I
)
TIME_OF_DAY = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(am|pm|a\.m\.|p\.m\.)?\b|\b(updated|published)\b", re.I)


def _fingerprint(line: str) -> str:
    """Letters and digits of any script (an ASCII-only key made every Greek or Russian line the same)."""
    return re.sub(r"[\W_]+", " ", line.lower()).strip()


def boilerplate_reason(line: str, title: str = "") -> str | None:
    """Why `line` is boilerplate, or None for prose worth keeping."""
    n_words = count_words(line)
    if title and _fingerprint(line) == _fingerprint(title):
        return "headline repeated"
    if BYLINE.match(line) and n_words <= 12:
        return "byline"
    if CREDIT.search(line) and n_words <= 20:
        return "credit"
    if TEASER.match(line):
        return "teaser"
    if (WIDGET.search(line) and n_words <= 25) or VIDEO_BLURB.match(line):
        return "widget"
    if TIME_OF_DAY.search(line) and n_words <= 12:
        return "timestamp"
    if n_words < LABEL_MAX_WORDS and not SENTENCE_END.search(line):
        return "label"
    return None


def wrapped(line: str) -> bool:
    """Whether the line is one a hard wrap ended mid-sentence."""
    return len(line) in WRAP_WIDTH and not SENTENCE_END.search(line)


def unwrapped(lines: Sequence[str]) -> list[str]:
    """The lines of a hard-wrapped document joined back into its paragraphs (a line the wrap
    ended runs on into the next); other documents' lines as they are. Left wrapped, every line
    is a paragraph: a sentence's pieces become fragments, or labels to remove."""
    if sum(map(wrapped, lines)) < max(WRAPPED_MIN_LINES, WRAPPED_MIN_SHARE * len(lines)):
        return list(lines)
    joined: list[str] = []
    runs_on = False
    for line in lines:
        if runs_on:
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
        runs_on = wrapped(line)
    return joined


def html_to_text(html: str) -> str:
    """Main text of an HTML page, paragraphs separated by newlines."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if text:
        return text
    # trafilatura finds no main content in tiny fragments; keep their visible text.
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises several unrelated types for junk input
        return ""
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in root.itertext() if t.strip())


def html_title(html: str) -> str:
    """The title an HTML page gives itself: its <title>, og:title and other metadata, or its <h1>
    (trafilatura's metadata extraction); "" when it has none."""
    from trafilatura import extract_metadata

    metadata = extract_metadata(html)
    return (metadata.title or "") if metadata is not None else ""


# A wire dateline before the lead's first word: "KUALA LUMPUR, Malaysia (AP) - ", "SYCAMORE, Ill.
# --", "WOODLAND HILLS >> ", "Sycamore, Illinois (CNN) ", "(CNN) -- ", "ALBANY, NY (NEWS 10) - ",
# "CHICAGO, Nov. 30, 2018 /PRNewswire/ -- ", "Charlottesville, VA - ". The place is in the story
# (or not needed); the words it takes are a briefing's, and it makes a sentence open on a place
# name. A broadcaster's call letters in brackets are an agency too ("(CBSLA)", "(NEWS 10)").
WIRE_AGENCY = (
    r"(?:\((?:AP|Reuters|CNN|AFP|UPI|Bloomberg|dpa|[\w.-]+\.com|[A-Z][A-Z0-9]+(?: [A-Z0-9]+)?)\)"
    r"|/[A-Z][A-Za-z ]*(?:wire|Wire)/)"
)
DATELINE_DATE = r"(?:,\s+[A-Z][a-z]{2,}\.?\s+\d{1,2}(?:,\s+\d{4})?)"
# Reuters datelines its stories with two cities and no agency ("JAKARTA/PANGKALAN BUN, Indonesia
# Search teams ...") or a date before the agency ("Dec 17 (Reuters) - ").
MONTH_DAY = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
WIRE_DATELINE = re.compile(
    rf"^(?:[A-Z]{{3,}}(?:/[A-Z][A-Z ]*[A-Z])+(?:,\s+[A-Z][a-z]+)?\s+|(?:{MONTH_DAY}\s+)?{WIRE_AGENCY}\s*(?:--?|—|–)?"
    rf"|[A-Z][A-Z.'’-]{{2,}}(?:\s+[A-Z][A-Z.'’-]+)*"
    rf"(?:,\s+[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?)?{DATELINE_DATE}?\s*"
    rf"(?:{WIRE_AGENCY})?\s*(?:--?|—|–|>>)|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+)*(?:,\s+[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?)?"
    rf"\s*{WIRE_AGENCY}\s*(?:--?|—|–)?"
    # A local station's: the town in capitals and lower case, the state's postal code or its
    # abbreviation, a dash ("Charlottesville, VA - ", "Fort Worth, Tex. -- ").
    rf"|[A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}},\s+(?:[A-Z]{{2}}|[A-Z][a-z]{{1,4}}\.)\s+(?:--?|—|–))\s*(?=[A-Z\"“‘'])"
)


# A headline run into the dateline after it on one line, as some pages print them ("'Timecard' App
# Tracks Workers, Woman Says BAKERSFIELD, Calif. (CN) - A money-transfer company fired ..."): a
# city in capitals with its state or country and an agency, after words with no sentence's end.
HEADLINE_BEFORE_DATELINE = re.compile(
    rf"^[^.!?]{{1,150}}?\s(?=[A-Z]{{3,}}(?:\s[A-Z]{{3,}})*,\s+[A-Z][a-z]+\.?(?:\s[A-Z][a-z]+\.?)?\s*{WIRE_AGENCY}\s*(?:--?|—|–))"
)


# A live blog's time stamp on each entry ("7:50 P.M. UNRWA spokesman in Gaza Chris Gunness says
# ...", "22:54 P.M. Hundreds of riot police ..."): when the page posted it, not when anything
# happened, and a sentence opening on it reads as a clock. A time in running text is written "7:50
# p.m." and stays.
LIVE_BLOG_TIME = re.compile(r"^\d{1,2}:\d{2}\s*(?:[AP]\.M\.|[AP]M)\s+(?=[A-Z\"“‘'])")


# A list item's marker: "- On October 21, 2016, DOJ and FBI sought ...", "2) After reporter April
# Ryan asked Trump ...", "• JK Rowling recently launched ...". Left on, it made a briefing sentence
# open on a dash, and a number's bracket made the item no news prose.
LIST_MARKER = re.compile(r"^(?:[-–—•·▪*]|\(?\d{1,2}[.)])\s+(?=[A-Z\"“‘'])")


# What a line may open on before its news, taken off in this order: each may hide the next.
LEAD_INS = (LIST_MARKER, BUTTON_LABEL, HEADLINE_BEFORE_DATELINE, LIVE_BLOG_TIME, WIRE_DATELINE)


def without_dateline(line: str) -> str:
    """The line without a wire dateline (and a headline run into it), a live blog's time stamp, a
    list item's marker or a player's button label at its start (LEAD_INS)."""
    for lead_in in LEAD_INS:
        line = lead_in.sub("", line, count=1)
    return line


def closed_up(line: str) -> str:
    """The line without a link's aside, nor the spaces markup left before commas and stops and
    inside brackets."""
    return LOOSE_SPACE.sub("", LINK_ASIDE.sub("", line))


def clean(articles: Sequence[Article]) -> list[CleanDocument]:
    texts = [html_to_text(a.text) if a.content_type == "html" else a.text for a in articles]
    # An HTML article sent without a title has one in its page.
    titles = [a.title or (html_title(a.text) if a.content_type == "html" else "") for a in articles]
    lines_per_article = [[closed_up(normalize(line)) for line in t.splitlines()] for t in texts]
    lines_per_article = [unwrapped([line for line in lines if line]) for lines in lines_per_article]

    # Count each short line once per article, to find furniture shared across sources.
    seen_in: Counter[str] = Counter()
    for lines in lines_per_article:
        seen_in.update({_fingerprint(line) for line in lines if count_words(line) <= REPEATED_MAX_WORDS})

    documents = []
    set_aside: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for index, (title, lines) in enumerate(zip(titles, lines_per_article, strict=True)):
        kept: list[str] = []
        removed: list[str] = []
        seen_here: set[str] = set()
        dateline = None
        for line in lines:
            key = _fingerprint(line)
            reason = boilerplate_reason(line, title)
            # Wire copy repeats whole sentences across sources; those are facts, not furniture.
            if reason is None and seen_in[key] > 1 and not SENTENCE_END.search(line):
                reason = "repeated across sources"
            if reason is None and key in seen_here:
                reason = "repeated"
            seen_here.add(key)
            (removed if reason else kept).append(line if reason else without_dateline(line))
            if reason:
                set_aside[reason] += 1
                examples.setdefault(reason, line)
            if reason in ("timestamp", "byline") and dateline is None:
                dateline = find_date(line)
        documents.append(CleanDocument(index, normalize(title), tuple(kept), tuple(removed), dateline))
    if not any(doc.paragraphs for doc in documents):
        raise InputError(nothing_kept(len(articles), set_aside, examples), "articles")
    return documents


def nothing_kept(articles: int, set_aside: Counter[str], examples: dict[str, str]) -> str:
    """What the articles held when none has prose: each kind of line set aside, with an example."""
    in_articles = f"{articles} article{'s' if articles != 1 else ''}"
    lines = set_aside.total()
    if not lines:
        return f"found no text in {in_articles}"
    kinds = ", ".join(f"{count} {reason} ({quoted(examples[reason])})" for reason, count in set_aside.most_common())
    return f"found {lines} line{'s' if lines != 1 else ''} of text in {in_articles}, none of it prose: {kinds}"


def quoted(line: str, limit: int = 60) -> str:
    return '"' + (line if len(line) <= limit else line[: limit - 1] + "…") + '"'
