import os
import subprocess
import sys

import pytest
from helpers.paths import ROOT

from summarizer.pipeline import extract
from summarizer.stages.segment import make_sentence
from summarizer.stages.select import POSITION_SCALE, pair_weights, rank, reading_order, self_contained, word_pairs
from summarizer.types import Fact, RankedFact


def single(k: int, article: int, position: int, text: str) -> Fact:
    sentence = make_sentence(article, position, text)
    return Fact(id=k, sentences=(sentence,), representative=sentence)


def in_rank_order(*sentences: tuple[int, int, str]) -> list[RankedFact]:
    """One-sentence facts of (article, position, text), ranked in the order given."""
    return [RankedFact(single(k, *row), float(len(sentences) - k)) for k, row in enumerate(sentences)]


def test_word_pairs_are_adjacent_stems_with_stop_words_kept():
    assert word_pairs(make_sentence(0, 0, "The judge freed him.")) == {
        ("the", "judg"),
        ("judg", "freed"),
        ("freed", "him"),
    }


def test_a_pair_is_worth_its_article_count_squared_and_fades_with_position():
    lead = make_sentence(0, 0, "The judge freed him.")
    later = make_sentence(1, 3, "The judge spoke.")
    weights = pair_weights([(s, word_pairs(s)) for s in (lead, later)])
    assert weights == pytest.approx(
        {
            ("the", "judg"): 4.0,  # both articles use it, first at position 0: 2 squared
            ("judg", "freed"): 1.0,  # article 0 only, its first sentence
            ("freed", "him"): 1.0,
            ("judg", "spoke"): 1 / (1 + 3 / POSITION_SCALE),  # article 1 only, first at position 3
        }
    )


def test_rank_takes_shared_wording_first_and_a_repeat_after_new_content():
    shared = single(0, 0, 0, "Rain fell on Paris.")
    repeat = single(1, 1, 0, "Rain fell on Paris today.")
    novel = single(2, 1, 1, "Museums closed early.")
    ranked = rank([shared, repeat, novel])
    # Values per word when picked. shared: 3 pairs both articles use at position 0, 4 each, 4 words -> 3.
    # novel: 2 pairs of article 1 first at position 1, each 1 / 1.1, 3 words.
    # repeat: only "paris today" (article 1, position 0) is still new, 5 words -> 1/5.
    assert [r.fact.id for r in ranked] == [0, 2, 1]
    assert [r.score for r in ranked] == pytest.approx([3.0, 2 / (1 + 1 / POSITION_SCALE) / 3, 1 / 5])


def test_rank_of_nothing_is_empty():
    assert rank([]) == []


def test_reading_order_follows_the_sources_narrative():
    late = RankedFact(single(0, 0, 4, "The storm moved east on Tuesday."), 0.9)
    lead_b = RankedFact(single(1, 1, 0, "A storm hit the coast on Monday."), 0.5)
    lead_a = RankedFact(single(2, 0, 0, "Storm warnings were issued on Sunday."), 0.1)
    assert [r.fact.id for r in reading_order([late, lead_b, lead_a])] == [2, 1, 0]


@pytest.mark.parametrize(
    "text",
    [
        "He said the vote was close.",
        "This was the third flood this year.",
        "intended for the assault on the town of Kars.",
        "According to the agency, this development followed a meeting.",
        # "Such" points back at strikes or measures the reader has not been told of.
        "According to the mayor, such floods are rarely forecast.",
        "During his visit to the dam, he praised the engineers.",
        # ... one that names no one its pronoun can stand for: a day, another person, two for "he".
        "On Friday night, he lost his job after being arrested.",
        "In a letter to Secretary General Ban Ki-moon, he accused Israel of war crimes.",
        "When Hooper and Cruz arrived, he found the two boys behind a truck.",
        "Since Jeff went missing, she has written to the families of the missing.",
        "The dam will hold for another decade, she said.",
        "Instead, the engineers raised the dam by a metre.",
        "Both parties declined further comment.",
        "As a result, the town was evacuated.",
        "At that time, the judge will hear legal arguments.",
        "Since then the army has destroyed 30 tunnels.",
        # A part of a group the reader has not been told of.
        "Most are placed in institutions by families too poor to keep them.",
        "All were in the first 50 miles of the trail.",
        "Not all of them are for hikers who walk the whole trail.",
        "One of those Iranians gave an interview on Monday.",
        "Especially when and after they become new parents.",
        "Except for one very lucky actor who's done both, just in separate roles.",
        # More of a number told before.
        "A few hundred more are for hikers heading out at other times of the year.",
        "Or 304 million tallboy cans of Pabst Blue Ribbon.",
        # An answer to what the reader has not been told.
        "In return, North Korea has allegedly supplied ammunition to Russia.",
        "In response, the minister warned the envoy on Friday.",
        "With that, United joins American and Delta in the change.",
        "In fact, fears are rising that the opposite will hold true.",
        "Rather, these men are a separate rogue group not authorized to use the name.",
        "Not that he answered them all.",
        "The following ensued when Cohen questioned exactly who claimed Trump is down in the polls.",
        "Not only that, the stores are putting signs next to the price display.",
        "While this likely has no effect on the story, it does feed a fan theory.",
        "Before those deaths, Simpson was one of the best known former athletes in America.",
        # A clause that leaves out what it says: it was told before.
        "In Cheryl Strayed's case, it seems to have.",
        "Asked if the ruling surprised him, he says yes, it did.",
        "Even if it looks like a Kit Kat, it might not be.",
        "Police detectives were trying to find out as they investigated the stabbing death.",
        # "He" or "she" reported by a group that names no one.
        "Police believe he gunned down two people in Fort Worth early Sunday morning.",
        "Authorities say he targeted TSA employees.",
        # "It" that stands for something the reader has not been told of, or says what is unclear
        # about a "she" it does not name.
        "It is widely reported to possess a large arsenal of chemical weapons.",
        "It was once insured for $1 million, but experts say it is now worth more.",
        "It was not immediately clear whether she had been approached to appear in an ad.",
        # A clause about a "he", "she" or "they" before anyone is named.
        "What she discovered there was nightmarish.",
        # ... or on a thing of someone it does not name.
        "The success of her story has made her a respected author and a wealthy woman.",
        "The last event on his official schedule was set for 4:30 p.m.",
        "If they prosecute, the sister of the future Queen is likely to be called as a witness.",
        'After she was found on the reality series, "The Bachelor," she was removed from the list.',
        # ... or names people who cannot be that "he" or "she": two of them, or a speaker reporting.
        "When she returned, Maria and Johnny were gone.",
        "When he relayed that he was not, Unruh said the woman told her son to run and he did.",
        # Reported speech of a "he" or "she" the sentence does not name.
        "The gun used in the shooting, a 9 mm Glock handgun, was registered and owned by Moseley, he said.",
        "Nobody had warned the hikers about the border, she said, and they had no map.",
        # Words a speaker "continued" with: the words before them are in a sentence not seen.
        'Carl-Henric Svanberg continued: "We will sit down with our largest shareholders."',
        '"No. 2, racism," Trump continued.',
        # "This" or "that" as what is reported, outside quotation marks.
        "The documents say that didn't happen.",
        "The State Department spokesman, Philip J. Crowley, confirmed that on Sunday.",
        # "The same" thing or case as one the sentence does not tell.
        "TSA workers at LAX have been wondering the same thing, said Victor Payes, a union leader.",
        "The two sons, Alaa and Gamal, face corruption charges in the same case.",
        "Artefacts include burnt eggshells, and the team says this is evidence of early technology.",
    ],
)
def test_self_contained_rejects_sentences_that_point_back(text):
    assert not self_contained(make_sentence(0, 0, text))


