from helpers.fakes import FakeGenerator

from summarizer import Article, SummaryOptions, summarize
from summarizer.stages.attribute import Dropped, attribute, without_repeats
from summarizer.stages.clean import clean
from summarizer.stages.dedup import deduplicate
from summarizer.stages.segment import segment

ARTICLES = [
    Article(
        id="a",
        title="Floods in Kars",
        text=(
            "Floods killed 12 people in the northern province of Kars on Monday. "
            "The government promised new funds for rebuilding bridges."
        ),
    ),
    Article(
        id="b",
        title="Kars floods",
        text=(
            "On Monday, 12 people were killed by floods in Kars province, officials said. "
            "Rescue teams from Ankara reached the last cut-off village on Tuesday."
        ),
    ),
    Article(
        id="c",
        title="Rescue in Kars",
        text=(
            "Rescue teams reached the last cut-off village in Kars on Tuesday. "
            "Schools in the province will stay closed until Friday."
        ),
    ),
]
FUSION = "Rescue teams from Ankara reached the cut-off village on Tuesday and the government promised funds for rebuilding bridges."
HALLUCINATION = "Floods killed 40 people in Istanbul on Sunday."
MODEL_OUTPUT = " ".join(
    [
        "Floods killed 12 people in Kars province on Monday.",
        FUSION,
        HALLUCINATION,
        "Schools will stay closed until Friday.",
    ]
)


def clusters():
    return deduplicate(segment(clean(ARTICLES)))


def test_paraphrase_fusion_and_hallucination_are_cited_exactly():
    sentences, dropped = attribute(MODEL_OUTPUT, clusters())
    assert [(s.text, s.citations) for s in sentences] == [
        ("Floods killed 12 people in Kars province on Monday.", (1, 2)),
        (FUSION, (1, 2, 3)),
        ("Schools will stay closed until Friday.", (3,)),
    ]
    # 40 dead where the sources say 12: contradicted, not merely unsupported.
    assert dropped == Dropped(unsupported=0, contradicted=1)
    first = sentences[0]
    assert {(e.source, e.sentence) for e in first.evidence} == {(1, 0), (2, 0)}
    assert all(0 < e.score <= 1 for e in first.evidence)
    assert all(s.verdict == "supported" and s.reason is None and 0.45 <= s.score <= 1 for s in sentences)


def test_unsupported_sentences_can_be_kept_flagged():
    sentences, dropped = attribute(MODEL_OUTPUT, clusters(), keep_unsupported=True)
    assert dropped == Dropped()
    flagged = [s for s in sentences if not s.supported]
    assert [(s.text, s.verdict) for s in flagged] == [(HALLUCINATION, "contradicted")]
    assert flagged[0].citations == ()
    assert "40 where the source says 12" in flagged[0].reason


def test_a_name_found_in_no_source_makes_a_sentence_unsupported():
    sentences, dropped = attribute("Floods killed 12 people in Kars province on Monday, Erdogan said.", clusters())
    assert sentences == [] and dropped == Dropped(unsupported=1)


def test_repeated_model_sentences_are_dropped():
    texts = [
        "Floods killed 12 people in Kars on Monday.",
        "Schools stay closed.",
        "On Monday floods killed 12 people in Kars.",
    ]
    assert without_repeats(texts) == texts[:2]


def test_pipeline_with_a_fake_model_cites_and_counts():
    fake = FakeGenerator(MODEL_OUTPUT)
    briefing = summarize(ARTICLES, SummaryOptions(engine="abstractive", max_words=100), generator=fake)
    assert briefing.engine == "abstractive"
    assert briefing.model == "fake/bart-like"
    assert (briefing.stats.dropped_unsupported, briefing.stats.dropped_contradicted) == (0, 1)
    assert briefing.text == (
        "Floods killed 12 people in Kars province on Monday. [1][2] "
        f"{FUSION} [1][2][3] Schools will stay closed until Friday. [3]"
    )
    assert fake.inputs == [briefing.model_input]
    assert briefing.stats.duplicate_sentences_merged == 2


def test_model_output_with_no_supported_sentence_falls_back_to_extraction():
    briefing = summarize(ARTICLES, SummaryOptions(engine="abstractive"), generator=FakeGenerator(HALLUCINATION))
    assert briefing.engine == "extractive"
    assert any("no supported sentence" in w for w in briefing.warnings)
    assert briefing.sentences and all(s.citations for s in briefing.sentences)


