import pytest

from summarizer.stages.clean import boilerplate_reason, clean
from summarizer.types import Article


def test_general_boilerplate_rules_remove_web_furniture_and_keep_prose():
    body = "\n".join(
        [
            "Written by Jane Roe",
            "Mar.3 - 2025 9:14 AM CET",
            "Photo: Example Images",
            "Trending Now",
            "Floods killed 12 people in the northern province on Monday, officials said.",
            "Read More: Ten things to know about the weather",
            "Share this article",
            "Your email address will not be published. Required fields are marked *",
            "Rescue teams reached the last cut-off village late on Tuesday.",
            "Weather, Floods, Disasters",
            "EMBED More News Videos Floods hit the north. Watch the report from Jane Roe on Action News at 4 p.m.",
            "CLOSE Floods swept through three villages in the north on Monday. USA TODAY",
            "The opinions expressed in this commentary are solely those of Jane Roe.",
        ]
    )
    [doc] = clean([Article(id="a", title="Floods hit the north", text=body)])
    assert doc.paragraphs == (
        "Floods killed 12 people in the northern province on Monday, officials said.",
        "Rescue teams reached the last cut-off village late on Tuesday.",
        "Floods swept through three villages in the north on Monday. USA TODAY",
    )
    assert len(doc.removed_lines) == 10


@pytest.mark.parametrize(
    "body, paragraphs",
    [
        # Spaces markup left before commas and stops and inside brackets are closed up.
        (
            "Vogelsang worked at CKY , now known as CTV Winnipeg, in the 1990s .\nCBS ( cbs ) won the night.",
            ("Vogelsang worked at CKY, now known as CTV Winnipeg, in the 1990s.", "CBS (cbs) won the night."),
        ),
        # A headline run into its dateline goes with the dateline; a city in running prose stays.
        (
            "'Timecard' App Tracks Workers, Woman Says BAKERSFIELD, Calif. (CN) - A money-transfer company fired "
            "an employee for refusing to install an app.\n"
            "The company said in Bakersfield, Calif. (CN) - a court filing - that the app was needed.",
            (
                "A money-transfer company fired an employee for refusing to install an app.",
                "The company said in Bakersfield, Calif. (CN) - a court filing - that the app was needed.",
            ),
        ),
        # A link's aside inside a sentence is taken out; an aside that is not the page's words stays.
        (
            "In a settlement posted on the EPA's website (read it here), the agency notes the renovations.\n"
            "What emerged was a dream-like interpretation of reality (see video below).\n"
            "The study (see Supplementary Information) used 12 samples.\n"
            "The Honolulu Star-Advertiser (http://ow.ly/uPJl4 ) reported Friday.",
            (
                "In a settlement posted on the EPA's website, the agency notes the renovations.",
                "What emerged was a dream-like interpretation of reality.",
                "The study (see Supplementary Information) used 12 samples.",
                "The Honolulu Star-Advertiser reported Friday.",
            ),
        ),
        # A page's invisible layout characters go: a zero-width space, a soft hyphen, a byte-order
        # mark, a word joiner. A zero-width joiner inside an emoji stays.
        (
            "The \u200bFlight Crew is cheering.\nGloria knew \u00adChapman was \ufeffplanning to re\u2060turn.\n"
            "She posted \U0001f468\u200d\U0001f469 with it.",
            (
                "The Flight Crew is cheering.",
                "Gloria knew Chapman was planning to return.",
                "She posted \U0001f468\u200d\U0001f469 with it.",
            ),
        ),
    ],
)
def test_cleaning_mends_what_markup_and_page_layout_leave_in_a_line(body, paragraphs):
    [doc] = clean([Article(id="a", title="Anchor charged", text=body)])
    assert doc.paragraphs == paragraphs


def test_headline_repeated_in_body_is_removed():
    [doc] = clean(
        [
            Article(
                id="a",
                title="Floods hit the north",
                text="Floods hit the north.\nRain fell for nine days in the region.",
            )
        ]
    )
    assert doc.paragraphs == ("Rain fell for nine days in the region.",)


