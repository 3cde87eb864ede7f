import pytest

from summarizer import resources
from summarizer.stages.segment import segment, split_sentences
from summarizer.text import names, numbers, words
from summarizer.types import CleanDocument


def test_punkt_ships_with_the_package_and_handles_abbreviations():
    assert (resources.NLTK_DATA_DIR / "tokenizers" / "punkt_tab" / "english" / "collocations.tab").is_file()
    assert (resources.NLTK_DATA_DIR / "LICENSE").is_file()
    assert split_sentences(
        "Mr. Putin met Kim on June 18. He said U.S. sanctions failed. It was 3 p.m. on Tuesday."
    ) == [
        "Mr. Putin met Kim on June 18.",
        "He said U.S. sanctions failed.",
        "It was 3 p.m. on Tuesday.",
    ]


def test_stop_words_are_the_english_list():
    stops = resources.stop_words()
    assert {"the", "and", "of"} <= stops
    assert "putin" not in stops


def test_sentences_carry_positions_numbers_and_names():
    doc = CleanDocument(
        article_index=2,
        title="t",
        paragraphs=(
            "Floods killed 12 people on Monday. Okay then.",
            "Rescuers from Ankara arrived in three helicopters in June.",
        ),
    )
    sentences = segment([doc])
    assert [(s.article_index, s.position, s.text) for s in sentences] == [
        (2, 0, "Floods killed 12 people on Monday."),
        (2, 1, "Rescuers from Ankara arrived in three helicopters in June."),
    ]
    assert sentences[0].numbers == frozenset({"12", "monday"})
    assert sentences[1].numbers == frozenset({"3", "jun"})
    assert sentences[1].names == frozenset({"ankara"})
    assert "flood" in sentences[0].stems and "the" not in sentences[0].stems


def test_number_normalisation():
    assert numbers(words("It cost $1,200 on 18-19 June")) == frozenset({"1200", "18", "19", "jun"})
    assert numbers(words("They may march in May")) == frozenset({"may"})
    assert numbers(words("Tuesday's jackpot beat January's record")) == frozenset({"tuesday", "jan"})
    assert names(words("Putin met Kim Jong Un in Pyongyang")) == frozenset({"kim", "jong", "un", "pyongyang"})


def test_fragments_and_title_case_runs_are_not_sentences():
    from summarizer.stages.segment import is_prose

    assert not is_prose("Jung Un, Kim Jong-il.")
    assert not is_prose("Putin To Make His First Trip To North Korea In 24 Years")
    assert not is_prose("He said so.")
    assert is_prose("Putin met Kim Jong Il in 2000.")


def paragraph_units(*paragraphs: str) -> list[str]:
    doc = CleanDocument(article_index=0, title="t", paragraphs=paragraphs)
    return [s.text for s in segment([doc])]


def test_a_stray_full_stop_is_mended_and_a_lone_fragment_dropped_and_counted():
    from summarizer.stages.segment import segment_documents

    doc = CleanDocument(
        article_index=0,
        title="t",
        paragraphs=(
            "Analysts warned of missile deliveries to Russia. intended for its assault in Ukraine.",
            "intended for the assault on the town of Kars.",
            "Officials in the U.S. said the talks would resume.",
        ),
    )
    result = segment_documents([doc])
    assert [s.text for s in result.sentences] == [
        "Analysts warned of missile deliveries to Russia intended for its assault in Ukraine.",
        "Officials in the U.S. said the talks would resume.",
    ]
    assert result.fragments_dropped == 1


def test_lines_that_do_not_end_as_a_sentence_are_dropped():
    assert paragraph_units(
        "Here is what the minister said about the floods:",
        "Durst still faces a separate trial in Los Angeles...",
        "Rescuers from Ankara arrived in three helicopters",
        "Rescuers from Ankara arrived in three helicopters on Monday.",
    ) == ["Rescuers from Ankara arrived in three helicopters on Monday."]