@pytest.mark.parametrize(
    "text",
    [
        "Both Singer and Goddard were sued in Hawaii last month.",
        "In addition to the 19 killed, 200 were wounded.",
        "During the visit, the minister praised the engineers.",
        "According to the agency, the visit followed a meeting.",
        "Heavy rain flooded the town of Kars.",
        "At the time of his arrest, Johnson had $100 in his pocket.",
        "Some are worried that the tax would hurt local shops.",
        "Most residents were evacuated before the storm.",
        "One man was killed and two were injured.",
        "Few expected the judge to rule as he did.",
        "In response to the strike, the army closed the border.",
        "Not that long ago, the company had 100 employees.",
        "The following day, police arrested two men in Barre.",
        "In exchange for food, Pyongyang sends shells to Moscow.",
        "Rather than taking the boy to hospital, Markham tried a vegan formula.",
        "While the storm passed, the town of Kars stayed dark for two days.",
        "The officer told her son to run, and he did.",
        "Asked where the trial would be, the judge said it would be in Ohio.",
        "Neighbors said they had recently come from India.",
        'Friedman said: "We just literally think this is the right team going forward."',
        "The company said that the recall would cost $2 million.",
        "The players’ union continued talks with the league on Monday.",
        'The fighting continued "unabated" for three days.',
        "Police said the man, who is 35, was arrested at the school.",
        "President Trump on Friday said he had no regret for making light of the assault.",
        'Singer previously branded the lawsuit a "shakedown" and said he would fight it.',
        "Before he resigned in disgrace, Murray considered the soda tax one of his greatest accomplishments.",
        "When they returned, Maria and Johnny found the house empty.",
        "Whenever he and No. 5 fought, Cruz ran 7.5 miles from his house to theirs.",
        # An opening phrase that opens on the person its pronoun stands for.
        "After Bill Cosby was sentenced to prison on Tuesday, his defense team accused the court of racism.",
        "When William and Patty Campbell were allowed in to see the patient, they realized it was not her.",
        "When Johnson arrived at the hotel room, he was let in and handed over the $100.",
        # "It" that stands for nothing.
        "It was not clear why Crudup climbed the fence, and police did not think that he was armed.",
        "It would be 33 minutes before Officer Gerardo Hernandez would be wheeled out to an ambulance.",
        "It is unclear whether Hama residents will turn out for the demonstrations on Friday.",
        "The mayor confirmed that this plan is dead.",
        "The two sons face the same charges as their father in a Cairo court.",
        'Greig said: "We were sure 100 people before us would have tried the same thing."',
    ],
)
def test_self_contained_keeps_sentences_that_stand_alone(text):
    assert self_contained(make_sentence(0, 0, text))


def test_extract_skips_repeats_and_dangling_openers_and_keeps_reading_order():
    ranked = [
        RankedFact(single(0, 0, 2, "Floods killed 12 people in the northern province of Kars on Monday."), 1.0),
        RankedFact(
            single(1, 1, 0, "On Monday, 12 people were killed by floods in Kars province, officials said."), 0.9
        ),
        RankedFact(single(2, 1, 1, "He said the government promised new funds for bridges."), 0.8),
        RankedFact(single(3, 1, 3, "The government promised new funds for rebuilding bridges."), 0.7),
    ]
    briefing = extract(ranked, max_words=100)
    assert [s.text for s in briefing] == [ranked[0].fact.representative.text, ranked[3].fact.representative.text]
    assert [s.citations for s in briefing] == [(1,), (2,)]