def test_short_lines_shared_across_sources_are_furniture_but_shared_sentences_are_kept():
    shared_footer = "More from our network of sites today"
    shared_fact = "The storm made landfall at noon."
    a = Article(
        id="a",
        title="A",
        text=f"Officials counted the damage across the coastal towns.\n{shared_footer}\n{shared_fact}",
    )
    b = Article(
        id="b", title="B", text=f"Residents returned home after the evacuation ended.\n{shared_footer}\n{shared_fact}"
    )
    docs = clean([a, b])
    for doc in docs:
        assert shared_footer not in doc.paragraphs
        assert shared_fact in doc.paragraphs


def test_boilerplate_reason_keeps_short_real_sentences():
    assert boilerplate_reason("He resigned on Friday.") is None
    assert boilerplate_reason("Latest Videos") == "label"
    assert boilerplate_reason("By John Smith") == "byline"
    assert boilerplate_reason("Read Also: Something else happened elsewhere") == "teaser"


def test_html_goes_through_the_extractor():
    html = (
        "<html><head><title>Storm</title></head><body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        "<article><h1>Storm hits coast</h1><p>The storm made landfall on the southern coast on Sunday night, "
        "bringing winds of 150 km/h to the region.</p><p>More than 20,000 homes lost power, the utility company said "
        "in a statement on Monday.</p></article><footer>Share this story</footer><script>var x = 1;</script></body></html>"
    )
    [doc] = clean([Article(id="h", title="", text=html, content_type="html")])
    text = " ".join(doc.paragraphs)
    assert "The storm made landfall on the southern coast on Sunday night" in text
    assert "More than 20,000 homes lost power" in text
    assert "var x" not in text and "Home" not in text


def test_dateline_date_is_kept_when_the_line_is_removed():
    [doc] = clean(
        [Article(id="a", title="t", text="Jan.21 - 2024 8:21 AM CET\nPutin thanked Kim for the invitation to visit.")]
    )
    assert doc.dateline == "2024-01-21"
    assert doc.paragraphs == ("Putin thanked Kim for the invitation to visit.",)