SPEECH = (
    '"Pyongyang remains our staunch ally. The United States and its satellites declare their aim is to deliver '
    'a strategic defeat to Russia. They want to prolong the conflict in Ukraine," reiterated Putin, echoing his '
    "customary narratives."
)


def test_each_sentence_of_a_quotation_keeps_its_speaker():
    sentences = segment([CleanDocument(article_index=0, title="t", paragraphs=(SPEECH,))])
    assert [s.text for s in sentences] == [
        'Putin said: "Pyongyang remains our staunch ally."',
        'Putin said: "The United States and its satellites declare their aim is to deliver a strategic defeat '
        'to Russia."',
        '"They want to prolong the conflict in Ukraine," reiterated Putin, echoing his customary narratives.',
    ]
    assert [s.speaker for s in sentences] == ["Putin", "Putin", "Putin"]
    assert all(s.quoted for s in sentences)
    # Each voiced sentence keeps its words as the article has them, to be found there again.
    assert [s.as_written for s in sentences] == [
        '"Pyongyang remains our staunch ally.',
        "The United States and its satellites declare their aim is to deliver a strategic defeat to Russia.",
        'They want to prolong the conflict in Ukraine," reiterated Putin, echoing his customary narratives.',
    ]
    assert all(s.as_written in SPEECH for s in sentences)


def test_a_quotation_continues_with_the_speaker_named_before_it():
    assert paragraph_units(
        '"The water came at night," said Ayse Demir, a farmer. "We lost everything. Nobody warned us."',
        "The ministry said 12 people had died in the floods.",
    ) == [
        '"The water came at night," said Ayse Demir, a farmer.',
        'Ayse Demir said: "We lost everything."',
        'Ayse Demir said: "Nobody warned us."',
        "The ministry said 12 people had died in the floods.",
    ]
    # News style carries a quotation over a paragraph break: the next paragraph opens a quote mark again.
    assert paragraph_units(
        'The mayor, Ali Kaya, said: "We will rebuild the bridges this year.',
        '"The government has promised new funds for the work."',
    ) == [
        'The mayor, Ali Kaya, said: "We will rebuild the bridges this year."',
        'Ali Kaya said: "The government has promised new funds for the work."',
    ]


def test_a_quotation_whose_speaker_is_not_named_stays_whole_or_is_dropped():
    # A pronoun names no one the reader can see: the passage stays one unit with its attribution.
    assert paragraph_units('"We lost everything. Nobody warned us," she said.') == [
        '"We lost everything. Nobody warned us," she said.'
    ]
    # Words nobody in the text is said to have spoken are left out.
    assert paragraph_units('"We lost everything. Nobody warned us."', "Floods killed 12 people on Monday.") == [
        "Floods killed 12 people on Monday."
    ]
    # Words given to someone the text does not name, inside a quotation of a named speaker: whether
    # it is that speaker, the text does not say ("Sorkin said: His wife added: ..." was the result),
    # and the rest of the quotation is theirs too.
    assert paragraph_units(
        '"His reaction was just a wow," Sorkin said. "He is very happy." His wife added: "It has been hard for us.'
        ' But Kieran wanted it."'
    ) == ['"His reaction was just a wow," Sorkin said.', 'Sorkin said: "He is very happy."']
    # Narration before a quotation inside one speaker's run is not that speaker's words, whatever
    # verb gives the quotation ('Smith said: Later, his brother Will texted: "It was awful."').
    assert paragraph_units(
        '"We lost everything," Smith said. "Nobody came." Later, his brother Will texted: "It was awful. We cried."'
    ) == ['"We lost everything," Smith said.', 'Smith said: "Nobody came."']