def test_corroborating_outlets_are_all_cited_and_possessives_match():
    articles = [
        Article(
            id="a",
            title="A",
            text="Putin will pay a friendly state visit to the Democratic People's Republic of Korea, the Kremlin announced.",
        ),
        Article(
            id="b",
            title="B",
            text="The Kremlin said the Russian leader will make a friendly state visit to the Democratic People's Republic of Korea.",
        ),
        Article(id="c", title="C", text="Schools in the province will stay closed until Friday."),
    ]
    model_output = (
        "The Kremlin says Putin will pay a 'friendly state visit' to the Democratic People's Republic of Korea ."
    )
    briefing = summarize(articles, SummaryOptions(engine="abstractive"), generator=FakeGenerator(model_output))
    [sentence] = briefing.sentences
    assert (
        sentence.text
        == "The Kremlin says Putin will pay a 'friendly state visit' to the Democratic People's Republic of Korea."
    )
    assert sentence.citations == (1, 2)


def test_generated_spacing_is_tidied():
    from summarizer.text import tidy_generated

    assert tidy_generated("Putin arrived in Pyongyang . He did n't stay , officials said .") == (
        "Putin arrived in Pyongyang. He didn't stay, officials said."
    )


def test_a_voiced_quotation_is_cited_with_its_speaker_and_its_words_as_written():
    speech = (
        '"Pyongyang remains our staunch ally. The United States and its satellites declare their aim is to '
        'deliver a strategic defeat to Russia," said Putin in a speech on Monday.'
    )
    # The briefing quotes a speaker the sources name in full ("Vladimir Putin").
    visit = "Russian President Vladimir Putin arrived in Pyongyang on Tuesday for two days of talks."
    articles = [Article(id="a", title="Visit", text=f"{speech}\n\n{visit}"), *ARTICLES]
    briefing = summarize(articles, SummaryOptions(engine="extractive", max_words=200))
    evidence = {c.text: c for s in briefing.sentences for c in s.evidence if c.source == 1}
    voiced = evidence['Putin said: "Pyongyang remains our staunch ally."']
    assert voiced.speaker == "Putin"
    assert voiced.as_written == '"Pyongyang remains our staunch ally.'
    assert voiced.as_written in speech
    # A sentence the article has as it stands carries no second copy.
    assert all(c.as_written is None for c in evidence.values() if c.text in speech)


def test_a_quoted_speaker_is_introduced_with_the_role_the_sources_give_on_first_mention():
    from summarizer.stages.attribute import introduce_people
    from summarizer.stages.segment import speaker_introductions
    from summarizer.types import BriefingSentence

    role = "National Security Council spokesman John Kirby said the United States was watching the visit."
    quote = '"We are concerned about the deepening ties between the two countries," Kirby said.'
    again = '"We will respond," Kirby said.'
    facts = deduplicate(segment(clean([Article(id="a", title="t", text=f"{role}\n\n{quote}\n\n{again}")])))
    briefing = [BriefingSentence(text, (1,), ()) for text in (quote, again)]
    assert [s.text for s in introduce_people(briefing, facts, max_words=150)] == [
        '"We are concerned about the deepening ties between the two countries," National Security Council '
        "spokesman John Kirby said.",
        again,  # introduced once
    ]
    # Not past the word budget, and not where the briefing named the speaker already.
    assert [s.text for s in introduce_people(briefing, facts, max_words=17)] == [quote, again]
    named = [BriefingSentence(role, (1,), ()), *briefing]
    assert [s.text for s in introduce_people(named, facts, max_words=150)] == [role, quote, again]
    # A name written in full stays as the source wrote it.
    full = BriefingSentence("Trump praised the visit, Homeland Security Adviser John Kirby said on Sunday.", (1,), ())
    assert introduce_people([full], facts, max_words=150)[0].text == full.text
    # Two people of the surname in the cluster: which one spoke is not certain.
    assert speaker_introductions([role, "Mary Kirby, his sister, was not there."]) == {}
    assert speaker_introductions([role, "Union chief Billy Hunter said no."]) == {
        "Kirby": "National Security Council spokesman John Kirby",
        "Hunter": "Union chief Billy Hunter",
    }
    # A word that opens the sentence before the surname is no other first name.
    assert speaker_introductions([role, "But Kirby, speaking on Sunday, would not say more."]) == {
        "Kirby": "National Security Council spokesman John Kirby"
    }


