"""Stage 4: rank facts, fit the model's input budget, and order the briefing.

Ranking is greedy budgeted maximum coverage of what the sources agree on (the
"concepts" view of multi-document summarisation, Gillick & Favre 2009):
- the units are word pairs: adjacent stemmed words, stop words included, so
  "sentenced to" or "the judge" count as wording a summary would reuse;
- a pair is worth the square of the number of articles using it, divided by
  1 + p/10 where p is the earliest sentence position it appears at: agreement
  across sources and an early place in an article are the two signs that a
  detail matters. On the Multi-News dev clusters a pair two outlets use is 3 to
  4 times as likely to be in the human summary as a pair one outlet uses at the
  same position (hence the square), and a pair first used beyond the tenth
  sentence a quarter as likely as one in a lead, whether one outlet uses it or
  several (hence one position discount for all). A one-article fact is
  ranked by position alone;
- a fact's value is the weight of its representative's pairs not yet
  covered, per word: a long sentence must earn its room;
- direct speech earns its place like any sentence, by the facts it carries:
  no bonus for quotation marks (a bonus once raised ROUGE on the dev set,
  whose human summaries quote a lot, and lowered it on a collection whose
  summaries don't, while quotes crowded the facts out of the briefings);
Taking the best fact, marking its pairs covered and repeating removes
redundancy as MMR does, but counted on the wording actually repeated, and each
source fact is taken once however many outlets state it.
Whole sentences are then packed into the token budget, measured with the
model's tokenizer on the exact rendered input; nothing is cut mid-sentence and
what did not fit is counted. A sentence that states a fact already taken in
other words is passed over (`same_fact`): word-pair coverage cannot see that
"Putin will visit North Korea on June 18-19" and "Putin is reportedly preparing
for a visit to Pyongyang" say one thing, and the room it would take goes to the
next fact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..resources import ENGLISH
from ..similarity import embed
from ..text import MONTHS, WEEKDAYS, fold, stem, stop_keys, words
from ..types import Fact, InputFormat, LeftOut, RankedFact, Selection, Sentence, TokenCounter
from .segment import (
    FIRST_OR_SECOND_PERSON,
    SPEECH_VERB,
    labelled_speaker,
    named,
    opens_with_name,
    outside_quotes,
    quotation_spans,
    reported_by_pronoun,
)

# A pair first used at sentence position p is worth 1 / (1 + p / POSITION_SCALE): half at the
# third sentence. Across the 30 dev clusters with an editor's key facts, a lead sentence carries
# 3.7 key facts per 100 words, the third 3.1, the sixth to tenth 2.0, beyond the twentieth 0.8.
POSITION_SCALE = 3
# Stop packing once less room than the shortest useful sentence is left.
MIN_SENTENCE_TOKENS = 8
COUNT_BATCH = 64
# Two sentences state the same fact when the cosine of their embeddings (averaged WordLlama word
# vectors, summarizer.similarity) reaches this. Measured on Multi-News dev briefings and the seeds:
# pairs above it restate one event ("Putin will visit North Korea on June 18-19 ..." / "Putin is
# reportedly preparing for a visit to Pyongyang ...": 0.73; "BP shareholders have rejected a pay
# package ..." / "A majority of BP PLC's shareholders voted against ...": 0.70), pairs below it
# are mostly distinct facts of one story. Content-word containment (half the shorter sentence's
# words in the other) was tried too: most pairs it flags are distinct facts sharing the story's
# names, and with it selection lost 0.7 ROUGE-2 at 150 words.
SAME_FACT_COSINE = 0.7
# The briefing is stricter than the model input: it has room for a handful of facts, and a second
# sentence on an event already told, even with a detail of its own, takes one of them. Between 0.65
# and 0.7 the dev briefings' pairs were mostly one event told twice (10 of 16 read: "Caballero's
# girlfriend, Desiree Cary, was arrested Sunday evening" / "Late Sunday, Caballero's girlfriend was
# taken into custody"); passing them over cost under 0.1 ROUGE-2.
BRIEFING_SAME_FACT_COSINE = 0.65
DANGLING_START = re.compile(
    r"^(he|she|they|it|this|these|those|that|such|his|her|their|its|but|and|or|nor|however|also|meanwhile|still|yet"
    # Connectives that carry on from the sentence before: "Instead, Dawes said, ...", "Both parties
    # declined further comment.", "Then detectives pursued a tip, ...", "Here is a list of ...".
    r"|then|instead|both(?!(?:\s+\S+){1,4}\s+and\b)|as a result|here(?:'s| is| are)|in doing so|on the other hand"
    # ... or on to one the briefing does not print: "The following ensued when Cohen questioned ..."
    # ("The following day, ..." is a day after the event told).
    r"|the following(?!\s+(?:day|week|month|year|morning|afternoon|evening|night|weekend)\b)"
    # The rest of a sentence cut off before it: "Especially when and after they become new parents.",
    # "Except for one very lucky actor who's done both, just in separate roles."
    r"|especially|including|except"
    r"|in a way|thus|therefore|otherwise|likewise|similarly|nonetheless|nevertheless|moreover|furthermore"
    r"|besides|plus|in addition(?!\s+to\b)|additionally|even so|by contrast|in contrast|in turn|as such"
    # ... or answer it: "In response, the minister warned ...", "In return, North Korea has supplied
    # ...", "With this in mind, ...", "To that end, ..." ("In response to the strike" says to what).
    r"|in response(?!\s+to\b)|in return(?!\s+for\b)|in exchange(?!\s+for\b)|with (?:this|that)|to (?:this|that) end"
    r"|for (?:this|that) reason|because of (?:this|that)|at the same time|in the meantime|on top of that"
    # ... or insist on it: "In fact, fears are rising that ...", "Indeed, some of United's peers
    # ...", "Rather, these men are a separate rogue group" ("Rather than ..." says than what), "Not
    # that he answered them all.", "Not only that, they're putting signs ...".
    r"|in fact|indeed|after all|rather(?=,)|that said|not to mention"
    r"|not (?:only )?that(?!\s+(?:long|far|much|many|old|big|different)\b)"
    # A clause that opens on what the reader has not been told: "While this likely has no effect
    # on the greater story, it ...", "Before those deaths, Simpson ...", "If those showed up ...".
    r"|(?:while|although|though|because|since|if|as|when|after|before|until|unless|even if|even though)"
    r"\s+(?:this|these|those)"
    # A time the reader has not been told: "At that time, the judge will hear ...", "Since then".
    # ("At the time" stays: it reads as the time of the event the briefing opened with.)
    r"|at that (?:time|point|moment)(?!\s+(?:of|when)\b)|since then|by then|until then|after that"
    r"|before that"
    # A part of a group the reader has not been told of: "Most are placed in institutions ...", "All
    # were in the first 50 miles.", "One was the son of a journalist.", "Not all of them are ..."
    # ("Some" and "many" alone stay: "Some are worried that the tax ..." reads as some people.) Or
    # more of one: "A few hundred more are for hikers heading out at other times of the year."
    r"|(?:all|most|none|few|several|each|either|neither|others|the others|the rest|one|two|three"
    r"|(?:(?:a few|many|several|dozens|hundreds|thousands|[\d,]+) )?(?:(?:dozen|hundred|thousand|million) )?more)"
    r"\s+(?:were|are|was|is|have|had|has|will|would|could|can|did|do)"
    r"|(?:not )?(?:all|most|some|many|none|few|several|each|either|neither|one|two|three|both)"
    r"\s+of\s+(?:them|those|these)"
    r")\b",
    re.I,
)
# "It" that stands for nothing: the subject of a clause that says what is clear, likely or known,
# or how long before or since ("It was not immediately clear why Crudup climbed the fence.", "It
# would be 33 minutes before Officer Gerardo Hernandez ... would be wheeled out", "It was revealed
# in January that lawyers for Middleton ..."). It points back only through a "he", "she" or
# "they" that the clause does not name first (EXPLETIVE_PERSON).
EXPLETIVE_IT = re.compile(
    r"^It(?:'s| is| was| would be| will be| has been| had been| remains| remained| seems| seemed)(?: not)?"
    r"(?: (?:immediately|yet|still|also|now|widely|far))? (?:"
    r"(?:(?:un)?clear|unknown|(?:im)?possible|(?:un)?likely|important|difficult|hard|easy|necessary)"
    r" (?:that|whether|why|if|how|what|when|who|where|to)"
    r"|(?:revealed|reported|announced|believed|thought|feared|estimated|understood|known|confirmed)"
    r" (?:that|whether|why|if|how|what|when|who|where)"
    r"|(?:about |nearly |almost |more than |over )?[\w-]+ (?:minutes|hours|days|weeks|months|years|decades)"
    r"(?: later| ago| after)? (?:before|since|until|that)"
    r")\b"
)
EXPLETIVE_PERSON = re.compile(r"\b(?:he|she|they|him|her|his|them|their)\b")
# A capitalised word: a name, unless it opens the sentence.
CAPITALISED_WORD = re.compile(r"\b[A-Z][\w'’-]*")
# A clause of its own that ends on an auxiliary leaves out what it says, told in a sentence before:
# "In Cheryl Strayed's case, it seems to have.", "he says yes, it did.", "Even if it looks like a Kit
# Kat, it might not be." ("the judge would rule as he did" says it within the sentence, and stays).
# So does "find out" with no object, the question asked before it: "Was it a random or targeted
# attack? Police detectives were trying to find out as they investigated the stabbing death ...".
ELIDED_CLAUSE_END = re.compile(
    r"(?:^|[,:;]\s*)(?:(?:yes|no),?\s+)?(?:it|he|she|they)\s+(?:\w+\s+){0,2}?"
    r"(?:to have|to be|did|does|do|has|have|had|will|would|could|can|should|might|must|is|was|were|are)"
    r"(?:\s+not)?(?:\s+(?:be|have))?[.!]$"
    r"|\b(?:find|found|finding|figure|figured|figuring) out(?:\s+(?:as|while|but|and)\b|\s*[.,;])",
    re.I,
)
# "According to the agency, this ..." points back just the same once its attribution is read past.
LEADING_ATTRIBUTION = re.compile(r"^according to [^,]{1,80},\s*", re.I)
# A person named only by a pronoun after an opening phrase points back just as well ("During his
# trip to Russia, he had declared ...", "Police are still searching for a motive, he added.").
PERSON_AFTER_LEAD = re.compile(r"^[^,\"“”]{1,80},\s*(he|she|they|him|her|them|his|their)\b")
# ... unless the phrase opens on the person, whom its pronoun then stands for: "After Bill Cosby
# was sentenced to prison on Tuesday, his defense team ...", "When Johnson arrived at the hotel
# room, he was let in ...", "When William and Patty Campbell were finally allowed in, they realized
# ..." (two people for a "they"). The phrase names no one else, nor has a pronoun of its own ("Of
# her plan to steer clear of Super Bowl ads, she said"); a weekday or month is no person ("On
# Friday night, he lost his job"). Other phrases that name the person ("In a letter to Ban
# Ki-moon, he accused ...") are passed over: a candidate lost, never a sentence the reader cannot
# follow.
PERSON_OPENING_LEAD = re.compile(
    r"^(?i:after|when|as|once|before|until|while|on|for|over on|for all of)\s+"
    r"(?P<names>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*?(?:\s+and\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*?)?)"
    r"(?:['’]s)?\s+[a-z]",
)
SINGULAR_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
CALENDAR_WORDS = WEEKDAYS | set(MONTHS)
# A clause about a "he", "she" or "they" before anyone is named: "What she discovered there was
# nightmarish.", "If they prosecute, the sister of the future Queen is likely to be called", "When
# he'd arrived at Lovelock, ...". The main clause after its comma may name the person ahead: "Before
# he resigned in disgrace, Murray considered the soda tax ..." (person_not_named).
PERSON_IN_LEADING_CLAUSE = re.compile(
    r"^(?:while|although|though|because|since|if|as|when|whenever|after|before|until|unless|once|what|whether"
    r"|where|even if|even though|now that)\s+(?P<pronoun>he|she|they)\b",
    re.I,
)
# A "he", "she" or "they" right after a word or phrase of time or sequence, with no comma between
# them: the person is in the sentence before ("So they examined each prior search, one by one.",
# "At the time they had no idea how significant the find was, Mr Hamm admitted, ...", "Afterwards
# she was driven to the Gard du Nord ..."). With a comma it is PERSON_AFTER_LEAD.
PERSON_AFTER_TIME = re.compile(
    r"^(?:so|next|later|now|soon|eventually|initially|finally|ultimately|afterwards?|at first|at the time"
    r"|at that point|today|yesterday|tonight|last (?:week|month|year)|recently|previously|earlier|again)"
    r"\s+(?:he|she|they)\b",
    re.I,
)
# "The" and a thing of a "his", "her" or "their" the sentence has not named: the owner is in the
# sentence before ("The success of her story has made her a respected author ...", "The rest of
# her sizable estate ... are supposed to be split between her three children", "The last event on
# his official schedule was set for 4:30 p.m.").
OWNER_NOT_NAMED = re.compile(
    r"^The [\w-]+(?: [\w-]+)? (?:of|for|to|behind|in|on|from|with|about|at) (?:his|her|their)\b"
)
# A main clause whose subject is two people ("When she returned, Maria and Johnny were gone.": she
# is their mother), or a speaker reporting ("When he relayed that he was not, Unruh said the woman
# told her son to run": he is her son); a leading clause's "he" or "she" is no name of it.
_NAMES = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
NOT_THE_PERSON = re.compile(rf"^{_NAMES}\s+(?:and|&)\s+[A-Z]|^{_NAMES},?\s+{SPEECH_VERB}\b")
# "This" or "that" as what is reported, outside quotation marks: what it stands for is in a sentence
# the reader has not seen ("The documents say that didn't happen.", "the team says this is evidence
# that ...", "Multiple sources say this is the vehicle of the suspect"), or the whole of it ("The State
# Department spokesman, Philip J. Crowley, confirmed that on Sunday."). A speaker's own "I think
# this is ..." inside quotation marks points at what they speak of.
REPORTED_DEMONSTRATIVE = re.compile(
    r"\b(?:say|says|said|deny|denies|denied|claim|claims|claimed|insist|insists|insisted|confirm|confirms"
    r"|confirmed|believe|believes|believed|think|thinks|thought|know|knew)\s+(?:that|this)"
    r"(?:\s+(?:(?:did|does|do|was|is|has|had|will|would|could|can|should|might|must)(?:n't| not)?|never|happened)\b"
    r"|(?:\s+(?:on\s+)?(?:(?:late|early|last|this)\s+)?(?:\w+day|week|weekend|month|year|morning|night))?[.!]$)",
    re.I,
)
# "The same" thing, question or case as one the sentence does not tell, outside quotation marks: "TSA
# workers at LAX have been wondering the same thing, said Victor Payes ...", "The same thing happened
# to Philadelphia when it implemented a soda tax.", "... face corruption charges in the same case."
# ("the same thing as ..." says which). The 3 dev source sentences it matches all point back.
SAME_AS_UNTOLD = re.compile(
    r"\bthe same (?:things?|questions?|fate|case|concerns?|view|sentiment|message|conclusion)\b"
    r"(?!\s+(?:as|that|which|who)\b)",
    re.I,
)
# Words a speaker "continued" with, or "went on" to say, follow words of theirs the reader has not
# seen: 'He continued: "We will sit down with our largest shareholders ..."' (BP's chairman, after
# the vote), '"No. 2, racism," Trump continued.'
CONTINUED_QUOTATION = re.compile(
    r"\b(?:continued|continues|went on)[,:]\s*[\"“‘]"
    r"|[,.!?][\"”’]\s+(?:[\w.'’-]+\s+){1,4}?(?:continued|continues|went on)\b"
)
# "He" or "she" reported by a group that names no one ("Police believe he gunned down two people",
# "Authorities say he targeted TSA employees."): the person is in a sentence the reader has not
# seen, or in the one before, which may be someone else. ("Neighbors said they ..." are the
# neighbours; "Simpson said he ..." is Simpson.)
PERSON_REPORTED_BY_GROUP = re.compile(
    r"^(?:the\s+)?(?:police|authorities|officials|detectives|investigators|prosecutors|witnesses|sources"
    r"|neighbou?rs|friends|relatives|family members|(?:court )?(?:records|documents))"
    r"\s+(?:say|said|says|believe|believed|allege|alleged|told \w+)\s+(?:that\s+)?(?:he|she)\b",
    re.I,
)


# What a news briefing prints: no question to the reader, no column's "I" or "we" or address to
# "you" (outside quotation marks), no instruction ("Follow my journey here.", "Please avoid the
# area."), no exclamation, no photo caption (AP captions give the weekday and the full date: "...
# speaks to the media, Friday, May 2, 2014." or "..., Thursday, Feb. 16, 2017, in the East Room";
# others say what a picture "shows", that something "is seen" or someone "stands for a portrait",
# or credit it: "Luigi Garlaschelli / Via youtube.com", "... /AFP/Getty Images", or place the people
# in it: "Shane Bauer (2nd L)", "Defense attorney Patricia Palm, left, and ..."; or point at it:
# "Police released this video still ..."), no note on the author, no broadcast's
# hand-over ("Tony Spitz has the details."), no question-and-answer label ("Q. Senate Democrats
# say ..."), no label run into a sentence ("Boston Globe The sale ..."), no column's interjection
# or aside ("Wow, ...", "Of course, ..."), no editor's note, no sentence cut inside brackets, no
# aside or link wholly in brackets ("(Learn more about how feathers evolved.)") or after a
# caption's bar, no text whose characters were lost in conversion ("declassi?cation").
INSTRUCTION = re.compile(
    r"^(?:(?:please|follow|click|read more|watch|subscribe|sign up|join us|share (?:this|it)|don't|do not|check out"
    r"|view all|for more from|like [\w@]+ on (?:facebook|twitter|instagram))\b|warning:)",
    re.I,
)
WEEKDAY_FULL_DATE = (
    r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?"
    r"\s+\d{1,2},?\s+\d{4}"
)
CAPTION = re.compile(
    # The date ends the caption, or stands in it without the "on" of prose ("Judge Kurt
    # Engelhardt on Wednesday, April 27, 2016, approved" is a sentence).
    rf"{WEEKDAY_FULL_DATE}\.?$|(?<!\bon ){WEEKDAY_FULL_DATE}\b|"
    r"\b(?:photo|image|picture|screengrab|file)\b.{0,60}\bshows\b|"
    r"\bis (?:seen|shown)\b(?! as)|\bin this\b.{0,40}\bphoto\b|\bphoto released\b|"
    r"\b(?:stands?|poses?|posed|standing|posing) for (?:a )?(?:portrait|photo|photograph|picture)s?\b|"
    r"\s/\s+via\b|\bscreen ?grab\b|\benlarge (?:this )?image\b|\bgetty images\b|"
    r"\((?:\d(?:st|nd|rd|th) )?(?:L|R|C|left|right|center)\)|, (?:left|right|center|second from (?:left|right)),|"
    r"\bthis (?:undated )?(?:video still|still image|photo|image|picture)\b|"
    r"^(?:view images|file -|for movement|embed)\b|^the author is\b",
    re.I,
)
# A caption in the present tense of a photo's moment: a person or a group of people, then what they
# do in the picture ("A worker returns a bag containing a runner's personal effects near the finish
# line ...", "The villager shows his injured leg ...", "Police investigate the killing of a couple
# ...", "Palestinians wait to receive food supplies ..."). News prose tells the same in the past or
# the progressive. On the dev sources it finds 5 sentences, all captions, and none of the 1,035
# sentences of the human summaries.
_CAPTION_VERBS = (
    r"show|hold|return|walk|stand|sit|wave|gesture|speak|arrive|leave|attend|pray|react|pose|look|inspect"
    r"|survey|embrace|hug|mourn|wait|watch|gather|light|clean|search|ride|talk|cr(?:y|ie)|march|protest"
    r"|rally|celebrate|greet|kneel|weep|listen|carr(?:y|ie)|place|lay|investigate|examine|patrol|guard"
    r"|escort|arrest|detain|block|secure"
)
_CAPTION_PERSON = (
    r"man|woman|boy|girl|child|worker|villager|resident|officer|soldier|firefighter|protester|protestor"
    r"|mourner|visitor|fan|student|player|rescuer|volunteer|member|relative|supporter|worshipper|passenger"
    r"|runner|person|mother|father|son|daughter|friend|neighbou?r|policeman|policewoman|nurse|doctor|medic"
    r"|paramedic|demonstrator|activist|photographer|journalist|reporter|spectator|onlooker|pilgrim|refugee"
    r"|migrant|farmer|vendor|shopper|driver|customer|employee|guard|trooper|agent|investigator|detective"
    r"|official|survivor|victim"
)
_CAPTION_PEOPLE = (
    r"Police|Police officers|Palestinians|Israelis|Mourners|Residents|People|Protesters|Protestors"
    r"|Rescuers|Rescue workers|Emergency workers|Firefighters|Supporters|Investigators|Soldiers|Students"
    r"|Workers|Children|Fans|Volunteers|Relatives|Family members|Villagers|Demonstrators|Women|Men|Officers"
    r"|Troops|Visitors|Passengers|Onlookers|Spectators|Runners|Journalists|Photographers|Activists"
    r"|Worshippers|Pilgrims|Refugees|Migrants|Survivors"
)
CAPTION_ACTION = re.compile(
    rf"^(?:(?:An?|The)\s+(?:[a-z][\w-]*\s+)?(?:{_CAPTION_PERSON})\s+(?:{_CAPTION_VERBS})e?s"
    rf"|(?:{_CAPTION_PEOPLE})\s+(?:{_CAPTION_VERBS}))\s+"
    r"(?:his|her|their|its|a|an|the|to|at|outside|near|in|on|up|down|out|off|through|past|as|with|for|during"
    r"|after|beside)\b"
)
# A photo agency's credit run into the caption after it ("Fame Flynet Pippa in Paris this weekend,
# ..."). "EPA" and "PA" open sentences on an agency or a state too often to be read as credits.
PHOTO_CREDIT = re.compile(
    r"^(?:Associated Press|AP Photo|Reuters|AFP|Fame ?Flynet|Splash News|WENN|Backgrid|BACKGRID|Getty Images"
    r"|Rex Features|Shutterstock|Bauer-Griffin|GC Images|Mega Agency|Xposure)\s+[A-Z]"
)
# A label run into the sentence after it: a credit, a caption's button, a subhead ("Boston Globe The
# sale to ...", "View Images An artist's depiction ...", "Fleeing Hama An estimated 1,000 ...").
RUN_IN_LABEL = re.compile(r"^(?:[A-Z][\w'’.&-]*\s+){1,3}(?:The|A|An)\s+[a-z]")
# A transcript's speaker label: a name run into the quotation of the words spoken
# (segment.labelled_speaker: 'Art Iwasaki "In my company - ..."'), or a name of up to three words
# and a colon: 'Keilar: "Polls. I just told you."', "TRUMP: Well, the leaks are real.", "MB: Eris
# is significantly more massive." (an interview's questions and answers, which the briefing cannot
# print as they stand). A label has no stop word ('On "The Bachelor," Martinez ...' has one), and
# 'Gloria said: "..."' has a verb in lower case.
SPEAKER_LABEL = re.compile(r"^((?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’.-]*):\s")
HAND_OVER = re.compile(
    r"^(?:[A-Z][\w'’-]+ ){1,3}has (?:the|more|an?(?: exclusive| special| live)?) (?:details|story|report|update)\b"
)
QUESTION_LABEL = re.compile(r"^Q[.:]\s")
# A note on the article itself, not news: an update or correction label ("Update, 21 April: Science
# has learned that the court order referred to in this story has been amended."), the notice of a
# correction, the credits, another outlet's credit for the story.
EDITORS_NOTE = re.compile(
    r"^(?:update|updated|correction|clarification|editor'?s note)\b[^:]{0,40}:"
    r"|\b(?:this|the) (?:story|article|headline) (?:has been|was) (?:corrected|amended|updated)\b"
    r"|\ban earlier version of this\b"
    r"|\bcontributed (?:reporting )?to this (?:report|story|article)\b"
    # Another outlet's credit for the story ("The Kampala Post originally reported the story.").
    r"|(?:originally|first) reported (?:the|this) (?:story|news|report)\.?$"
    r"|^the (?:news|story|report) was (?:first|originally) reported by [^,]{1,40}\.$",
    re.I,
)
# A column's voice: an interjection ("Wow, the ratings are in ..."), an aside to the reader ("For
# those not familiar with the story, ...", "Suffice to say, ...", "Of course, ..."), the writer's
# own comment on what happened ("Interestingly, ...", "Unfortunately, ...", "To be fair, ...", "The
# shocking truth is that ...", "Leave it to Schumer to ...", "In typical lawyer fashion, ...").
WRITERS_VOICE = re.compile(
    r"^(?:(?:wow|oh|ah|well|yes|yeah|okay|alas|hey|whoa|so)\b\s*[,!]"
    r"|(?:for (?:those|anyone|readers) (?:who|not|unfamiliar)|suffice (?:it )?to say|needless to say|of course"
    r"|let's|let us|obviously|interestingly|ironically|fortunately|unfortunately|sadly|luckily|thankfully"
    r"|truth be told|frankly|basically|anyway|leave it to|considering how"
    r"|the (?:[\w-]+ )?(?:truth|implication|irony|good news|bad news)(?: here)? is)\b"
    r"|(?:to be fair|mind you|make no mistake|in other words|sure enough|believe it or not|actually"
    r"|perhaps (?:most|more|even) \w+|in typical [^,]{1,30} fashion),)",
    re.I,
)
# An attribution with nothing attributed: what is left when a quotation was split from its source
# sentence ("Hernandez exclaimed in an interview with The Post.", "Trump said to cheers Thursday
# night."). A "that" clause or a subject after it says what was said, and stays.
EMPTY_ATTRIBUTION = re.compile(
    r"^(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|exclaimed|added|explained|wrote|writes|continued|noted|stated"
    r"|told (?:reporters|the [\w ]+|[A-Z]\w+(?: [A-Z]\w+)*))"
    r"(?:\s+(?:in|on|at|to|during|with|from|after|last|this)\b"
    r"(?!.*\b(?:that|there|he|she|they|it|we|I|was|were|is|are|had|has|would|will)\b)[^,;:\"“”]{0,60})?\.$"
)
# Words a newsroom does not print, in quotation marks or out ("I didn't piss in the fucking water,").
NOT_FOR_PRINT = re.compile(r"\b(?:\w*fuck\w*|shit\w*|bullshit|bitch\w*|cunt\w*|asshole\w*|retard(?:ed)?)\b", re.I)
# An aside or link wholly in brackets, a caption's bar, or a photo's credit or placing in brackets
# run into the sentence after it ("(Steve Vogelsang/Facebook) They also owned ...", "(Left to
# right) Nolan Gould, ...").
BRACKETED = re.compile(r"^[(\[].*[)\]][.!?]?$|^\||^\([^()]{3,60}\)\s+[A-Z]")
# A post's hashtag before its words: "#breaking A horror film come to life in #lancaster ...".
HASHTAG_OPENING = re.compile(r"^#\w")
# A character lost in conversion leaves a question mark before a letter: "declassi?cation", "?nancial".
LOST_CHARACTER = re.compile(r"\?[^\W\d_]")
# A word drawn out in writing is a column's or a post's voice: "waaaay back in Season 3",
# "Annyyyyywayyy, ...", "I loveeee you". Four letters in a row: three are a numeral's ("(iii)"),
# an address's ("www") or a German compound's ("Schifffahrt").
ELONGATED = re.compile(r"([a-z])\1{3}")
MIN_NEWS_WORDS = 5
# A line of this many words or fewer with no verb is a caption, a label or a fragment, not a
# sentence of news: "Kevin Spacey at the BAFTA Los Angeles Britannia Awards at in Beverly Hills, on
# Oct. 27, 2017.", "Weapons in a house in Gaza.", "Caihong juji gen. et sp nov.", "Another year,
# another soda tax." (verbless). On the dev sources it finds 13 readable lines, none of them news;
# in the human summaries, 24 of 1,036 sentences, all links, asides, questions or fragments ("Click
# for her full column.", "Most of them."). Longer lines have a verb this reading finds.
MAX_VERBLESS_WORDS = 22
# A verb read from its form, English only: an auxiliary or a common irregular verb ("took",
# "says"), a word in -ed or -n't, a contraction of "is" after a pronoun ("There's"), a lower-case
# word in -s that is no stop word ("as", "this" and "its" are none), one in -ing not straight after
# a comma (", beginning in the early 1990s" opens a phrase, not a clause: a scraped page's
# "CKY, now known as CTV Winnipeg, beginning in the early 1990s." lost its first words), or a
# lower-case word after a subject pronoun, "people", "who" or "to" ("they choose", "people work").
# On the dev sources the stop words and the comma make 5 more lines verbless, none of them news.
_AUXILIARIES = (
    "is|are|was|were|be|been|being|am|has|have|had|do|does|did|will|would|can|could|shall|should|may|might|must"
)
AUXILIARIES = frozenset(_AUXILIARIES.split("|"))
_IRREGULAR_VERBS = (
    "said|says|told|tells|took|takes|made|makes|found|finds|gave|gives|went|goes|came|comes|got|gets|ran|"
    "runs|left|leaves|kept|keeps|held|holds|brought|brings|began|begins|became|becomes|knew|knows|thought|"
    "thinks|saw|sees|felt|feels|stood|stands|sat|sits|won|wins|lost|loses|paid|pays|met|meets|led|leads|"
    "sent|sends|spent|spends|built|builds|bought|buys|caught|catches|fell|falls|fought|fights|hit|hits|"
    "hurt|hurts|let|lets|put|puts|read|reads|set|sets|cut|cuts|beat|beats|broke|breaks|chose|chooses|drew|"
    "draws|drove|drives|ate|eats|flew|flies|grew|grows|hid|hides|hung|hangs|heard|hears|lay|lays|rode|"
    "rides|rose|rises|sang|sings|shook|shakes|shot|shoots|showed|shows|slept|sleeps|spoke|speaks|stole|"
    "steals|struck|strikes|swore|swears|taught|teaches|threw|throws|understood|understands|woke|wakes|"
    "wore|wears|wrote|writes"
)
IRREGULAR_VERBS = frozenset(_IRREGULAR_VERBS.split("|"))
VERB_CONTRACTION = re.compile(r"^(?:there|it|that|he|she|what|here|who|where|they|we|you|i|let)'(?:s|re|ve|d|ll|m)$")
BEFORE_VERB = frozenset(("i", "we", "you", "they", "people", "who", "to"))
# The words verbless reads: letters only, not text.words, so that the part of a hyphenated word
# after the hyphen is read alone ("Trump-led": "led") and a figure is no word of the line.
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
CLOSING_QUOTES = "\"'”’"
# A sentence says something in words of its own, outside its brackets: at least this many words
# not written as names (verbs, nouns, function words: in lower case, or in a script without
# capitals), not only names, figures and asides.
MIN_WORDS_OUTSIDE_BRACKETS = 2
ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


# A sentence that only says someone gave no answer: "Family members have declined to comment.",
# "Intermex did not immediately respond for comment.", "ABC News could not reach Mattevi for
# comment." A brief has no room for what was not said. One that says something besides ("...
# has called the allegations "unproven" but declined to comment further", "When reached for
# comment, NBC ratings guru Tom Bierbaum noted that ...") is news.
NO_COMMENT = re.compile(
    r"^(?!.*\b(?:said|says|but|noted|called|confirmed|told)\b)(?:"
    r".*\b(?:declined|refused)\s+(?:to\s+)?comment"
    r"|.*\b(?:did not|didn't|has not|hasn't|have not|haven't|had not|failed to)\s+(?:immediately\s+)?"
    r"(?:respond|return|repl)\w*\b.*\b(?:comment|requests?|calls?|messages?|e-?mails?|questions)\b"
    r"|.*\bcould not (?:be reached|reach)\b.*\bcomment)",
    re.I,
)


# The patterns above, by where they must stand in the sentence.
NOT_NEWS_OPENING = (
    INSTRUCTION,
    CAPTION_ACTION,
    HAND_OVER,
    QUESTION_LABEL,
    BRACKETED,
    HASHTAG_OPENING,
    PHOTO_CREDIT,
    RUN_IN_LABEL,
    WRITERS_VOICE,
    EMPTY_ATTRIBUTION,
    NO_COMMENT,
)
NOT_NEWS_ANYWHERE = (CAPTION, LOST_CHARACTER, EDITORS_NOTE, NOT_FOR_PRINT, ELONGATED)


def news_prose(sentence: Sentence) -> bool:
    """Whether the sentence reads as news narrative a briefing can print: a question or an
    exclamation is none, quoted or not (asks_or_exclaims), nor is one that says next to nothing
    outside its brackets ("107-792 (Administration of George W. Bush) (similar); E.O.": a legal
    citation)."""
    text = sentence.text.strip()
    if asks_or_exclaims(text) or sentence.word_count < MIN_NEWS_WORDS:
        return False
    if any(p.match(text) for p in NOT_NEWS_OPENING) or any(p.search(text) for p in NOT_NEWS_ANYWHERE):
        return False
    if len(plain_words(outside_brackets(text))) < MIN_WORDS_OUTSIDE_BRACKETS:
        return False
    if sentence.language == ENGLISH and (verbless(text) or speaker_label(text)):
        return False
    return not unbalanced_brackets(text) and not FIRST_OR_SECOND_PERSON.search(outside_quotes(text))


def speaker_label(text: str) -> bool:
    """Whether the sentence opens on a transcript's speaker label (SPEAKER_LABEL): a name, no
    stop word in it, straight before a quotation or a colon."""
    if labelled_speaker(text) is not None:
        return True
    label = SPEAKER_LABEL.match(text)
    return label is not None and not set(label.group(1).lower().split()) & stop_keys(ENGLISH)


def verbless(text: str) -> bool:
    """Whether an English line of at most MAX_VERBLESS_WORDS words has no word that reads as a verb
    (AUXILIARIES, IRREGULAR_VERBS, VERB_CONTRACTION, BEFORE_VERB)."""
    tokens = list(WORD.finditer(text))
    if len(tokens) > MAX_VERBLESS_WORDS:
        return False
    stops = stop_keys(ENGLISH)
    previous = ""
    for found in tokens:
        token = found.group()
        word = token.lower().replace("’", "'")
        lower = token[0].islower()
        after_comma = text[: found.start()].rstrip().endswith(",")
        if (
            word in AUXILIARIES
            or word in IRREGULAR_VERBS
            or word.endswith(("ed", "n't"))
            or VERB_CONTRACTION.match(word)
            or (lower and word.endswith("s") and word not in stops)
            or (lower and word.endswith("ing") and not after_comma)
            or (lower and previous in BEFORE_VERB)
        ):
            return False
        previous = word
    return True


def asks_or_exclaims(text: str) -> bool:
    """Whether the sentence ends on a question or an exclamation, its own or the words it quotes
    ('Smith said: "What were they saying?"', '"How could that happen," they ask, "without the whole
    world knowing?"'), or opens on them and ends on who said them ('"WEAR WHATEVER YOU WANT
    PEOPLE!" she exclaimed.'); a title it quotes is a name, not a question ('a cover story called
    "Why does Humboldt County have ... in the state?"')."""
    if text.endswith(("?", "!")):
        return True
    spans = quotation_spans(text)
    if len(spans) == 1 and spans[0][0] == 0 and text[spans[0][1] - 2] in "?!":
        return True
    if not text.rstrip(CLOSING_QUOTES).endswith(("?", "!")):
        return False
    before = text[: spans[-1][0]].rstrip() if spans else ""
    return not before or before.endswith((":", ","))


def plain_words(text: str) -> list[str]:
    """The text's words that are not figures and not written with a capital: "said", "и", "说"."""
    return [w for w in words(text) if w[0].isalpha() and not w[0].isupper()]


def outside_brackets(text: str) -> str:
    """`text` without its asides in brackets, nested ones too."""
    while (shorter := ASIDE.sub("", text)) != text:
        text = shorter
    return text


def unbalanced_brackets(text: str) -> bool:
    """A bracket opened and not closed, or closed and not opened: a sentence split inside an
    aside ("... within Warratyi rock shelter (Extended Data Fig." then "1a-c), using two ...",
    whose closing bracket comes before an opening one)."""
    for opening, closing in ("()", "[]"):
        depth = 0
        for character in text:
            depth += (character == opening) - (character == closing)
            if depth < 0:
                return True
        if depth:
            return True
    return False


def self_contained(sentence: Sentence, leading_person: bool = True) -> bool:
    """False for an opener that points back at a sentence the reader has not seen ("He said",
    "This ...", "Speaking to reporters, she ..."), for words a "he" or "she" said, quoted or
    reported, and for a fragment that starts in lower case (the rest of a broken sentence). With
    `leading_person` False, an opening clause about a "he" or "she" it does not name
    (person_not_named) is no pointer: extraction prints such a sentence only right after its
    article's sentence before it."""
    text = LEADING_ATTRIBUTION.sub("", sentence.text)
    # '"...," he said.', "... was registered and owned by Moseley, he said."
    if (sentence.speaker is not None and named(sentence.speaker) is None) or reported_by_pronoun(sentence.text):
        return False
    return not (
        (DANGLING_START.match(text) and not expletive_it(text))
        or ((after := PERSON_AFTER_LEAD.match(text)) is not None and not lead_names_the_person(text, after))
        or PERSON_REPORTED_BY_GROUP.match(text)
        or (leading_person and person_not_named(text, sentence.language))
        or REPORTED_DEMONSTRATIVE.search(outside_quotes(text))
        or SAME_AS_UNTOLD.search(outside_quotes(text))
        or CONTINUED_QUOTATION.search(text)
        or ELIDED_CLAUSE_END.search(text)
        or sentence.text[:1].islower()
    )


def lead_names_the_person(text: str, after: re.Match[str]) -> bool:
    """Whether the opening phrase before the pronoun `after` found (PERSON_AFTER_LEAD) opens on the
    one person, or two for a "they", that the pronoun stands for, and names no one else
    (PERSON_OPENING_LEAD)."""
    opening = PERSON_OPENING_LEAD.match(text)
    if opening is None:
        return False
    phrase = text[: after.start(1)]
    names = opening.group("names")
    if EXPLETIVE_PERSON.search(phrase) or {w.lower() for w in names.split()} & CALENDAR_WORDS:
        return False
    others = [w for w in CAPITALISED_WORD.findall(phrase[opening.end("names") :]) if w.lower() not in CALENDAR_WORDS]
    two = " and " in names
    return not others and (after.group(1).lower() in SINGULAR_PRONOUNS) != two


def expletive_it(text: str) -> bool:
    """Whether the sentence opens on an "It" that stands for nothing (EXPLETIVE_IT), and names
    whoever its "he" or "she" stands for before it."""
    opening = EXPLETIVE_IT.match(text)
    if opening is None:
        return False
    pronoun = EXPLETIVE_PERSON.search(text, opening.end())
    return pronoun is None or bool(CAPITALISED_WORD.search(text, opening.end(), pronoun.start()))


# Words that make a dangling opening more than a connective: a pointer at something ("While this
# ...", "That said,", "With this in mind,"), at what comes after ("The following ensued when ...",
# "Here is": a teaser of the page), or the rest of a sentence cut off ("Especially when ...").
NOT_A_CONNECTIVE = frozenset(
    ["he", "she", "they", "it", "this", "these", "those", "that", "such", "his", "her", "their", "its"]
) | {"following", "here", "here's", "especially", "including", "except"}


def after_connective(sentence: Sentence) -> Sentence | None:
    """The sentence without the connective it opens on, which carries on from the sentence before
    it ("But the fate of her two step-grandparents ... remained unclear.", "In exchange,
    Washington and Seoul say, Russia provided ...", "However, the company was only authorised
    ..."), or None where it opens on none, or on more than a connective (NOT_A_CONNECTIVE):
    after its article's sentence before it, such a sentence reads as its source wrote it."""
    found = DANGLING_START.match(sentence.text)
    if found is None or set(re.findall(r"[\w'’]+", found.group(1).lower())) & NOT_A_CONNECTIVE:
        return None
    rest = sentence.text[found.end() :].lstrip(" ,")
    if not rest[:1].isalpha():
        return None
    return replace(sentence, text=rest[:1].upper() + rest[1:])


def person_not_named(text: str, language: str) -> bool:
    """Whether the sentence opens on a clause about a "he", "she" or "they" and its main clause
    does not open with a name (PERSON_IN_LEADING_CLAUSE), or opens with names that cannot be that
    person (NOT_THE_PERSON); or on a word of time or sequence before the pronoun (PERSON_AFTER_TIME),
    or on a thing of someone it does not name (OWNER_NOT_NAMED)."""
    if PERSON_AFTER_TIME.match(text) or OWNER_NOT_NAMED.match(text):
        return True
    found = PERSON_IN_LEADING_CLAUSE.match(text)
    if not found:
        return False
    clauses = outside_quotes(text, "").split(",", 1)
    if len(clauses) == 1 or not opens_with_name(main := clauses[1].lstrip(), language):
        return True
    return found.group("pronoun").lower() != "they" and bool(NOT_THE_PERSON.match(main))


class FactMemory:
    """The sentences taken so far (their embeddings), to tell whether a candidate restates one."""

    def __init__(self, threshold: float = SAME_FACT_COSINE) -> None:
        self.vectors = embed([])
        self.threshold = threshold

    def restates(self, sentence: Sentence, vector: np.ndarray | None = None) -> bool:
        """True when `sentence` states the same fact as a sentence already taken (`vector`: its
        embedding, when known). Unlike deduplication, no number guard: "June 18-19" and
        "Tuesday" date one visit, and a briefing states a toll once, not "3 dead" then "5 dead"."""
        if not len(self.vectors):
            return False
        vector = embed([sentence.text])[0] if vector is None else vector
        return float((self.vectors @ vector).max()) >= self.threshold

    def add(self, sentence: Sentence, vector: np.ndarray | None = None) -> None:
        vector = embed([sentence.text])[0] if vector is None else vector
        self.vectors = np.vstack([self.vectors, vector[None, :]])


def same_fact(first: Sentence, second: Sentence) -> bool:
    """Whether two sentences state the same fact, by the measure selection and extraction use."""
    taken = FactMemory()
    taken.add(first)
    return taken.restates(second)


def word_pairs(sentence: Sentence) -> frozenset[tuple[str, str]]:
    """Adjacent stemmed words of the sentence, in its language: the units that coverage counts."""
    language = sentence.language
    stems = [stem(fold(w.lower(), language), language) for w in words(sentence.text)]
    return frozenset(zip(stems, stems[1:], strict=False))


def pair_weights(pairs_by_sentence: Sequence[tuple[Sentence, frozenset]]) -> dict[tuple[str, str], float]:
    """Each pair's value: (articles using it) squared, discounted by how early it is first used."""
    articles_with: dict[tuple[str, str], set[int]] = {}
    first_position: dict[tuple[str, str], int] = {}
    for sentence, pairs in pairs_by_sentence:
        for pair in pairs:
            articles_with.setdefault(pair, set()).add(sentence.article_index)
            first_position[pair] = min(first_position.get(pair, sentence.position), sentence.position)
    return {pair: len(a) ** 2 / (1 + first_position[pair] / POSITION_SCALE) for pair, a in articles_with.items()}


def coverage_order(facts: Sequence[Fact], headlines: Sequence[Sentence] = ()) -> list[tuple[int, float]]:
    """(fact index, value when picked) in greedy coverage order, every fact once. `headlines`
    (each article's title as a sentence at position 0) count as their articles' words: what
    the outlets' headlines share is the headline fact."""
    pairs_of = {id(s): word_pairs(s) for c in facts for s in c.sentences}
    weights = pair_weights(
        [(s, pairs_of[id(s)]) for c in facts for s in c.sentences] + [(h, word_pairs(h)) for h in headlines]
    )
    # Columns and rows in sorted order, not the sets' hash order: the float sums below, and so
    # the ties between equal values, then come out the same in every process.
    column = {pair: j for j, pair in enumerate(sorted(weights))}
    remaining = np.fromiter((weights[pair] for pair in column), dtype=float, count=len(column))
    rows = [sorted(column[p] for p in pairs_of[id(c.representative)]) for c in facts]
    holders: list[list[int]] = [[] for _ in column]  # the facts whose representative has each pair
    for k, cols in enumerate(rows):
        for j in cols:
            holders[j].append(k)
    gains = np.array([remaining[cols].sum() for cols in rows])
    per_word = np.array([1.0 / max(c.representative.word_count, 1) for c in facts])
    available = np.ones(len(facts), dtype=bool)
    order: list[tuple[int, float]] = []
    for _ in facts:
        value = np.where(available, per_word * gains, -np.inf)
        best = int(np.argmax(value))
        order.append((best, float(value[best])))
        available[best] = False
        for j in rows[best]:
            if remaining[j]:
                gains[holders[j]] -= remaining[j]
                remaining[j] = 0.0
    return order


def rank(facts: Sequence[Fact], headlines: Sequence[Sentence] = ()) -> list[RankedFact]:
    """Facts in greedy coverage order; `score` is a fact's value when it was picked.
    `headlines`: the articles' titles, as sentences at position 0 of their articles.

    Agreement is an article count, not a share, so that nine outlets agreeing weighs more
    than two."""
    return [RankedFact(facts[k], score) for k, score in coverage_order(facts, headlines)]


def reading_order(ranked: Sequence[RankedFact]) -> list[RankedFact]:
    """Source narrative order: what the sources say earliest comes first (ties: article order)."""
    return sorted(ranked, key=lambda r: (r.fact.representative.position, r.fact.representative.article_index))


def render_input(chosen: Sequence[RankedFact], template: InputFormat) -> str:
    """The model input: salience order (seq2seq news models favour what comes first),
    or grouped by article in article order for families trained on separated documents."""
    if template.group_by_article:
        by_article: dict[int, list] = {}
        for r in sorted(chosen, key=lambda r: (r.fact.representative.article_index, r.fact.representative.position)):
            by_article.setdefault(r.fact.representative.article_index, []).append(r.fact.representative.text)
        documents = list(by_article.values())
    else:
        documents = [[r.fact.representative.text for r in chosen]]
    return template.render(documents)


def fit_budget(ranked: Sequence[RankedFact], template: InputFormat, counter: TokenCounter, budget: int) -> Selection:
    """Greedily add whole sentences in rank order while the rendered input fits `budget` tokens."""
    chosen: list[RankedFact] = []
    taken = FactMemory()
    specials = counter.count("")
    used = counter.count(render_input([], template))
    considered = 0
    while considered < len(ranked) and budget - used >= MIN_SENTENCE_TOKENS:
        batch = ranked[considered : considered + COUNT_BATCH]
        considered += len(batch)
        costs = counter.count_many([" " + r.fact.representative.text for r in batch])
        vectors = embed([r.fact.representative.text for r in batch])
        for candidate, cost, vector in zip(batch, costs, vectors, strict=True):
            # The per-sentence estimate screens; the exact count of the rendered input decides.
            if used + cost - specials > budget or taken.restates(candidate.fact.representative, vector):
                continue
            exact = counter.count(render_input(chosen + [candidate], template))
            if exact <= budget:
                chosen.append(candidate)
                taken.add(candidate.fact.representative, vector)
                used = exact
    model_input = render_input(chosen, template)
    kept = {id(r) for r in chosen}
    left = [r for r in ranked if id(r) not in kept]
    return Selection(
        facts=tuple(chosen),
        model_input=model_input,
        input_tokens=counter.count(model_input),
        budget_tokens=budget,
        left_out=LeftOut(
            facts=len(left),
            sentences=sum(len(r.fact.sentences) for r in left),
            words=sum(r.fact.representative.word_count for r in left),
        ),
    )