def test_a_bare_quotation_after_one_a_pronoun_speaks_joins_its_passage():
    from summarizer.evaluation.metrics import quotation_breaks, units_of

    paragraph = '"The road was closed for hours," she said. "Nobody told us why. We waited in the cold."'
    assert paragraph_units(paragraph, "Floods killed 12 people on Monday.") == [
        paragraph,
        "Floods killed 12 people on Monday.",
    ]
    # The eval cuts a model input the same way, so the passage is no quotation break there either.
    assert units_of(paragraph) == [paragraph]
    assert quotation_breaks(units_of(paragraph), [paragraph]) == 0
    # A named speaker's words are each in that voice; a bare quotation after plain text still has none.
    assert paragraph_units('"The road was closed," said Mary Jones. "Nobody told us why."') == [
        '"The road was closed," said Mary Jones.',
        'Mary Jones said: "Nobody told us why."',
    ]
    assert paragraph_units('The road was closed for hours. "Nobody told us why."') == ["The road was closed for hours."]


def test_a_pronoun_attribution_right_after_a_named_speaker_is_given_their_surname():
    doc = CleanDocument(
        article_index=0,
        title="t",
        paragraphs=(
            "Rite Aid spokeswoman Susan Henderson said roughly 1,000 employees work at the center.",
            '"The shooting happened next to the main building," she said.',
            "She added that the company was working with the police.",
        ),
    )
    first, second, third = segment([doc])
    assert second.text == '"The shooting happened next to the main building," Henderson said.'
    assert second.speaker == "Henderson"
    assert second.as_written == '"The shooting happened next to the main building," she said.'
    # The named sentence is the one before the next: the chain goes on.
    assert third.text == "Henderson added that the company was working with the police."
    assert first.as_written is None


@pytest.mark.parametrize(
    "paragraphs",
    [
        # The sentence before is no person's words.
        ("Police said the road was closed on Monday.", '"It was awful to see," he said.'),
        ("John Jones said the road was closed.", "The river rose two metres overnight.", '"We left," he said.'),
        # The cluster gives the speaker the other pronoun: a title, reported speech, a first name.
        ("Mrs Wilson said the path was steep.", '"It was a long fall," he said.'),
        (
            "Greig said she was devastated.",
            "Mary Greig told reporters the call was a joke.",
            '"We are sorry," he said.',
        ),
        ('"All of them?" replied anchor Brianna Keilar.', '"Says who?" he asked again.'),
        # Someone the pronoun may stand for is named before it, or the speaker after it.
        (
            "Justin Dawes said it was awkward, and they left without incident.",
            "Mark Ebenhoch was an adviser on the set of the film when, he said, Spacey asked him to stay.",
        ),
        (
            "At one point, Wendy Davis said, her mother put the three children in the car.",
            "She told Davis years later that she did not want to live without her husband.",
        ),
    ],
)
def test_a_pronoun_attribution_stays_unless_the_sentence_before_makes_it_certain(paragraphs):
    doc = CleanDocument(article_index=0, title="t", paragraphs=paragraphs)
    *_, last = segment([doc])
    assert last.text == paragraphs[-1] and last.as_written is None


def test_a_sentence_with_a_short_quotation_is_a_plain_sentence_with_its_speaker():
    (sentence,) = segment(
        [
            CleanDocument(
                article_index=0, title="t", paragraphs=('South Korea said it was "closely monitoring" the visit.',)
            )
        ]
    )
    assert sentence.quoted and sentence.speaker == "South Korea"
    (plain,) = segment([CleanDocument(article_index=0, title="t", paragraphs=("Floods killed 12 people on Monday.",))])
    assert not plain.quoted and plain.speaker is None


def test_a_page_talking_about_itself_inside_a_long_paragraph_is_dropped_but_a_quotation_is_kept():
    assert paragraph_units(
        "The council approved the new budget on Monday after a long debate. We've detected that JavaScript "
        "is disabled in your browser. Get the morning briefing delivered to your inbox. Please try again later.",
        'The senator tweeted: "Do you want to be remembered for your tweets or your accomplishments?"',
    ) == [
        "The council approved the new budget on Monday after a long debate.",
        'The senator tweeted: "Do you want to be remembered for your tweets or your accomplishments?"',
    ]