def test_a_speaker_named_in_full_is_given_the_role_the_sources_set_beside_the_name():
    from summarizer.stages.attribute import introduce_people
    from summarizer.stages.segment import appositive_roles
    from summarizer.types import BriefingSentence

    beside = '"It is too congested," said Maria Walter, United Airlines\' director of operations strategy.'
    quote = 'Maria Walter said: "It created a lot of angst from our customers."'
    before = "The cheerleaders' attorney, Patricia Pierce, used the rates to argue the pay was too low."
    facts = deduplicate(segment(clean([Article(id="a", title="t", text=f"{beside}\n\n{quote}\n\n{before}")])))
    texts = [s.text for f in facts for s in f.sentences]
    assert appositive_roles(texts) == {
        "Walter": ("Maria Walter", "United Airlines' director of operations strategy"),
        "Pierce": ("Patricia Pierce", "the cheerleaders' attorney"),
    }
    # Neither a clause ("who works at ...") nor a bare "the spokesman" is a role.
    assert appositive_roles(["Victor Payes, who works at the airport and leads its union, said so."]) == {}
    assert appositive_roles(["Ed Donovan, the spokesman, said the man was tackled."]) == {}
    briefing = [BriefingSentence(quote, (1,), ())]
    assert introduce_people(briefing, facts, max_words=150)[0].text == (
        "Maria Walter, United Airlines' director of operations strategy, said: "
        '"It created a lot of angst from our customers."'
    )
    # A role is worth less than a fact: only where it fits.
    assert introduce_people(briefing, facts, max_words=15)[0].text == quote
    assert introduce_people(briefing, facts, max_words=15, every_name=True)[0].text == quote


def test_a_person_named_by_surname_alone_is_introduced_as_the_sources_name_them():
    from summarizer.stages.attribute import introduce_people
    from summarizer.types import BriefingSentence

    naming = (
        "Barbour said the shift supervisor at the time, Tim Medlin, took the call.\n\n"
        "The girl fell ill in the office of Dr. Lilly Geyer, Honolulu Chief Medical Examiner Dr. Christopher "
        "Happy said."
    )
    # "When" opening a sentence before the surname is no first name.
    speaking = (
        "Medlin said it was hard to understand her.\n\nWhen Medlin called back, the line was dead.\n\n"
        "Arthur de Soultrait said the gun was a fake."
    )
    articles = [Article(id="a", title="t", text=naming), Article(id="b", title="t", text=speaking)]
    facts = deduplicate(segment(clean(articles)))
    briefing = [
        BriefingSentence("Medlin said it was hard to understand her.", (2,), ()),
        BriefingSentence("Medlin later called back twice.", (2,), ()),
        BriefingSentence("The gun belonged to a friend of Soultrait.", (2,), ()),
        BriefingSentence("The girl fell ill in Dr. Geyer's office.", (1,), ()),
    ]
    introduced = introduce_people(briefing, facts, max_words=150)
    assert [s.text for s in introduced] == [
        "Tim Medlin said it was hard to understand her.",  # reported speech too; once
        "Medlin later called back twice.",
        # No source writes one first name before "Soultrait"; "Dr" is a title, not a surname.
        "The gun belonged to a friend of Soultrait.",
        "The girl fell ill in Dr. Geyer's office.",
    ]
    # The first name is the other article's word: the sentence cites it, where it names him.
    assert introduced[0].citations == (1, 2)
    (evidence,) = introduced[0].evidence
    assert evidence.source == 1 and evidence.text[slice(*evidence.span)] == "Tim Medlin"
    assert all(s.citations == b.citations for s, b in zip(introduced[1:], briefing[1:], strict=True))
    # A surname that names a thing after "the" or "a" is no mention of the person.
    attributive = [BriefingSentence("The Medlin call was logged at 4 a.m.", (2,), ())]
    assert introduce_people(attributive, facts, max_words=150) == attributive


def test_a_surname_two_people_share_is_introduced_as_the_cited_article_names_it():
    from summarizer.stages.attribute import introduce_people
    from summarizer.types import BriefingSentence, Citation

    child = "Elisha Nabugyere, 3, was killed by a leopard on Friday at the park."
    father = "His father, Francis Manana Nabugyere, works at the police staff college."
    coffin = '"UWA gave us the coffin," Nabugyere told the Kampala Post.'
    cousin = "Nabugyere, a cousin of Elisha Nabugyere, spoke to reporters on Monday."
    articles = [
        Article(id="a", title="t", text=f"{child}\n\nNabugyere said the boy was seated at the door."),
        Article(id="b", title="t", text=f"{father}\n\n{coffin}\n\n{cousin}"),
    ]
    facts = deduplicate(segment(clean(articles)))
    quoted = 'Nabugyere said: "UWA gave us the coffin."'
    briefing = [
        BriefingSentence(child, (1,), (Citation(1, 0, child, 1.0),)),
        BriefingSentence(quoted, (2,), (Citation(2, 1, quoted, 1.0),)),
    ]
    # The briefing named the child; the article the quotation comes from named the father.
    introduced = introduce_people(briefing, facts, max_words=150)
    assert [s.text for s in introduced] == [child, 'Francis Manana Nabugyere said: "UWA gave us the coffin."']
    # Once told, the father is not introduced again.
    assert introduce_people([*introduced, briefing[1]], facts, max_words=150)[-1].text == quoted
    # A sentence that names someone of the surname in full itself is left as written: which
    # Nabugyere the other is, only the sentences before it say.
    alone = [BriefingSentence(cousin, (2,), (Citation(2, 2, cousin, 1.0),))]
    assert introduce_people(alone, facts, max_words=150) == alone