def test_find_date_formats():
    from summarizer.text import find_date

    assert [
        find_date(t)
        for t in ("Sept. 4, 2023", "Published 3 March 2025", "2024-06-18T10:00", "June 31, 2024", "at 12:30")
    ] == ["2023-09-04", "2025-03-03", "2024-06-18", None, None]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "KUALA LUMPUR, Malaysia (AP) - The banned chemical weapon VX was used.",
            "The banned chemical weapon VX was used.",
        ),
        ("SYCAMORE, Ill. --A 76-year-old man will be released.", "A 76-year-old man will be released."),
        ("WOODLAND HILLS >> Homicide detectives are investigating.", "Homicide detectives are investigating."),
        ("Sycamore, Illinois (CNN) The man convicted broke into a grin.", "The man convicted broke into a grin."),
        ("(CNN) A woman killed three people.", "A woman killed three people."),
        ("LOS ANGELES--After more than a year, Microsoft named it.", "After more than a year, Microsoft named it."),
        (
            "(CNN) -- After days of pleading, the parents got the drug.",
            "After days of pleading, the parents got the drug.",
        ),
        ("ALBANY, NY (NEWS 10) - Seven men have been charged.", "Seven men have been charged."),
        ("BOSTON (CBS) - One of the people killed was a boy.", "One of the people killed was a boy."),
        ("JAKARTA/PANGKALAN BUN, Indonesia Search teams found the jet.", "Search teams found the jet."),
        ("GAZA/JERUSALEM Israel's cabinet authorized the call-up.", "Israel's cabinet authorized the call-up."),
        ("Dec 17 (Reuters) - A ticket buying frenzy grew.", "A ticket buying frenzy grew."),
        (
            "CHICAGO, Nov. 30, 2018 /PRNewswire/ -- United Airlines announced a deal.",
            "United Airlines announced a deal.",
        ),
        (
            "Charlottesville, VA - Monday, a judge in Albemarle County heard evidence.",
            "Monday, a judge in Albemarle County heard evidence.",
        ),
        ("Fort Worth, Tex. -- Police arrested a teacher.", "Police arrested a teacher."),
        # Not datelines: a two-letter name, a dash inside the sentence, a name and its state's words.
        ("US - China talks resumed on Monday.", "US - China talks resumed on Monday."),
        ("Smith, of Dallas - a teacher - was arrested.", "Smith, of Dallas - a teacher - was arrested."),
        (
            "NATO said on Monday - after a long delay - that it agreed.",
            "NATO said on Monday - after a long delay - that it agreed.",
        ),
    ],
)
def test_a_wire_dateline_is_taken_off_the_lead(line, expected):
    from summarizer.stages.clean import clean

    (document,) = clean([Article(id="a", title="", text=line + "\n\nThe second paragraph stays as it is.")])
    assert document.paragraphs[0] == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # A live blog's time stamp on an entry; a time in running text stays.
        (
            "7:50 P.M. UNRWA spokesman Chris Gunness says the army is responsible for the strike.",
            "UNRWA spokesman Chris Gunness says the army is responsible for the strike.",
        ),
        (
            "22:54 P.M. Hundreds of riot police deployed near the Israeli Embassy in Paris on Thursday.",
            "Hundreds of riot police deployed near the Israeli Embassy in Paris on Thursday.",
        ),
        (
            "10:30 a.m. Friday is when the truce begins, the mediators said on Thursday night.",
            "10:30 a.m. Friday is when the truce begins, the mediators said on Thursday night.",
        ),
        # A list item's marker; a minus sign stays.
        (
            "- On October 21, 2016, the FBI sought and received an order to watch Carter Page.",
            "On October 21, 2016, the FBI sought and received an order to watch Carter Page.",
        ),
        (
            "2) After reporter April Ryan asked about the caucus, the president asked for a meeting.",
            "After reporter April Ryan asked about the caucus, the president asked for a meeting.",
        ),
        (
            "• JK Rowling recently launched an awareness campaign for children in institutions.",
            "JK Rowling recently launched an awareness campaign for children in institutions.",
        ),
        (
            "-5 degrees were forecast for Monday night in the mountains, the weather service said.",
            "-5 degrees were forecast for Monday night in the mountains, the weather service said.",
        ),
    ],
)
def test_a_marker_before_a_later_lines_text_is_taken_off(line, expected):
    lead = "Israel and Hamas agreed to a 72-hour ceasefire in Gaza starting on Friday, officials said."
    (document,) = clean([Article(id="a", title="", text=f"{lead}\n\n{line}")])
    assert document.paragraphs == (lead, expected)


WRAPPED_LETTER = """Dear Mr. Chairman:
On January 29, 2018, the House Permanent Select Committee on Intelligence voted to
disclose publicly a memorandum containing classified information provided to the
Committee in connection with its oversight activities. As provided by the rules of the
House, the Committee has forwarded this Memorandum to the President based on its
determination that the release of the Memorandum would serve the public interest.
The Constitution vests the President with the authority to protect national security
secrets from disclosure. As the Supreme Court has recognized, it is the President's
responsibility to classify, declassify, and control access to information bearing on our
intelligence sources and methods and national defense. In order to facilitate appropriate
congressional oversight, the Executive Branch may entrust classified information to the
appropriate committees of Congress, as it has done in connection with the
Committee's oversight activities here."""


def test_hard_wrapped_text_is_joined_back_into_paragraphs():
    # Text converted from PDF breaks every sentence over lines; left as it is, each line was a
    # paragraph and "disclose publicly a memorandum ..." a fragment.
    paragraphs = clean([Article("memo", "", WRAPPED_LETTER)])[0].paragraphs
    assert len(paragraphs) == 2  # "Dear Mr. Chairman:" is a label
    assert paragraphs[0].startswith(
        "On January 29, 2018, the House Permanent Select Committee on Intelligence voted to disclose"
    )
    assert paragraphs[0].endswith("would serve the public interest.")
    assert paragraphs[-1].endswith("in connection with the Committee's oversight activities here.")


def test_a_web_article_with_short_labels_is_not_unwrapped():
    lines = [
        "Know what's happening in the field",
        "Instantly see where their employees are and where they have been",
        "The company said its app is used by thousands of field workers across the country.",
        "Dispatch daily worker orders to their employee's mobile device",
    ]
    assert set(clean([Article("a", "", "\n".join(lines))])[0].paragraphs) <= set(lines)