def test_players_topic_buttons_archive_notes_and_column_disclaimers_are_dropped():
    assert paragraph_units(
        "Rating is available when the video has been rented. The mayor resigned on Monday after the vote.",
        "Add Donald Trump as an interest to stay up to date on the latest Donald Trump news, video, and analysis.",
        "These crawls are part of an effort to archive pages as they are created. That way, as the pages that "
        "are referenced are changed or taken from the web, a link to the version that was live will be preserved. "
        'The goal is to fix all broken links on the web. Crawls of supported "No More 404" sites.',
        "Smith is a former ambassador to Chile. The opinions expressed are his own.",
        "WARCZone is a collection of outsider-uploaded WARCs, which are contributed to the Internet Archive.",
        "Cliff Owen/AP Buy Photo Wait 1 second to continue.",
        "Skip in Skip x Embed x Share FBI officials say there are no known additional threats.",
        "New Vineyard Gazette owner looking for a new publisher; several... More.",
        "The most reliable politics newsletter. The newsletter reported that the mayor resigned.",
    ) == [
        "The mayor resigned on Monday after the vote.",
        "Smith is a former ambassador to Chile.",
        "The newsletter reported that the mayor resigned.",
    ]


def test_a_figure_after_no_goes_on_the_sentence_it_numbers():
    assert paragraph_units(
        "Vladimir Katriuk, the No. 2 on the list of most wanted war criminals, has died. He had lived in Quebec for 60 years."
    ) == [
        "Vladimir Katriuk, the No. 2 on the list of most wanted war criminals, has died.",
        "He had lived in Quebec for 60 years.",
    ]


def test_a_title_before_a_name_ends_no_sentence():
    assert paragraph_units(
        "The scaffolding was wet, New York Police Department Sgt. Brendan Ryan said. Gov. Andrew Cuomo spoke at the scene.",
        "Police Det. John Smith and Capt. Mary Roe arrived. Cmdr. Lee agreed with the plan.",
        "A man peed in the Mt. Tabor Reservoir on Wednesday.",
    ) == [
        "The scaffolding was wet, New York Police Department Sgt. Brendan Ryan said.",
        "Gov. Andrew Cuomo spoke at the scene.",
        "Police Det. John Smith and Capt. Mary Roe arrived.",
        "Cmdr. Lee agreed with the plan.",
        "A man peed in the Mt. Tabor Reservoir on Wednesday.",
    ]


def test_initials_before_a_name_end_no_sentence_but_a_sentence_after_them_starts_one():
    assert paragraph_units(
        'A jury acquitted Orenthal James "O.J." Simpson of the murders in 1995. '
        "Former football star O.J. Simpson was released on Sunday. Mail will be delivered, as the U.S. "
        "Postal Service is funded separately. The law was passed in the U.S. The senators voted for it."
    ) == [
        'A jury acquitted Orenthal James "O.J." Simpson of the murders in 1995.',
        "Former football star O.J. Simpson was released on Sunday.",
        "Mail will be delivered, as the U.S. Postal Service is funded separately.",
        "The law was passed in the U.S.",
        "The senators voted for it.",
    ]


def test_an_attribution_split_from_its_quotation_by_a_full_stop_is_joined_back():
    assert paragraph_units(
        '"I work three jobs with no benefits." Andy Smith said. The council voted against the plan on Monday.',
        '"The vote is final." said Jane Roe, a council member.',
        '"We are done." Andy Smith said the budget was approved in the spring.',
    ) == [
        '"I work three jobs with no benefits." Andy Smith said.',
        "The council voted against the plan on Monday.",
        '"The vote is final." said Jane Roe, a council member.',
        # A whole sentence of its own after the quotation is not its attribution.
        "Andy Smith said the budget was approved in the spring.",
    ]


def test_a_bare_quotation_paragraph_is_not_given_the_voice_of_the_paragraph_before():
    # The article does not attribute these words: the name is in another paragraph, which may
    # well be someone else's answer.
    assert paragraph_units(
        "Mayor Jane Smith said the plan to clear the park had failed.",
        '"We tried everything we could. Nobody listened to us."',
        '"Will the city try again next year?" asked reporter Tom Lee.',
        '"Not while I am in office."',
    ) == [
        "Mayor Jane Smith said the plan to clear the park had failed.",
        '"Will the city try again next year?" asked reporter Tom Lee.',
    ]