def test_a_person_a_report_is_about_is_introduced_once_as_their_article_names_them():
    from summarizer.stages.attribute import introduce_people
    from summarizer.types import BriefingSentence, Citation

    arrest = "Police said Dirk Crudup, 25, climbed the fence on Tuesday."
    charge = "The spokesman said Crudup would be charged with unlawful entry."
    rumour = "Friends say Cruise has written to his ex-wife."
    told, anchor = "Steve Vogelsang was arrested on Monday.", "Police say Vogelsang was a sports anchor."
    articles = [
        Article(id="a", title="t", text=f"{arrest}\n\n{charge}"),
        Article(
            id="b",
            title="t",
            text=f"Suri Cruise was seen in Paris with her mother.\n\nHer father, Tom Cruise, stayed away.\n\n{rumour}",
        ),
        Article(id="c", title="t", text=f"Stephen Vogelsang, 52, was charged.\n\n{anchor}"),
        Article(id="d", title="t", text=told),
    ]
    facts = deduplicate(segment(clean(articles)))
    briefing = [
        BriefingSentence(charge, (1,), (Citation(1, 1, charge, 1.0),)),
        BriefingSentence(rumour, (2,), (Citation(2, 2, rumour, 1.0),)),
        BriefingSentence(told, (4,), (Citation(4, 0, told, 1.0),)),
        BriefingSentence(anchor, (3,), (Citation(3, 1, anchor, 1.0),)),
    ]
    # "Crudup" and "Cruise" speak nowhere; what is said is about them. Of two Cruises, the one
    # the article names last before the sentence; "Vogelsang", told already ("Steve"), is that
    # person, whatever his article calls him ("Stephen").
    assert [s.text for s in introduce_people(briefing, facts, max_words=150)] == [
        "The spokesman said Dirk Crudup would be charged with unlawful entry.",
        "Friends say Tom Cruise has written to his ex-wife.",
        told,
        anchor,
    ]


def test_a_speaker_a_feature_names_by_first_name_is_introduced_as_the_article_named_them():
    from summarizer.stages.attribute import introduce_people
    from summarizer.types import BriefingSentence, Citation

    # The article names her in full only after a sentence's first word.
    parents = (
        'When Patty Campbell reached the hospital on Tuesday, the nurses were waiting.\n\n"That is not my daughter,"'
        " Campbell told them."
    )
    waiting = "Krystle Campbell was waiting near the finish line to cheer on a friend, Patty said."
    articles = [
        Article(id="a", title="t", text="Krystle Campbell, 29, was killed by the second bomb on Monday."),
        Article(id="b", title="t", text=f"{parents}\n\n{waiting}"),
    ]
    facts = deduplicate(segment(clean(articles)))
    briefing = [BriefingSentence(waiting, (3,), (Citation(2, 2, waiting, 1.0),))]
    # "Patty" ends no name the sources write in full: it is the first name the article gave the
    # Campbell who speaks.
    assert introduce_people(briefing, facts, max_words=150)[0].text == (
        "Krystle Campbell was waiting near the finish line to cheer on a friend, Patty Campbell said."
    )
    from summarizer.stages.segment import names_opened

    texts = ["Police Chief Ann Smith said the road was shut.", "The police closed it.", "Ann Smith spoke."]
    assert names_opened(texts, {"Smith"}) == {"Ann"}  # "Police" is written in lower case too
    # A word that opens the name of a place is no one's first name.
    surname = "The flags were lowered at the finish line, Campbell said."
    facts = deduplicate(segment(clean([Article(id="a", title="t", text=f"Campbell Avenue was closed.\n\n{surname}")])))
    alone = [BriefingSentence(surname, (1,), (Citation(1, 1, surname, 1.0),))]
    assert introduce_people(alone, facts, max_words=150) == alone


