"""Update briefings: summarize(new, since=earlier) says what the new articles add, and nothing else."""

from __future__ import annotations

import json

import pytest

from summarizer import Article, SummaryOptions, summarize
from summarizer.errors import InputError

EXTRACTIVE = SummaryOptions(engine="extractive")
WIRE = Article(
    "wire",
    "Floods kill 12",
    "Floods killed 12 people in the northern province on Monday, officials said. Rescue teams reached the "
    "cut-off villages on Tuesday morning after the river burst its banks. The regional governor declared a "
    "state of emergency in the flooded province.",
    source="Wire",
)
LOCAL = Article(
    "local",
    "State of emergency",
    "Officials said the floods killed 12 people in the northern province on Monday. The governor declared a "
    "state of emergency on Monday night as the river kept rising. Schools in the flooded province will stay "
    "closed until Friday, rescue teams said.",
    source="Local",
)
TOLL = Article(
    "toll",
    "Flood toll rises",
    "The floods in the northern province have now killed 31 people, officials said on Wednesday. The army was "
    "sent to clear roads into the valley, the defence ministry said. The governor's state of emergency remains "
    "in force across the flooded province.",
    source="Radio",
)
# The earlier facts in other words, and nothing else.
RETOLD = Article(
    "retold",
    "Again",
    "A state of emergency was declared by the regional governor in the flooded province. Floods in the northern "
    "province killed 12 people on Monday, according to officials.",
    source="Other",
)


def test_a_changed_figure_is_stated_as_a_change_citing_both_sides():
    briefing = summarize([TOLL], EXTRACTIVE, since=[WIRE, LOCAL])
    [changed] = [s for s in briefing.sentences if "31" in s.text]
    assert changed.novelty == "update"
    assert changed.text.endswith("up from 12 reported earlier.")
    assert changed.citations == (3, 1)  # the new source, then the earlier one that said 12
    assert [(s.index, s.earlier) for s in briefing.sources] == [(1, True), (2, True), (3, False)]
    assert "[3][1]" in briefing.text


def test_a_repeated_fact_in_other_words_is_left_out_and_a_new_one_kept():
    briefing = summarize([TOLL], EXTRACTIVE, since=[WIRE, LOCAL])
    assert any("army" in s.text and s.novelty == "new" for s in briefing.sentences)
    # "The governor's state of emergency remains in force" restates the earlier articles.
    assert not any("state of emergency" in s.text for s in briefing.sentences)


def test_nothing_new_is_said_in_one_sentence():
    briefing = summarize([RETOLD], EXTRACTIVE, since=[WIRE, LOCAL])
    [sentence] = briefing.sentences
    assert sentence.text.startswith("Nothing new: the 1 new article repeats what the 2 earlier ones said")
    assert sentence.citations == () and sentence.novelty is None
    assert briefing.text == sentence.text


def test_a_briefing_without_since_has_no_novelty():
    briefing = summarize([WIRE, LOCAL], EXTRACTIVE)
    assert {s.novelty for s in briefing.sentences} == {None}
    assert not any(s.earlier for s in briefing.sources)


def test_an_earlier_article_with_a_lone_surrogate_is_refused():
    with pytest.raises(InputError, match="lone surrogate"):
        summarize([TOLL], EXTRACTIVE, since=[Article("bad", "", "Text \ud800 here.")])


def test_eval_update_mode_counts_repeats_and_scores_the_lead(tmp_path, capsys):
    from summarizer.cli import main

    def document(article: Article) -> dict:
        return {"title": article.title, "text": article.text}

    data = tmp_path / "updates.jsonl"
    lines = [
        {
            "id": "toll",
            "earlier": [document(WIRE), document(LOCAL)],
            "documents": [document(TOLL)],
            "summary": "The toll of the floods rose to 31. The army was sent to clear roads.",
        },
        {"id": "split", "documents": [document(WIRE), document(RETOLD)]},  # split by order: nothing new
        {"id": "one", "documents": [document(WIRE)]},  # one article: no case
    ]
    data.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert main(["eval", str(data), "--mode", "update", "--engine", "extractive", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [case["id"] for case in report["cases"]] == ["toll", "split"]
    toll, split = report["cases"]
    assert toll["updates"] == 1 and toll["rouge2_recall_lead"] > 0 and not toll["nothing_new"]
    assert split["nothing_new"] and split["rouge2_recall_lead"] is None
    assert report["summary"]["repeated_facts_total"] == 0