def voices(*paragraphs: str) -> list[tuple[str, str | None]]:
    doc = CleanDocument(article_index=0, title="t", paragraphs=paragraphs)
    return [(s.text, s.speaker) for s in segment([doc])]


def test_wire_text_after_an_unclosed_quotation_is_in_nobody_s_voice_and_left_out():
    # The tourist's quotation never closes (wire text lost the paragraph break); what follows it
    # until the next quotation opens may be narration or more of his words: given to nobody, and
    # left out, since printed plainly it could be someone's words stated as fact ('"Here's what
    # gets me. They could end up in prison.' would read as the briefing's own claim).
    assert voices(
        'Floods hit the island on Monday. "We have never seen water like this," said Jim Montgomery, a tourist '
        'from Ohio. "We climbed onto the roof of the hotel. The U.S. Agency for International Development sent '
        'two helicopters to the island on Tuesday. "We are doing everything we can," said aid official Ann Lee.'
    ) == [
        ("Floods hit the island on Monday.", None),
        ('"We have never seen water like this," said Jim Montgomery, a tourist from Ohio.', "Jim Montgomery"),
        ('"We are doing everything we can," said aid official Ann Lee.', "Ann Lee"),
    ]


def test_a_closing_quote_mark_where_no_quotation_opened_gives_its_words_to_no_one():
    # Before: 'Russ Granik said: I don't think that they're ready to make a deal.""' (the union
    # chief's words, given to the league's deputy commissioner named earlier in the paragraph).
    assert voices(
        '"We are still far apart," said deputy commissioner Russ Granik. Union chief Billy Hunter said the '
        "players had made their last offer. I don't think that they're ready to make a deal.\" The talks resume "
        "in New York on Friday."
    ) == [
        ('"We are still far apart," said deputy commissioner Russ Granik.', "Russ Granik"),
        ("Union chief Billy Hunter said the players had made their last offer.", None),
        ("The talks resume in New York on Friday.", None),
    ]


def test_a_quotation_left_open_is_in_no_voice_unless_the_next_paragraph_carries_it_on():
    # Before: 'Lucia Pinochet said: "Chile argues that Pinochet must be released..."'.
    assert (
        voices(
            'Lucia Pinochet said: "My father is innocent and he is very sick. Chile argues that Pinochet must be '
            "released on humanitarian grounds. British officials said the decision would take several weeks."
        )
        == []
    )  # nothing after the open quote mark is given to her, nor printed as plain fact
    # A sentence of the open quotation in the first person is someone's voice, but not a known one.
    assert voices('Lucia Pinochet said: "It is over. We will take him home.', "The court meets on Monday.") == [
        ("The court meets on Monday.", None)
    ]
    # News style: the next paragraph opens a quote mark again, so the quotation goes on there.
    assert voices('Lucia Pinochet said: "It is over for us.', '"We will take him home."') == [
        ('Lucia Pinochet said: "It is over for us."', "Lucia Pinochet"),
        ('Lucia Pinochet said: "We will take him home."', "Lucia Pinochet"),
    ]


def test_a_bare_quotation_takes_the_voice_of_the_quotation_right_before_it_only():
    assert voices(
        '"The water came at night," said Ayse Demir. The river rose two metres on Sunday. "Nobody warned us."'
    ) == [
        ('"The water came at night," said Ayse Demir.', "Ayse Demir"),
        ("The river rose two metres on Sunday.", None),
    ]


def test_quote_marks_read_by_where_they_stand():
    from summarizer.stages.segment import mark_directions, quotation_runs

    assert mark_directions('He said: "We won," and left. She said "no".') == ["open", "close", "open", "close"]
    assert mark_directions("“Yes” — ” stray") == ["open", "close", None]
    runs = quotation_runs(['"We won.', "The team flew home.", '"It was hard," he said.'])
    assert [(run.pieces, run.consistent) for run in runs] == [
        (['"We won.', "The team flew home."], False),
        (['"It was hard," he said.'], True),
    ]