def test_a_role_before_a_surname_is_no_first_name_of_a_namesake():
    from summarizer.stages.segment import full_name_in

    # "President Putin" gives no first name; the seeds briefing named him in full already and had
    # become "After visiting North Korea, President Putin is to visit Vietnam".
    assert full_name_in("President Putin is to visit Vietnam next.", "Putin") is None
    assert full_name_in("Russian President Vladimir Putin will travel on Tuesday.", "Putin") == (
        "Russian President Vladimir Putin"
    )
    assert full_name_in("Mr Wilson and Jane Wilson set off at dawn.", "Wilson") == "Jane Wilson"


def test_a_briefing_too_full_to_introduce_someone_is_extracted_again_with_room_for_it():
    from summarizer.pipeline import extract_introduced
    from summarizer.stages.segment import make_sentence
    from summarizer.types import Fact, RankedFact, count_words

    def fact(k: int, position: int, text: str) -> Fact:
        sentence = make_sentence(0, position, text)
        return Fact(id=k, sentences=(sentence,), representative=sentence)

    opening = fact(0, 0, "Robert Durst was sentenced to 85 months in a federal prison in New Orleans on Wednesday.")
    judge = fact(1, 2, "Engelhardt approved a plea agreement that calls for three years of supervised release.")
    denial = fact(2, 3, "Durst has steadfastly maintained his innocence in the killing of his friend in Los Angeles.")
    role = fact(3, 1, "U.S. District Judge Kurt Engelhardt said the sentence was fair to the victims of the crime.")
    chosen = [RankedFact(f, 3.0 - k) for k, f in enumerate((opening, judge, denial))]
    budget = sum(count_words(f.representative.text) for f in (opening, judge, denial))
    texts = [s.text for s in extract_introduced(chosen, [opening, judge, denial, role], budget)]
    # The three sentences fill the budget, and "Engelhardt" alone tells the reader nothing: the
    # briefing gives up its last fact for the judge's name and role.
    assert texts == [opening.representative.text, "U.S. District Judge Kurt " + judge.representative.text]
    # With room for both, nothing is given up.
    assert len(extract_introduced(chosen, [opening, judge, denial, role], budget + 10)) == 3


def test_a_briefing_extracted_again_is_measured_again_for_the_people_it_then_names():
    from summarizer.pipeline import extract_introduced
    from summarizer.stages.segment import make_sentence
    from summarizer.types import Fact, RankedFact, count_words

    def fact(k: int, article: int, position: int, text: str) -> Fact:
        sentence = make_sentence(article, position, text)
        return Fact(id=k, sentences=(sentence,), representative=sentence)

    opening = fact(0, 0, 0, "A storm killed 32 people in Manila on Monday night.")
    power = fact(1, 0, 1, "Power was cut to homes across the capital region.")
    lim = fact(2, 1, 2, "Lim said the old dam held firm.")
    hunter = fact(3, 2, 2, "Hunter said all schools close.")
    roles = [fact(4, 1, 1, "Mayor Jose Lim visited the dam."), fact(5, 2, 1, "Union chief Billy Hunter spoke.")]
    chosen = [RankedFact(f, 4.0 - k) for k, f in enumerate((opening, power, lim, hunter))]
    budget = sum(count_words(f.representative.text) for f in (opening, power, lim))
    texts = [s.text for s in extract_introduced(chosen, [opening, power, lim, hunter, *roles], budget)]
    # Without room for "Mayor Jose Lim", the briefing extracted again holds Hunter's sentence,
    # which wants more room still: the one after it names no one it cannot introduce.
    assert sorted(texts) == sorted([opening.representative.text, power.representative.text])


def test_a_person_a_transcript_labels_is_introduced_as_a_speaker():
    from summarizer.stages.attribute import introduce_people
    from summarizer.stages.segment import labelled_speaker, speaker_surnames
    from summarizer.types import BriefingSentence

    label = 'Art Iwasaki "They told us we could not carry arms. That was very disappointing."'
    assert labelled_speaker(label) == "Art Iwasaki"
    assert labelled_speaker('On "The Bachelor," Martinez got attention.') is None
    text = f"This Thanksgiving marks 65 years since Art Iwasaki returned from Europe.\n\n{label}"
    facts = deduplicate(segment(clean([Article(id="a", title="t", text=text)])))
    assert "Iwasaki" in speaker_surnames([s.text for f in facts for s in f.sentences])
    briefing = [BriefingSentence("Iwasaki was drafted in April of 1942.", (1,), ())]
    assert introduce_people(briefing, facts, max_words=150)[0].text == "Art Iwasaki was drafted in April of 1942."