def test_extract_keeps_the_top_sentence_even_over_the_word_budget():
    ranked = [RankedFact(single(0, 0, 0, "He said floods killed 12 people in Kars on Monday."), 1.0)]
    assert [s.text for s in extract(ranked, max_words=3)] == [ranked[0].fact.representative.text]


RANK_THE_SEEDS = """
import json
from helpers.paths import SEEDS
from summarizer.inputs import read_articles
from summarizer.stages import clean, deduplicate, rank, segment
articles, _ = read_articles([str(SEEDS)])
print(json.dumps([(r.fact.id, r.score) for r in rank(deduplicate(segment(clean(articles))))]))
"""


def test_ranking_is_the_same_in_every_process():
    """Word pairs are sets, whose order follows the string hash that each process seeds anew;
    the scores (sums of floats) and so the ties between them must not."""

    def ranking_with_hash_seed(seed: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "HF_HUB_OFFLINE": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]),
        }
        return subprocess.Popen(
            [sys.executable, "-c", RANK_THE_SEEDS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )

    # The processes run side by side: most of each one's time is its imports.
    processes = [ranking_with_hash_seed(seed) for seed in ("1", "2", "3")]
    try:
        outputs = [process.communicate(timeout=300) for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert [process.returncode for process in processes] == [0] * 3, [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1


VISIT = (
    "Russian president Vladimir Putin will visit North Korea on June 18-19 at the invitation of North Korean "
    "leader Kim Jong Un, according to the Kremlin's press service."
)
TRIP = (
    "Russian President Vladimir Putin is reportedly preparing for a visit to Pyongyang, marking a significant "
    "step in Russia's deepening relationship with North Korea."
)
VIETNAM = "After visiting North Korea, Putin is to visit Vietnam to discuss trade and other issues."


def test_same_fact_sees_paraphrase_and_one_event_dated_two_ways():
    from summarizer.stages.select import same_fact

    assert same_fact(make_sentence(0, 0, VISIT), make_sentence(1, 0, TRIP))
    assert same_fact(
        make_sentence(0, 0, VISIT),
        make_sentence(1, 0, "Putin is set to meet North Korean leader Kim Jong Un in the capital on Tuesday."),
    )
    assert not same_fact(make_sentence(0, 0, VISIT), make_sentence(1, 0, VIETNAM))


def test_extract_and_selection_never_take_one_fact_twice():
    from summarizer.generation.prompts import template_for
    from summarizer.generation.tokens import ApproximateCounter
    from summarizer.stages.select import fit_budget

    ranked = [
        RankedFact(single(0, 0, 0, VISIT), 1.0),
        RankedFact(single(1, 1, 0, TRIP), 0.9),  # the same visit, other words
        RankedFact(single(2, 2, 3, VIETNAM), 0.8),
    ]
    assert [s.text for s in extract(ranked, max_words=100)] == [VISIT, VIETNAM]
    selection = fit_budget(ranked, template_for("sshleifer/distilbart-cnn-12-6"), ApproximateCounter(), 1000)
    assert [r.fact.id for r in selection.facts] == [0, 2]
    assert TRIP not in selection.model_input


def test_a_quotation_earns_its_place_by_its_words_not_its_quote_marks():
    quoted = single(0, 0, 0, '"We cannot afford bread," Mary Jones said.')
    plain = single(0, 0, 0, "We cannot afford bread, Mary Jones said.")
    assert quoted.representative.quoted and not plain.representative.quoted
    assert rank([quoted])[0].score == pytest.approx(rank([plain])[0].score)


def test_headlines_count_as_their_articles_words():
    from summarizer.stages.select import rank

    visit = single(0, 0, 0, "Putin will visit Pyongyang on June 18 and 19, the Kremlin said.")
    first = single(1, 1, 3, "It is the first visit by Putin to North Korea in 24 years.")
    # Without headlines the visit comes first (a lead sentence); two outlets' titles
    # share the second's words.
    assert [r.fact.id for r in rank([visit, first])][0] == 0
    titles = [
        make_sentence(0, 0, "Putin's first visit to North Korea in 24 years"),
        make_sentence(1, 0, "First visit to North Korea in 24 years"),
    ]
    assert [r.fact.id for r in rank([visit, first], titles)][0] == 1
    assert [r.fact.id for r in rank([first, visit], titles)][0] == 1  # whatever the order


@pytest.mark.parametrize(
    "text",
    [
        "Does the trail have an overcrowding problem?",
        "But it is not this day!",
        "Follow my journey here as I walk north.",
        "Please avoid the area around the plant.",
        "I wish you the best of luck with the new show.",
        "Reps for an attorney for Silva didn't get back to us.",
        "Author and IRA expert Ed Moloney talks to reporters at his home in New York, Thursday, May 1, 2014.",
        "FILE - In this May 4, 2001, file photo, a man believed to be Kim Jong Nam looks at a battery.",
        "The encampment at City Hall Park is seen before the midnight deadline passes.",
        "The author is a Reuters Breakingviews columnist.",
        "President has authorized the declassi?cation of the Memorandum.",
        "Arrests have been made.",
        "An illustration of the dinosaur is shown in this October 31, 2016 photo released on January 15, 2018.",
        "EMBED More News Videos Bill Cosby heads to Montgomery County Correctional Facility.",
        "Don't look for Amy Schumer in any Super Bowl commercials this time around.",
        "President Donald Trump speaks during a news conference, Thursday, Feb. 16, 2017, in the East Room.",
        "A man passes graffiti on the Falls Road, Saturday, May, 3, 2014, in reference to the tapes.",
        "Mike Brown stands for a portrait in front of an artist portrayal of Planet Nine.",
        "Luigi Garlaschelli / Via youtube.com A screengrab of the research.",
        "Tony Spitz has the details.",
        "Q. Senate Democrats say they will reject any changes to the health law.",
        "(Learn more about how feathers evolved.)",
        "| Getty Trump lawyer on polls showing him losing: 'Says who?'",
        "Shane Bauer (2nd L) and Josh Fattal (2nd R) sit with their mothers during a news conference.",
        "Defense attorney Patricia Palm, left, and her client arrive at the court in Las Vegas.",
        "Police released this video still from the bank robbery in Medicine Hat.",
        "Enlarge image Egyptian men walk past electoral posters plastered on a wall in al-Arish, Egypt.",
        "View all New York Times newsletters.",
        "For more from Sara, follow her on Twitter @sarapyin.",
        "Share it in the comments.",
        "Associated Press An Israeli soldier rides on top of an armored personnel carrier near the border.",
        "Fame Flynet Pippa in Paris this weekend, a few hours before the incident took place.",
        # A transcript's speaker label before the words spoken.
        'Art Iwasaki "I felt it was my duty. I was born and raised in America."',
        'Keilar: "Polls. I just told you. I answered your question."',
        "TRUMP: Well, the leaks are real.",
        "MB: Eris is significantly more massive - 25 percent more massive.",
        # No verb: a caption, a label or a fragment.
        "Anthony Rapp, actor in 'Star Trek: Discovery,' on September 19, 2017 in Los Angeles.",
        "Kevin Spacey at the BAFTA Los Angeles Britannia Awards at in Beverly Hills, on Oct. 27, 2017.",
        "Weapons in a house in Gaza.",
        "Caihong juji gen. et sp nov.",
        "Another year, another soda tax.",
        "CKY, now known as CTV Winnipeg, beginning in the early 1990s.",
        "Jack McCullough, in prison after his 2012 conviction.",
        "Warning: Contains spoilers for the sixth season of the series.",
        'Wow, the ratings are in and Schwarzenegger got "swamped" by comparison.',
        "Hand excavation was undertaken within Warratyi rock shelter (Extended Data Fig.",
        "1a-c), using two 2 x 1 m trenches to a depth of a metre.",
        "Update, 21 April: Science has learned that the court order referred to in this story has been amended.",
        "This story has been corrected to show that the former detective's last name is Garner.",
        "The headline has been corrected.",
        "Associated Press writer Phuong Le contributed to this report.",
        # Only that someone gave no answer.
        "Family members have declined to comment.",
        "Intermex did not immediately respond for comment.",
        "Spacey's lawyers have not returned calls and emails seeking comment.",
        "ABC News could not reach Mattevi for comment.",
        "St James's Palace declined to comment while the family solicitor failed to respond to requests.",
        "For those not familiar with the story, Strayed finds herself on a course of self-destructive behavior.",
        "Suffice to say, Schumer commits to political causes.",
        "Of course, Piatt wasn't alone in trying to organize support for the rapper.",
        "Boston Globe The sale to Jerome and Nancy Kohlberg includes $2 million for the newspaper.",
        "View Images An artist's depiction of Caihong juji, a species of theropod dinosaur.",
        "The shocking truth is that most of the children have parents who could care for them.",
        "The not-too-subtle implication here is that anyone can hike the trail.",
        "Leave it to Schumer to double her pregnancy announcement as a political one.",
        "In typical lawyer fashion, Cohen had an issue with semantics.",
        "To be fair, the premiere faced stiff competition on Monday night.",
        "Perhaps most remarkably, the forecast predicted the water shortages.",
        "So, the council will vote again next week.",
        "Hernandez exclaimed in an interview with The Post.",
        "It ignored his anti-Trump ?nancial and ideological motivations.",
        "Dan Noyes has an exclusive report.",
        "Actually, that last bit might be instructive.",
        '"Yeah, it\'s fucking stupid, dude," Swonger says.',
        "Jeremy Piatt wrote on his Help Get Kanye Out of Debt page.",
        'Smith said: "If your people were on the phone, what were they saying?"',
        '"How could that happen," they ask, "without the whole world knowing?"',
        '"WEAR WHATEVER YOU WANT PEOPLE!" she exclaimed.',
        '"Are you a friendly reporter?" Trump asked.',
        'Piatt said: "This is what makes crowd sourcing great!"',
        "107-792 (Administration of George W. Bush) (similar); E.O.",
        "The Kampala Postoriginally reported the story.",
        "The news was first reported by Bloomberg.",
        "Chapman actually played another member of the family waaaay back in Season 3.",
        "1a-c), using two 2 x 1 m trenches (Extended Data Fig.",
        "(Steve Vogelsang/Facebook) They also owned a home in Winnipeg.",
        "Like WTOP on Facebook and follow @WTOP on Twitter to engage in conversation about this article.",
        "#breaking A horror film come to life in #lancaster after a body is found inside a column.",
        "A worker returns a bag containing a runner's personal effects near the finish line on April 16.",
        "The villager shows his injured leg after being attacked by a panda.",
        "Police investigate the killing of a couple found dead in their driveway in South Fort Worth.",
        "Palestinians wait to receive food supplies from a UN food distribution center in Khan Yunis.",
        "A man searches through the rubble of his home.",
    ],
)
def test_what_a_briefing_does_not_print(text):
    from summarizer.stages.select import news_prose

    assert not news_prose(make_sentence(0, 0, text))


@pytest.mark.parametrize(
    "text",
    [
        "Kinect is seen as Microsoft's answer to Nintendo's Wii.",
        '"We are expecting people to pack up and leave," said Mark McDonald, a spokesman.',
        "The US military said the strike killed 12 militants.",
        "There's an iridescent dinosaur in the Jurassic rocks.",
        "The court ruled on Thursday, and the appeal is due in May 2017.",
        "Smith has the support of 40 senators (more than half).",
        "The trial resumes Monday, prosecutors said.",
        "Pleased with the result, the mayor thanked the volunteers.",
        "The senator, left with no allies, withdrew the bill.",
        "Associated Press reported that the talks had failed.",
        "Judge Kurt Engelhardt on Wednesday, April 27, 2016, approved a plea agreement for Durst.",
        "Well-wishers left flowers outside the hospital (and a card) on Sunday.",
        "Yesterday, the council voted [for the plan] by nine votes to two.",
        "He lamented that this story will make him a national laughing stock.",
        "The updated figures show 40 people were hurt, officials said.",
        "Fortune magazine named the company one of the best employers of the year.",
        "Chief Justice John Roberts and the court heard the case in March.",
        "Sen. Ben Sasse said those tweets were beneath the dignity of the office.",
        "The truth commission heard 40 witnesses in May.",
        "Now, the medal will be presented to the veterans in Washington.",
        "Sure Enough Farms recalled 2,000 eggs on Monday.",
        "Simpson said at his 2013 parole hearing that he had been a model inmate.",
        "Reid said in an interview Friday there was little point in talks.",
        "Scunthorpe United signed the striker on Monday.",
        'The Journal published a cover story called "Why does Humboldt have so many missing people?"',
        "Executive Order 13526 (Administration of Barack Obama) governs classified information.",
        "The Post first reported the story of the missing funds on Monday.",
        "The dose-response curve (iii) used 1,000 iterations, the team said.",
        "Die Schifffahrt auf dem Rhein wurde am Montag eingestellt.",
        "Bloomberg News first reported the plan, which the White House later confirmed.",
        "Like many others, the chef closed his restaurant (and his bakery) in March.",
        "She promoted her #NewsNotNoise campaign on Instagram on Monday.",
        "The report shows the number of deaths rose in May.",
        "The crime itself carries a maximum seven-year jail sentence.",
        "Police said the man fled on foot.",
        "A man was seen walking past the house on Monday.",
        "Protesters gathered outside City Hall on Sunday.",
        "The worker returned the bag to the runner's family.",
        "EPA Administrator Scott Pruitt signed the rule on Monday.",
        # A verb read from its form: after "people" or "they", a contraction, an irregular past.
        "Some 1,000 people work at the facility.",
        "If they choose the latter, Democrats plan to vote it down.",
        "There's not a pot of gold at the end of the rainbow.",
        "The two sides met in Beijing in May.",
        'On "The Bachelor," Martinez got attention for the age difference with the lead.',
        "Splash News sold the photographs to a German magazine in March.",
        "Members of Occupy Philadelphia remain on site at City Hall into the evening of Nov. 28.",
        '"Whose street? Our street" was chanted by the crowd outside City Hall on Sunday.',
        'Gloria said: "Ultimately, I prayed and searched the Bible."',
        "The chief point of contention: Reservoir 5 can hold up to 50 million gallons of water.",
        "Rescuers, working through the night, pulled four people from the rubble.",
        # An answer besides, or "not responding" that says something else.
        'His attorney has called the allegations "unproven" but declined to comment further.',
        "When reached for comment, NBC's ratings expert noted that the premiere faced football.",
        "Herman said the plaintiff didn't respond.",
    ],
)
def test_news_prose_a_briefing_prints(text):
    from summarizer.stages.select import news_prose

    assert news_prose(make_sentence(0, 0, text))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Путин посетит Северную Корею 18 и 19 июня, сообщил Кремль.", "ru"),
        ("Ο Πούτιν θα επισκεφθεί τη Βόρεια Κορέα στις 18 Ιουνίου.", "el"),
        ("普京将于6月18日至19日访问朝鲜，这是他二十四年来首次访问。", "zh"),
        ("سيزور بوتين كوريا الشمالية في 18 يونيو، بحسب الكرملين.", "ar"),
        ("Putin wird am 18. Juni Nordkorea besuchen, teilte der Kreml mit.", "de"),
    ],
)
def test_news_prose_in_scripts_with_and_without_capitals(text, language):
    from summarizer.stages.select import news_prose

    assert news_prose(make_sentence(0, 0, text, language))


STORM = "A storm killed 32 people in Manila on Monday, officials said."


def test_the_briefing_opens_with_a_plain_lead_sentence_even_when_a_quote_ranks_first():
    quote = RankedFact(single(0, 0, 0, '"We lost everything in one night," said Ana Cruz, a vendor.'), 2.0)
    deep = RankedFact(single(1, 1, 9, "Rescuers reached the last villages on Wednesday morning."), 1.5)
    lead = RankedFact(single(2, 2, 1, STORM), 1.0)
    briefing = extract([quote, deep, lead], max_words=100)
    assert briefing[0].text == STORM
    assert {s.text for s in briefing} == {STORM, quote.fact.representative.text, deep.fact.representative.text}


def test_the_opening_names_whoever_its_pronoun_stands_for_and_knows_no_one_already():
    dangling = "Police believe he gunned down two neighbours in Fort Worth early Sunday."
    named = "Fort Worth police arrested Cary Heath, a teacher, after two neighbours were shot dead."
    ranked = [
        RankedFact(single(0, 0, 0, dangling), 2.0),
        RankedFact(single(1, 1, 0, named), 1.0),
        RankedFact(single(2, 2, 3, "The police said the neighbours had argued over a fence."), 0.5),
    ]
    assert extract(ranked, max_words=100)[0].text == named
    known = "The pair's company will pay $40,000 to the EPA for lead-paint violations."
    introduced = "Chip and Joanna Gaines have agreed to pay a $40,000 fine for lead-paint violations."
    ranked = [RankedFact(single(0, 0, 0, known), 2.0), RankedFact(single(1, 1, 0, introduced), 1.0)]
    assert extract(ranked, max_words=100)[0].text == introduced
    # Nor does it speak of an event its article told before it, without saying which.
    trend = "The trend started after CNN's Brianna Keilar interviewed Trump lawyer Michael Cohen on Wednesday."
    asked = "Trump lawyer Michael Cohen repeatedly asked CNN's Brianna Keilar who said Trump was down in the polls."
    ranked = [RankedFact(single(0, 0, 2, trend), 2.0), RankedFact(single(1, 1, 0, asked), 1.0)]
    assert extract(ranked, max_words=100)[0].text == asked
    ruling = "The ruling by the European Court of Justice means Nestle must defend its KitKat trademark again."
    ranked = [RankedFact(single(0, 0, 1, ruling), 2.0), RankedFact(single(1, 1, 0, asked), 1.0)]
    assert extract(ranked, max_words=100)[0].text == ruling
    # A lead that adds to something told before it opens nothing, however well it ranks.
    more = "Requests have also increased for permits for long hikes on the Pacific Crest Trail."
    expected = "More hikers are expected on the Pacific Crest Trail this year after the film."
    ranked = [RankedFact(single(0, 0, 0, more), 2.0), RankedFact(single(1, 1, 0, expected), 1.0)]
    assert extract(ranked, max_words=100)[0].text == expected
    from summarizer.stages.extract import names_before_pronoun

    assert names_before_pronoun("When Linda Hooper met her son, she loathed him.", {"when"})
    assert names_before_pronoun("Obama said he would veto the bill.", {"said"})
    assert not names_before_pronoun("When he relayed the news, the parents wept.", {"when"})
    assert names_before_pronoun("An experienced walker fell to her death on Tryfan.", {"an"})


def test_quotes_stay_within_a_third_of_the_briefing_and_one_per_speaker():
    ranked = [RankedFact(single(0, 0, 0, STORM), 9.0)]
    ranked += [
        RankedFact(single(k, k, 2, f'"We saw the water rise {k} metres in an hour," said Ana Cruz, a vendor.'), 8.0 - k)
        for k in range(1, 3)
    ]
    ranked += [
        RankedFact(single(3, 3, 2, '"The dam held through the night," said Mayor Jose Lim of Manila.'), 4.0),
        RankedFact(single(4, 4, 2, '"Schools will stay closed all week," said Education Secretary Rosa Diaz.'), 3.9),
    ]
    ranked += [
        RankedFact(single(k, k, 3, text), 1.0)
        for k, text in enumerate(
            [
                "Power was cut to 200,000 homes across the capital region.",
                "The airport closed its runways for twelve hours on Tuesday.",
                "Aid groups flew food and water to the islands of Samar and Leyte.",
            ],
            start=5,
        )
    ]
    briefing = extract(ranked, max_words=80)
    quoted = [s.text for s in briefing if '"' in s.text]
    assert len(quoted) <= len(briefing) / 3
    assert sum("Ana Cruz" in q for q in quoted) <= 1


def test_a_quoted_term_in_a_reported_fact_needs_no_room_under_the_share_of_quotes():
    speech = [
        '"The water came through the roofs of the market in minutes," said Mayor Jose Lim of Manila.',
        'Education Secretary Rosa Diaz said: "Schools will stay closed all week across the capital."',
    ]
    term = 'A judge ruled that the storm was a "natural disaster" under the insurance law of 1998.'
    ranked = [RankedFact(single(0, 0, 0, STORM), 9.0)]
    ranked += [RankedFact(single(k, k, 2, text), 8.0 - k) for k, text in enumerate([*speech, term], start=1)]
    texts = [s.text for s in extract(ranked, max_words=60)]
    assert texts.count(speech[0]) + texts.count(speech[1]) == 1  # 60 words hold one quotation
    assert term in texts
    from summarizer.stages.extract import direct_speech

    assert direct_speech(make_sentence(0, 1, speech[1]))
    assert direct_speech(make_sentence(0, 1, '"We will rebuild." The mayor spoke at dawn.'))
    assert not direct_speech(make_sentence(0, 1, term))
    # The comma after a title is the sentence's, inside the quotation mark in American style.
    assert not direct_speech(
        make_sentence(0, 1, 'More hikers are expected thanks to the movie "Wild," officials said.')
    )


@pytest.mark.parametrize(
    "before, leaning, stranger, stranger_position",
    [
        # A clause about a "she" it does not name follows the sentence that names her; one about a
        # "they" whose sentence before is not in the input is passed over.
        (
            "Georgette Mulheir of Lumos took sweets to the 270 children of one institution at Christmas.",
            "What she discovered in the Lumos home was nightmarish, with infants tied to their cots.",
            "If they prosecute, the sister of the future Queen is likely to be called as a witness.",
            3,
        ),
        # So does a "they" right after a word of sequence, with no comma.
        (
            "Statisticians drew up a map of the seabed where the plane could have come down.",
            "So they examined each prior search of the seabed, one by one.",
            "Next they had to account for beacons that the crash had damaged.",
            3,
        ),
        # A connective carries on from the sentence before it; "The following" points at what the
        # briefing does not print, whatever comes before it.
        (
            "Rescuers reached the last cut-off village of Kars on Tuesday, the governor said.",
            "But the fate of two fishermen who had put to sea on Sunday remained unclear.",
            "The following ensued when the governor reached the flooded market of Kars.",
            2,
        ),
    ],
)
def test_a_sentence_leaning_on_its_articles_previous_sentence_follows_it_or_is_passed_over(
    before, leaning, stranger, stranger_position
):
    # The leaning sentence is ranked before the one it leans on: it waits for it, then follows it.
    ranked = in_rank_order(
        (1, 0, STORM),
        (0, 5, leaning),
        (2, stranger_position, stranger),
        (2, 1, "Floods closed the schools of Kars for a week, the education office said."),
        (0, 4, before),
    )
    texts = [s.text for s in extract(ranked, max_words=100)]
    assert texts[texts.index(before) + 1] == leaning
    assert stranger not in texts
    # Without the sentence before it, it is passed over.
    assert leaning not in [s.text for s in extract(ranked[:4], max_words=100)]


def test_a_quote_that_says_too_little_or_whose_speaker_is_never_introduced_is_passed_over():
    filler = '"We hear you," said Mayor Jose Lim of Manila.'
    stranger = '"The water came through the roofs of the market in minutes," Bautista said.'
    introduced = '"The dam held through the night and saved the lower town," Lim said.'
    police = '"The bridge to Samar will stay closed until engineers inspect it," Police said.'
    ranked = [
        RankedFact(single(0, 0, 0, STORM), 9.0),
        RankedFact(single(1, 1, 1, filler), 8.0),
        RankedFact(single(2, 2, 1, stranger), 7.0),
        RankedFact(single(3, 3, 1, "Mayor Jose Lim ordered the schools of Manila closed all week."), 6.0),
        RankedFact(single(4, 3, 2, introduced), 5.0),
        RankedFact(single(5, 4, 1, police), 4.0),
        RankedFact(single(6, 4, 2, "Police said the bridge was damaged by the police boats."), 0.1),
    ]
    texts = [s.text for s in extract(ranked, max_words=200)]
    assert filler not in texts and stranger not in texts
    assert introduced in texts and police in texts


def test_a_speaker_who_is_the_person_of_a_role_needs_the_role_told_or_a_name():
    unnamed = '"The dam will hold through the next storm as well," the official said.'
    named_after = '"The dam will hold through the next storm," said the lead engineer, Rosa Diaz, on Monday.'
    flood = "A typhoon flooded the lower town of Kars on Monday, killing 12 people."
    texts = [s.text for s in extract(in_rank_order((0, 0, flood), (1, 3, unnamed), (2, 3, named_after)), 200)]
    assert unnamed not in texts and named_after in texts
    # Once a told sentence speaks of an official, "the official" is someone the reader has met.
    checked = "An official said the dam was checked on Sunday night."
    ranked = in_rank_order((0, 0, flood), (3, 0, checked), (1, 3, unnamed), (2, 3, named_after))
    assert unnamed in [s.text for s in extract(ranked, max_words=200)]


def test_a_speaker_the_sources_name_in_full_after_a_word_of_their_own_is_placed():
    # "Fisherman Rene Bautista": the name is the last capitalised words of the run, whatever
    # word comes before it.
    quote = '"The water came through the roofs of the market in minutes," Bautista said.'
    ranked = [
        RankedFact(single(0, 0, 0, STORM), 9.0),
        RankedFact(single(1, 1, 1, quote), 8.0),
        RankedFact(single(2, 2, 1, "Fisherman Rene Bautista lost his boat to the storm surge on Samar."), 0.1),
    ]
    assert quote in [s.text for s in extract(ranked, max_words=40)]


def test_a_restatement_is_kept_when_it_adds_a_figure():
    from summarizer.stages.select import same_fact

    visit = "Putin will visit North Korea on June 18-19 at the invitation of Kim Jong Un, the Kremlin said."
    first = "Putin will visit North Korea for the first time in 24 years, the Kremlin said."
    assert same_fact(make_sentence(0, 0, visit), make_sentence(1, 0, first))
    ranked = [RankedFact(single(0, 0, 0, visit), 1.0), RankedFact(single(1, 1, 0, first), 0.9)]
    assert len(extract(ranked, max_words=100)) == 2


def test_a_quote_whose_speaker_is_only_a_pronoun_does_not_stand_alone():
    assert not self_contained(
        make_sentence(0, 3, '"Our problem is that all of the country has been affected," he said.')
    )
    assert self_contained(
        make_sentence(0, 3, '"Our problem is that all of the country has been affected," Lopez said.')
    )


ARREST = "Police arrested the mayor of Dover on Sunday evening at her home."
CUSTODY = "Late on Sunday the Dover mayor was taken into custody by officers."


def test_the_briefing_passes_over_an_event_told_again_that_the_model_input_keeps():
    from summarizer.stages.select import same_fact

    # Cosine 0.69: under the model input's bar (0.7), over the briefing's (0.65).
    assert not same_fact(make_sentence(0, 0, ARREST), make_sentence(1, 0, CUSTODY))
    ranked = [
        RankedFact(single(0, 0, 0, ARREST), 1.0),
        RankedFact(single(1, 1, 0, CUSTODY), 0.9),
        RankedFact(single(2, 2, 3, VIETNAM), 0.8),
    ]
    assert [s.text for s in extract(ranked, max_words=100)] == [ARREST, VIETNAM]


def test_a_new_event_about_the_same_people_is_news_though_its_words_embed_close():
    from summarizer.similarity import embed
    from summarizer.stages.select import BRIEFING_SAME_FACT_COSINE

    agreement = (
        "The Kremlin chief has also ordered the preparation of a strategic partnership agreement "
        "between Russia and North Korea."
    )
    visit = (
        "Russian president Vladimir Putin will visit North Korea on June 18-19 at the invitation of North Korean "
        "leader Kim Jong Un, according to the Kremlin's press service."
    )
    vectors = embed([visit, agreement])
    assert float(vectors[0] @ vectors[1]) >= BRIEFING_SAME_FACT_COSINE  # the shared names pull them together
    ranked = [RankedFact(single(0, 0, 0, visit), 1.0), RankedFact(single(1, 1, 3, agreement), 0.9)]
    assert [s.text for s in extract(ranked, max_words=100)] == [visit, agreement]


def test_the_briefing_passes_over_a_sentence_whose_words_it_has_said_already():
    from summarizer.stages.select import BRIEFING_SAME_FACT_COSINE, FactMemory

    charged = (
        "Former Winnipeg broadcast personality and Red River College journalism instructor Steve Vogelsang "
        "has been charged with two counts of robbery involving two separate banks in Alberta."
    )
    again = "Steve Vogelsang has been charged in the robberies."
    # Its own words: the bank's name is news, though most of the other words were told.
    banks = "Police said a man went into a Royal Bank of Canada on Thursday and a Bank of Montreal on Friday."
    # The embeddings place the repeat further apart than the briefing's bar for the same fact.
    told = FactMemory(BRIEFING_SAME_FACT_COSINE)
    told.add(make_sentence(0, 0, charged))
    assert not told.restates(make_sentence(1, 0, again))
    briefing = extract(in_rank_order((0, 0, charged), (1, 5, again), (2, 6, banks)), max_words=100)
    assert [s.text for s in briefing] == [charged, banks]
    # A figure of its own keeps it.
    counts = "Steve Vogelsang has been charged in the robberies of 2 banks on October 19."
    briefing = extract(in_rank_order((0, 0, charged), (1, 5, counts), (2, 6, banks)), max_words=100)
    assert [s.text for s in briefing] == [charged, counts, banks]


def test_these_or_those_must_point_at_something_the_briefing_has_told():
    charged = "Steve Vogelsang has been charged with two counts of robbery involving two banks in Alberta."
    fighting = "Vogelsang is fighting those allegations at a hearing next month in Calgary."
    alleged = "Prosecutors allege that Vogelsang robbed both banks while wearing a disguise."
    scene = "Consistent with these findings, the court has ordered a review of the bail conditions."
    # No allegation told: "those allegations" points at nothing. An opening phrase only sets the
    # scene of a clause that stands alone.
    briefing = extract(in_rank_order((0, 0, charged), (1, 5, fighting), (2, 6, scene)), max_words=100)
    assert [s.text for s in briefing] == [charged, scene]
    # Once the allegation is told, the sentence points at it.
    briefing = extract(in_rank_order((0, 0, charged), (1, 4, alleged), (2, 5, fighting), (3, 6, scene)), max_words=100)
    assert fighting in [s.text for s in briefing]


def test_that_of_a_thing_its_article_told_before_must_point_at_something_told():
    charged = "Steve Vogelsang has been charged with two counts of robbery involving two banks in Alberta."
    appealed = "Vogelsang's lawyers appealed that decision in a Calgary court on Monday."
    players = "The bank hired guards that move between its branches in Calgary every night."
    briefing = extract(in_rank_order((0, 0, charged), (1, 5, appealed), (2, 6, players)), max_words=100)
    assert [s.text for s in briefing] == [charged, players]
    decided = "A judge's decision on Friday keeps Vogelsang in custody until his trial."
    briefing = extract(in_rank_order((0, 0, charged), (1, 4, decided), (2, 5, appealed)), max_words=100)
    assert appealed in [s.text for s in briefing]


def test_one_outlets_colour_that_names_nothing_and_the_others_do_not_tell_is_passed_over():
    crash = "A bus crashed into the Kars river on Monday, killing 12 passengers, police said."
    rescue = "Divers pulled 20 survivors from the Kars river, officials said."
    colour_line = "The voice on the phone was a miracle."
    cold = "The river water was cold and the bus sank in minutes."
    ranked = in_rank_order((0, 0, crash), (1, 1, colour_line), (2, 2, cold), (1, 0, rescue))
    texts = [s.text for s in extract(ranked, max_words=100)]
    # Other outlets tell of the bus and the river: the cold water is news; the voice is not.
    assert colour_line not in texts and cold in texts
    # An institution that acts is news, whoever else tells of it.
    funds = "The government promised new funds for rebuilding homes."
    ranked = in_rank_order((0, 0, crash), (1, 1, funds), (1, 0, rescue))
    assert funds in [s.text for s in extract(ranked, max_words=100)]
    # One outlet alone: nothing to compare with, so nothing is colour.
    alone = in_rank_order((0, 0, crash), (0, 1, colour_line))
    assert colour_line in [s.text for s in extract(alone, max_words=100)]