def test_the_speaker_is_who_speaks_not_who_is_told_and_loses_the_sentence_full_stop():
    from summarizer.stages.segment import attributed_speaker, speaker_of

    assert speaker_of('"We won," said Delynn.') == "Delynn"
    assert speaker_of('"Stay home," said Gov. Smith.') == "Gov. Smith"
    assert speaker_of('"He wrote a letter," an insider told UK magazine Look.') is None
    # A word that opens the sentence is no part of the name.
    assert attributed_speaker("But Davis writes that in Texas it is considered an abortion.") == "Davis"
    assert speaker_of('"We won," The explained.') is None
    assert speaker_of('"We won," The Kremlin said.') == "The Kremlin"
    assert speaker_of('"We won," said deputy commissioner Russ Granik.') == "Russ Granik"
    assert speaker_of('"We won," said aid official Ann Lee.') == "Ann Lee"
    assert attributed_speaker("The body was found at the time, according to Lt. John Corina.") == "Lt. John Corina"
    assert speaker_of('"It was sophisticated," according to the iSight report.') == "the iSight report"


def test_the_words_before_a_quotation_are_not_the_speaker_after_it():
    from summarizer.stages.segment import speaker_of

    # The dev source that gave a trail association's specialist's words to "The trail".
    assert (
        speaker_of(
            'The book led to a small increase in inquiries about the trail, "but the movie seems to have had'
            ' a much bigger effect," said Jack Haskel, trail information specialist for the association.'
        )
        == "Jack Haskel"
    )
    assert speaker_of('The violence "seems that it\'s beyond control," said Daniel Ben Simon.') == "Daniel Ben Simon"
    assert speaker_of('It\'s "one of those strange cases," Corina added.') == "Corina"
    # A speaker whose verb comes after the quotation's own words still speaks.
    assert speaker_of('"We will rebuild," the mayor said.') == "the mayor"


