"""The extractive engine: the best-ranked source sentences that fit the word budget, cited.

It answers whenever no model is loaded, and whenever a model's output had no supported
sentence, so a briefing is always written. It writes as an editor would with 150 words:
- the event first: the opening sentence is the plain statement (no quotation) of an
  article's lead that the other outlets' leads agree with most: who, what, where and when;
- every sentence news prose that stands alone (select.news_prose, select.self_contained) and
  says "these" or "those" only of what the briefing has told (points_at_untold). One whose
  opening clause speaks of a "he" or "she" it does not name ("What she discovered there was
  nightmarish.") is printed only right after its article's sentence before it, which names
  the person, and so is one that opens on a connective carrying on from that sentence ("But
  the fate of her two step-grandparents ... remained unclear.") (leans_on_previous);
- a fact once, by what a sentence adds: one that restates a fact already told (close in
  meaning, also once the names they share are left out: "ordered a partnership agreement" is
  news beside "will visit on June 18-19") is kept only when it brings a figure or date the
  briefing does not have yet ("first visit in 24 years"), unless it says nearly the same words
  around it (a toll told twice, "3 dead" then "5 dead", is one fact: see RESTATED_COSINE); and a
  sentence with no figure of its own whose words a told sentence has said is a repeat, however
  the embeddings place it (said_already);
- quotes earn their place like any sentence (no bonus for quote marks, select.py), and hold
  at most a third of the sentences (a quoted term in a reported fact takes no room under it); a
  quotation that says too little to carry a fact ("I don't know.", "We hear you.") is none, nor
  is one whose speaker the reader cannot place: a surname the sources never introduce (no role,
  no first name) and the briefing has not named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..similarity import embed, embed_remembered
from ..text import content_stems, name_key, stop_keys, words
from ..types import BriefingSentence, RankedFact, Sentence
from .attribute import SYNONYM_SIMILARITY, cite_fact
from .segment import (
    SPEECH_WORDS,
    lower_case_words,
    name_runs,
    named,
    named_in,
    outside_quotes,
    quotation_spans,
)
from .select import (
    BRIEFING_SAME_FACT_COSINE,
    CAPITALISED_WORD,
    FactMemory,
    after_connective,
    news_prose,
    person_not_named,
    reading_order,
    self_contained,
)

# An article's lead: its first sentences, where news writing states the event.
LEAD_SENTENCES = 3
# Two sentences that share the story's names embed close together whatever they say about them:
# with the names left out, a sentence this far from every one told says something new ("ordered
# a strategic partnership agreement" beside "will visit on June 18-19": 0.13; a paraphrase of an
# event told, "reportedly preparing for a visit", 0.32; an arrest and "taken into custody", 0.5).
NEW_WITHOUT_NAMES_COSINE = 0.25
# A sentence this close to one already told says the same thing whatever figure it brings. New
# names alone do not make a new fact: "Pyongyang" beside "North Korea" is the same visit.
RESTATED_COSINE = 0.8
# A sentence with no figure of its own whose words one told sentence has said already, this share
# of them, each word or one its WordLlama vector stands close to (attribute.SYNONYM_SIMILARITY:
# "stole" for "stealing"), restates it, however far apart the sentences' embeddings are: "Steve
# Vogelsang has been charged in the robberies." after "... Steve Vogelsang has been charged with two
# counts of robbery ...", "Jayveon Caballero, 29, is wanted for second-degree murder." after "...
# an arrest warrant for Jayveon Caballero, 29, of Barre, for second degree murder." On the dev
# briefings at 150 and 260 words it passes over 8 such sentences, 6 of them plain repeats, and key
# facts are unchanged at 150 words; at 0.6 a third of those it passes over are new facts told in
# the story's words ("Caballero later confronted Austin outside Austin's apartment ...").
SAID_ALREADY_SHARE = 0.7
# "These" or "those" and the two words after it, where they are no pronoun's ("those who", "those
# on modern hummingbirds"): what they point at, if the briefing has told it, shares a word with them.
DEMONSTRATIVE_PHRASE = re.compile(
    r"\b(?:these|those)\s+(?!(?:who|whom|whose|which|that|of|on|in|at|with|from|for|to|are|were|is|was|have|had)\b)"
    r"([a-z][\w-]*(?:\s+[a-z][\w-]*)?)",
    re.I,
)
# "That" before a thing said or done that its article told before ("Dispatchers had that information
# from a cell phone tracking device.", "The merchants appealed that decision.", "but that number has
# been rising each year"): the sentence points at it as "those" does ("that decision of the board"
# says which; nouns that are verbs too are left out: "players that move their bodies"). In the dev
# sources 9 sentences speak so.
THAT_THING = re.compile(
    r"\bthat\s+(information|decision|incident|event|statement|video|footage|deal|figure|number|episode"
    r"|discovery|finding|request|ruling|problem|idea)\b(?!\s+(?:of|that|which|who|whom|about|by|for|with)\b)",
    re.I,
)
# At most this share of the briefing's sentences hold a quotation; one that only quotes a term
# (MAX_QUOTED_TERM_WORDS) needs no room under it.
MAX_QUOTED_SHARE = 1 / 3
# Words inside quote marks up to which a quotation is a term, a title or a phrase of a reported
# fact, not a speaker's words: "sexually violent predator", "most racist and sexist trial", "The
# Early Show" (quoted_term). On the dev set, letting such sentences in past the share added 2 key
# facts at 150 words, both in one cluster (Cosby's: those two phrases), and lost none; a cut at 4
# words lost one, at 8 it gave the same as at 6.
MAX_QUOTED_TERM_WORDS = 6
# A quoted sentence that says fewer content words than this besides who said it, and no figure,
# carries no fact: 'Sassoon said: "I don't know."' (1), 'Mr Svanberg said: "We hear you."' (1),
# '"They were guinea pigs," Glick said.' (2), 'Lewis said: "Apply it to every sugary drink."' (3).
MIN_QUOTED_CONTENT_WORDS = 4
# A sentence only one outlet tells, that names no one and nothing, gives no figure and shares at
# most this many content words with the other outlets' sentences, is its writer's colour or comment,
# not news the story's reports confirm (colour): "A safe deposit box is probably, yes, safest.",
# "The voice on the phone was a miracle.", "The images of devastation make it clear what happened.",
# "The charges carry a potential death sentence." (charges no briefing sentence told). On the dev
# set 18 briefings change at 150 words, and key facts go from 57.2% to 57.6% (260 words: 68.2% to
# 69.0%); at 0 shared words 6 change and no key fact, at 2 facts go too ("The body was found lying
# in a foetal position and wearing an amber necklace.", "Eight men remain suspended ...").
MAX_COLOUR_SHARED_WORDS = 1
# An institution that acts makes a sentence news, named or not: "The government promised new funds
# for rebuilding bridges." is no colour. (A person of a role is not enough: with them, "The lawyer
# has tried to remember more, but cannot." and "Detectives did not immediately provide a possible
# motive." came back, and key facts at 150 words went from 57.6% to 57.2%.)
INSTITUTION = re.compile(
    r"\b(?:government|police|authorities|prosecutors|court|jury|military|army|ministry|agency|council|congress"
    r"|parliament|committee)s?\b",
    re.I,
)
# Verbs that report speech: the attribution, not what was said.
REPORTING_VERBS = frozenset(content_stems(sorted(SPEECH_WORDS)))
# A speaker who is "the" person of a role, unnamed: someone their article introduced before
# ('"Prime Minister Netanyahu is committed to the peace treaty with Egypt," the official said.').
# An institution ("the company", "the hospital") is one the reader finds in what the briefing names.
UNNAMED_ROLE = re.compile(
    r"^the (?:[a-z-]+ ){0,2}(official|spokes(?:man|woman|person)|insider|source|activist|prosecutor|lawyer"
    r"|attorney|author|officer|witness|resident|expert|analyst|aide|adviser|advisor|diplomat|neighbou?r"
    r"|friend|relative)s?$",
    re.I,
)


def opening(ranked: Sequence[RankedFact], lower_case: set[str]) -> RankedFact:
    """The sentence the briefing opens with: of the plain, self-contained news sentences of
    the articles' leads, the one the other outlets' leads agree with most (the summed cosine of
    its embedding with theirs: the event they all report), the best-ranked on a tie; failing a
    lead, the best-ranked plain sentence; failing that, the top one. Nothing comes before the
    opening, so it names whoever its "he" or "she" stands for ("Police believe he gunned down two
    people" does not; `lower_case`: segment.lower_case_words), and does not speak of someone as
    already known ("The pair's company, Magnolia Homes, will pay ...": KNOWN_ALREADY)."""
    plain = [
        r
        for r in ranked
        if not r.fact.representative.quoted
        and readable(r.fact.representative)
        and names_before_pronoun(r.fact.representative.text, lower_case)
        and not KNOWN_ALREADY.match(r.fact.representative.text)
    ]
    # A sentence that adds to something before it opens nothing, though as a lead it still counts
    # in the agreement of the others.
    standing = [r for r in plain if not ADDS_TO_EARLIER.search(r.fact.representative.text)] or plain
    leads = [r for r in plain if r.fact.representative.position < LEAD_SENTENCES]
    standing_leads = [r for r in standing if r.fact.representative.position < LEAD_SENTENCES]
    if len({r.fact.representative.article_index for r in leads}) < 2 or not standing_leads:
        return (standing_leads or standing or list(ranked))[0]
    vectors = embed([r.fact.representative.text for r in leads])
    similarity = vectors @ vectors.T
    articles = [r.fact.representative.article_index for r in leads]

    def agreement(i: int) -> float:
        # Each other article counts once, by its closest lead sentence.
        best: dict[int, float] = {}
        for j, article in enumerate(articles):
            if article != articles[i]:
                best[article] = max(best.get(article, -1.0), float(similarity[i, j]))
        return sum(best.values())

    return leads[max((leads.index(r) for r in standing_leads), key=lambda i: (agreement(i), -i))]


# A pronoun that stands for a person as a clause's subject ("Police believe he gunned down"), not
# a possessive that points back within the sentence ("An experienced walker fell to her death").
# A capitalised word before it (select.CAPITALISED_WORD) is a name, unless it is the first word of
# the sentence and the articles write it in lower case elsewhere too ("Police").
PERSONAL_PRONOUN = re.compile(r"\b(?:he|she)\b", re.I)


# "The" before a person, a pair or a place the reader has not met: a later sentence of its article
# ("The comedian teased a big announcement ...", "The site, which is a newly discovered cave ..."),
# or before an event, a report or a thing said that the sentence does not say which, because its
# article's sentence before it has ("The trend started after ...", "The deal will give each of
# the 52 ...", "The vote is non-binding on BP ..."; "The ruling by the European Court ..." says).
# Each of the 13 such lead sentences of the dev sources points back.
KNOWN_ALREADY = re.compile(
    r"^The (?:\d+-year-old|pair|couple|duo|trio|comedian|actress|actor|singer|rapper|star|site|man|woman|boy"
    r"|girl|teen|teenager|victim|suspect|company|firm|family|mother|father|former)\b"
    r"|^The (?:trend|incident|deal|announcement|decision|news|move|report|vote|ruling|episode|exchange|change"
    r"|development|discovery|finding|attack|arrest|accident|crash|shooting|case|story|plan|agreement"
    r"|settlement|lawsuit|suit|claims?|allegations?|video|photos?|images?|footage|post|tweets?|comments?"
    r"|remarks?|statement|letter|revelation|controversy|scandal|backlash|criticism|interview|meeting|visit"
    r"|event|protest|verdict|sentence|charges?|investigation|probe|study|survey|poll|results?|figures?|data)"
    r"\b(?!['’]s\b)(?!,? (?:of|by|to|for|in|on|at|from|with|between|against|that|which|over|involving|into"
    r"|about)\b)"
)


# "Also" that adds to something said before the sentence, not to a clause within it ("Requests have
# also increased for permits ...", "Tel Aviv ... also came under rocket attack"; "was born deaf and
# also had", "while also directing" stay).
ADDS_TO_EARLIER = re.compile(r"(?<!\band )(?<!\bbut )(?<!\byet )(?<!\bor )(?<!\bwhile )\balso\b", re.I)


def names_before_pronoun(text: str, lower_case: set[str]) -> bool:
    """Whether someone is named before the sentence's first "he" or "she" (or it has none)."""
    pronoun = PERSONAL_PRONOUN.search(text)
    if pronoun is None:
        return True
    before = CAPITALISED_WORD.findall(text[: pronoun.start()])
    return any(i > 0 or word.lower() not in lower_case for i, word in enumerate(before))


def readable(sentence: Sentence) -> bool:
    return news_prose(sentence) and self_contained(sentence)


def adds_figures(sentence: Sentence, told: Sequence[Sentence]) -> bool:
    """Whether the sentence brings a figure or date that `told` does not have."""
    return bool(sentence.numbers - set().union(*(s.numbers for s in told)))


def without_names(sentence: Sentence) -> Sentence:
    """The sentence with the words it writes as names left out: what it says about them."""
    return replace(sentence, text=" ".join(w for w in words(sentence.text) if name_key(w) not in sentence.names))


def direct_speech(sentence: Sentence) -> bool:
    """Whether the sentence gives someone's words, not only a quoted term (quoted_term). A quoted
    term in a reported fact ('ruled that Cosby qualified as a "sexually violent predator" under
    state law') is the fact, in the words the sources use: it takes no room under the share of
    quotes."""
    text = sentence.text
    return sentence.quoted and not all(quoted_term(text, start, end) for start, end in quotation_spans(text))


def quoted_term(text: str, start: int, end: int) -> bool:
    """Whether the quotation at text[start:end] is a term or phrase of the sentence, not a
    speaker's words: a few words (MAX_QUOTED_TERM_WORDS) with no comma, question or exclamation
    mark inside ('"The dam held," said Lim'), not opening the sentence and not after a colon
    ('Lim said: "We will rebuild."'). A comma or full stop before the closing mark is the
    sentence's own, set inside in American style ('thanks to the movie "Wild," officials said')."""
    inside, before = text[start + 1 : end - 1].rstrip(",."), text[:start].rstrip()
    return (
        len(inside.split()) <= MAX_QUOTED_TERM_WORDS
        and not any(mark in inside for mark in ",!?")
        and bool(before)
        and not before.endswith(":")
    )


def quote_fits(told: Sequence[Sentence], expected_sentences: float) -> bool:
    """Whether one more quotation keeps quotes within MAX_QUOTED_SHARE of the sentences a
    briefing of this length holds (the opening is never one)."""
    return sum(s.quoted for s in told) + 1 <= MAX_QUOTED_SHARE * expected_sentences


def said_already(sentence: Sentence, told: Sequence[Sentence]) -> bool:
    """Whether one told sentence says SAID_ALREADY_SHARE of the sentence's words, and it brings no
    figure the briefing does not have."""
    if adds_figures(sentence, told):
        return False
    mine = said_words(sentence)
    if not mine:
        return False
    for other in told:
        theirs = said_words(other)
        if not theirs:
            continue
        vectors = embed_remembered(mine + theirs)
        close = (vectors[: len(mine)] @ vectors[len(mine) :].T).max(axis=1) >= SYNONYM_SIMILARITY
        said = [word in theirs or near for word, near in zip(mine, close.tolist(), strict=True)]
        if sum(said) >= SAID_ALREADY_SHARE * len(mine):
            return True
    return False


def said_words(sentence: Sentence) -> list[str]:
    """The sentence's words that say something, lower-cased: no stop word, figure or single letter
    (nor a character of a script written without spaces: alone it is no word, so such a sentence is
    never found said already)."""
    stops = stop_keys(sentence.language)
    return sorted({w.lower() for w in words(sentence.text) if len(w) > 1 and not w[0].isdigit()} - stops)


def points_at_untold(sentence: Sentence, told: Sequence[Sentence]) -> bool:
    """Whether the sentence says "these" or "those" of something the briefing has not told, outside
    its quotation marks and its opening phrase: 'Vogelsang is fighting those allegations next
    month.' with no allegation told, 'A number of these surviving vets live in the Northwest.'
    ("Sasse said those tweets were ..." after a sentence on the tweets stands), or "that" of a thing
    its article told before it (THAT_THING: "The merchants appealed that decision."). An opening
    phrase before the first comma only sets the scene of a clause that stands alone ("Consistent
    with this review and these standards, the President has determined that declassification of
    the Memorandum is appropriate.": the dev cluster's one sentence saying the memo was released)."""
    said = {s for t in told for s in t.stems}
    text = outside_quotes(sentence.text)
    main_clause = text[text.find(", ") + 1 :]
    pointers = [*DEMONSTRATIVE_PHRASE.finditer(main_clause), *THAT_THING.finditer(text)]
    return any(not set(content_stems(found.group(1).split(), sentence.language)) & said for found in pointers)


def says_too_little(sentence: Sentence) -> bool:
    """Whether a quoted sentence says too little besides its attribution to carry a fact
    (MIN_QUOTED_CONTENT_WORDS); a short quotation inside a sentence that reports more ('South
    Korea said it was "closely monitoring" the visit.') says enough."""
    tokens = words(sentence.text)
    if any(token[:1].isdigit() for token in tokens):
        return False
    speaker = set(content_stems(words(sentence.speaker or ""), sentence.language))
    said = set(content_stems(tokens, sentence.language)) - speaker - REPORTING_VERBS
    return len(said) < MIN_QUOTED_CONTENT_WORDS


class Speakers:
    """Who the reader can place: the cluster's people whose sources write a capitalised word before
    their surname (a first name, a title or a role: "John Kirby", "President Putin"; every mention
    segment.speaker_introductions finds is one), and the surnames the briefing has named so far
    (`told`, as placed is asked)."""

    def __init__(self, ranked: Sequence[RankedFact], lower_case: set[str]) -> None:
        self.full_names = set(name_runs([s.text for r in ranked for s in r.fact.sentences]))
        self.lower_case = lower_case

    def placed(self, sentence: Sentence, told: Sequence[Sentence]) -> bool:
        """False for a quotation whose speaker is a bare surname no source writes with a role or a
        first name ("Sassoon said: ...") and no sentence told so far names, or "the" person of a role
        no told sentence speaks of ("the official said": UNNAMED_ROLE); a speaker of a common noun
        ("Police said: ...") and one named in full are placed."""
        if sentence.quoted and sentence.speaker and (role := UNNAMED_ROLE.match(sentence.speaker)):
            return role_told(role.group(1), sentence, told)
        who = named(sentence.speaker) if sentence.quoted else None
        if who is None or len(who.split()) > 1 or who.lower() in self.lower_case:
            return True
        if who in self.full_names:
            return True
        return any(named_in(who, s.text) for s in told)


def role_told(role: str, sentence: Sentence, told: Sequence[Sentence]) -> bool:
    """Whether the reader can place a speaker the sentence calls "the <role>": a told sentence
    speaks of the role ("A spokesperson at ... said" before "said the spokesperson"), or the
    sentence names them straight after it ("said the lead author, Dr. Sripal Bangalore, ...")."""
    if set(content_stems([role], sentence.language)) & {s for t in told for s in t.stems}:
        return True
    speaker = sentence.speaker or ""
    at = sentence.text.find(speaker)
    return at >= 0 and re.match(r",\s+[A-Z]", sentence.text[at + len(speaker) :]) is not None


def colour(r: RankedFact, outlets: dict[str, set[int]], lower_case: set[str]) -> bool:
    """Whether the fact is one outlet's colour or comment (MAX_COLOUR_SHARED_WORDS): one article
    tells it, its sentence opens on a word the articles write in lower case, names nothing after
    it, no institution either (INSTITUTION), and has no figure, and the other outlets
    (`outlets`: the articles using each content stem) use at most that many of its content
    words."""
    sentence = r.fact.representative
    articles = {s.article_index for s in r.fact.sentences}
    if len(articles) > 1 or sentence.numbers:
        return False
    first, _, rest = sentence.text.partition(" ")
    opener = first.lower()
    if CAPITALISED_WORD.search(rest) or (opener not in lower_case and opener not in stop_keys(sentence.language)):
        return False
    if INSTITUTION.search(sentence.text):
        return False
    return sum(bool(outlets.get(stem, set()) - articles) for stem in set(sentence.stems)) <= MAX_COLOUR_SHARED_WORDS


class Extraction:
    """The briefing as extraction writes it: what it has told, and whether a candidate may follow."""

    def __init__(self, ranked: Sequence[RankedFact], first: RankedFact, max_words: int, lower_case: set[str]) -> None:
        self.max_words = max_words
        # The sentences a briefing of `max_words` holds, for the share of quotes: their mean length.
        self.expected = max(1.0, max_words / (sum(r.fact.representative.word_count for r in ranked) / len(ranked)))
        self.taken = FactMemory(BRIEFING_SAME_FACT_COSINE)
        self.restated = FactMemory(RESTATED_COSINE)
        self.besides_names = FactMemory(NEW_WITHOUT_NAMES_COSINE)
        self.speakers = Speakers(ranked, lower_case)
        # The articles that use each content word of the selection: what the other outlets confirm
        # (None for one article: there are no others).
        outlets: dict[str, set[int]] = {}
        for sentence in (s for r in ranked for s in r.fact.sentences):
            for stem in sentence.stems:
                outlets.setdefault(stem, set()).add(sentence.article_index)
        several = len({s.article_index for r in ranked for s in r.fact.sentences}) > 1
        self.outlets = outlets if several else None
        self.facts: list[RankedFact] = []
        # A sentence that leans on the one before it in its article, by the told fact it follows.
        self.leaning: dict[int, RankedFact] = {}
        # Sentences that lean on one the briefing has not told yet, in rank order.
        self.waiting: list[RankedFact] = []
        self.tell(first)

    @property
    def told(self) -> list[Sentence]:
        return [r.fact.representative for r in self.facts]

    @property
    def words(self) -> int:
        return sum(r.fact.representative.word_count for r in self.facts)

    def tell(self, r: RankedFact, vector: np.ndarray | None = None, plain_vector: np.ndarray | None = None) -> None:
        sentence = r.fact.representative
        self.facts.append(r)
        self.taken.add(sentence, vector)
        self.restated.add(sentence, vector)
        self.besides_names.add(without_names(sentence), plain_vector)

    def take(self, r: RankedFact) -> bool:
        """Tell the candidate if it fits, reads on its own or after the told sentence it leans on,
        and adds a fact; whether it was told. One that leans on a sentence not told yet waits."""
        sentence = r.fact.representative
        if self.words + sentence.word_count > self.max_words:
            return False
        after = None
        if not readable(sentence):
            if not leans_on_previous(sentence):
                return False
            after = follows(sentence, self.facts)
            if after is None:
                self.waiting.append(r)
                return False
        told = self.told
        if points_at_untold(sentence, told):
            return False
        if self.outlets is not None and colour(r, self.outlets, self.speakers.lower_case):
            return False
        if sentence.quoted and (
            (direct_speech(sentence) and not quote_fits(told, self.expected))
            or says_too_little(sentence)
            or not self.speakers.placed(sentence, told)
        ):
            return False
        # One embedding of the sentence for both memories of it, one of its words beside the names.
        vector, plain = embed([sentence.text])[0], without_names(sentence)
        plain_vector = embed([plain.text])[0]
        if (
            self.taken.restates(sentence, vector)
            and self.besides_names.restates(plain, plain_vector)
            and (self.restated.restates(sentence, vector) or not adds_figures(sentence, told))
        ) or said_already(sentence, told):
            return False
        if after is not None:
            self.leaning[id(r)] = after
        self.tell(r, vector, plain_vector)
        return True

    def ready(self) -> list[RankedFact]:
        """The waiting sentences whose article's previous sentence is now told, off the wait list."""
        ready = [r for r in self.waiting if follows(r.fact.representative, self.facts) is not None]
        self.waiting = [r for r in self.waiting if r not in ready]
        return ready

    def in_reading_order(self) -> list[RankedFact]:
        """The opening, then the sources' narrative order, each sentence that leans on another
        right after it."""
        first, *rest = self.facts
        ordered = reading_order(rest)
        placed = [first, *(r for r in ordered if id(r) not in self.leaning)]
        for r in ordered:
            if id(r) in self.leaning:
                placed.insert(placed.index(self.leaning[id(r)]) + 1, r)
        return placed


def extract(ranked: Sequence[RankedFact], max_words: int) -> list[BriefingSentence]:
    """The opening sentence, then the highest-ranked facts' representatives that fit
    `max_words`, in reading order. The opening is always taken, so a short budget still gets a
    briefing. A sentence that leans on its article's previous sentence waits, in its rank,
    until that one is told."""
    if not ranked:
        return []
    lower_case = lower_case_words(s.text for r in ranked for s in r.fact.sentences)
    first = opening(ranked, lower_case)
    extraction = Extraction(ranked, first, max_words, lower_case)
    for r in ranked:
        told = r is not first and extraction.take(r)
        while told:  # what was told may be the sentence a waiting one leans on
            told = any([extraction.take(w) for w in extraction.ready()])
    return [cite_fact(r.fact) for r in extraction.in_reading_order()]


def leans_on_previous(sentence: Sentence) -> bool:
    """Whether the sentence is news prose that does not stand alone only because its opening
    clause speaks of a "he", "she" or "they" it does not name (select.person_not_named), or
    because it opens on a connective that carries on from the sentence before ("But", "However,",
    "In exchange,": select.after_connective): after its article's previous sentence it reads as
    its source wrote it."""
    if direct_speech(sentence) or not news_prose(sentence):
        return False
    if person_not_named(sentence.text, sentence.language):
        return self_contained(sentence, leading_person=False)
    rest = after_connective(sentence)
    return rest is not None and self_contained(rest, leading_person=False)


def follows(sentence: Sentence, told: Sequence[RankedFact]) -> RankedFact | None:
    """The told fact that holds the sentence's article's previous sentence, or None."""
    for r in told:
        if any(
            s.article_index == sentence.article_index and s.position == sentence.position - 1 for s in r.fact.sentences
        ):
            return r
    return None