def test_a_speaker_keeps_a_long_title_and_loses_a_time_before_it():
    from summarizer.stages.segment import speaker_of

    # Five capitalised words: the surname was cut off ("Public Information Officer Samantha said:").
    assert speaker_of('"She was found," said Public Information Officer Samantha Karges.') == (
        "Public Information Officer Samantha Karges"
    )
    # A live blog's time stamp and a weekday open the sentence; they are no part of the name.
    assert speaker_of('8:55 P.M. "Take them out," says coalition chairman Yariv Levin.') == "Yariv Levin"
    assert speaker_of('12:01 P.M. Prime Minister Benjamin Netanyahu said "we will finish it."') == (
        "Prime Minister Benjamin Netanyahu"
    )
    assert speaker_of('Thursday Trump said he was upgrading CNN to "very fake news."') == "Trump"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # The name beside the verb ends the description of the person who spoke.
        (
            '"Blood would leave a pattern," Matteo Borrini, a forensic scientist at Liverpool John Moores'
            " University in the United Kingdom, told BuzzFeed News.",
            "Matteo Borrini",
        ),
        (
            '"We listened," Sarah Murphy, United\'s vice president of Global Operations Strategy, Planning and'
            " Design, said in a statement.",
            "Sarah Murphy",
        ),
        ('Dick DeGuerin, Durst\'s longtime attorney, said the deal "cleared the decks."', "Dick DeGuerin"),
        # A description may open with the role, capitalised: "CEO of Lumos" is no name.
        ('Georgette Mulheir, CEO of Lumos, tells how the children lived "in hell."', "Georgette Mulheir"),
        ('Rhys Holleran, CEO of Southern Cross Austereo, said the station "tried five times."', "Rhys Holleran"),
        ('Ellen Rogovinhart of Elkins Park said she thought "it was wrong."', "Ellen Rogovinhart"),
        # A place and a title of four words before the name: six capitalised words in all.
        (
            'Northern Ireland Justice Minister David Ford of Alliance said it was "interference."',
            "Northern Ireland Justice Minister David Ford",
        ),
        ('Rep. Peter King, chair of the House Homeland Security Committee, said "more will go."', "Rep. Peter King"),
        ('"It is good," Efron, who also spoke to Al Jazeera America, wrote in an email.', "Efron"),
        # A surname opening the sentence, then what the person is: not an adverb before a comma.
        ("Schmack, the state's attorney, said he sat through the trial.", "Schmack"),
        ('Lloyd, the leader of the rescue team, told the inquest: "The route was an attempt."', "Lloyd"),
        ("Wagner, who spent $400 on the ring in 1946, said that the ring stayed on.", "Wagner"),
        ("Meanwhile, the head of the agency, said the plan failed.", None),
        # An organisation or a place, then the role: whom the person speaks for, not the speaker.
        ('"We all want a de-escalation," said State Department spokesman Mark Toner.', "Mark Toner"),
        ('"It\'s a great idea," said Spokane resident Jason Prettyman.', "Jason Prettyman"),
        ('"Deserts are fragile," says U.S. Forest Service volunteer Jules Fijolek.', "Jules Fijolek"),
        ('"Stay home," said Police Chief John Smith.', "Police Chief John Smith"),
        # The "of" of an institution or a title is part of the name; a place's is not.
        ('The Institute of Directors said the rebellion would "determine the future."', "The Institute of Directors"),
        ('"There is no promise," U.S. Secretary of State John Kerry said.', "U.S. Secretary of State John Kerry"),
        ('"I don\'t sense it," said Sen. Jeff Sessions of Alabama.', "Sen. Jeff Sessions"),
        ('Rep. Peter T. King (R-N.Y.), chairman of the committee, said "more will go."', "Rep. Peter T. King"),
        # An attribution after a comma: the words before it end what was said.
        ("Helicopters continued to sweep the area, said Barbara LaBoe, a state spokeswoman.", "Barbara LaBoe"),
        ("TSA workers have been wondering the same thing, said Victor Payes, a union president.", "Victor Payes"),
        ("The spokesman, Ed Donovan, said Crudup would be charged with unlawful entry.", "Ed Donovan"),
        # A pronoun after the verb is who the report is about, not who speaks.
        ('Sheriff Jeffrey Gahler was not ready to name her, but said she was "a temporary employee."', None),
        # So is a name with its verb after the speech verb: "said Netanyahu was" reports on Netanyahu.
        ('A Hamas official said Netanyahu was "searching for a way out."', None),
        ('Pentagon officials said the decision did not reflect "any specific orders."', None),
        ('The city has said it needs "to erect fencing this week."', "The city"),
        ('"Yes," said Netanyahu, who was in Paris.', "Netanyahu"),
        # "Continued to" and "added to" do something else than speak.
        ("Autumn Veatch, a former student, continued to live with her father.", None),
        # A description with a verb of its own is a clause: the name is not the speaker's.
        ("Kim Jong-nam, the half-brother of the leader, was killed by a nerve agent, says Malaysia.", "Malaysia"),
        # "Secretary of State" is a title, not a person ("U.S. Secretary") from a place.
        (
            "Israel and Hamas agreed to a truce, U.S. Secretary of State John Kerry and UN chief Ban Ki-moon said.",
            "Ban Ki-moon",
        ),
        # Someone the sentence does not name: the name after a preposition is where they are from.
        ('"I am crying," a doctor at al-Shifa Hospital said.', None),
        ('An official with the Russian Embassy said Katriuk\'s death was "unfortunate."', None),
        # ... but an attribution of its own after the verb still names the speaker.
        ('The piece was part of the jet\'s "body," said Henry Bambang Soelistyo.', "Henry Bambang Soelistyo"),
    ],
)
def test_the_speaker_is_the_person_described_not_a_place_in_the_description(text, speaker):
    from summarizer.stages.segment import attributed_speaker

    assert attributed_speaker(text) == speaker
