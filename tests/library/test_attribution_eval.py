"""`newsbrief eval-attribution`: the rules that make labelled cases, and the command on made-up clusters."""

import json
import random

from summarizer.cli import main
from summarizer.evaluation.attribution import (
    change_modality,
    change_number,
    cluster_speakers,
    compress,
    flip_antonym,
    fuse,
    negate,
    replace_name,
    swap_roles,
    swap_speaker,
)
from summarizer.stages.segment import make_sentence


def said(text):
    return make_sentence(0, 0, text)


def test_negation_is_added_or_removed():
    assert negate(said("The bridge was opened on Monday.")) == "The bridge was not opened on Monday."
    assert negate(said("The bridge wasn't opened on Monday.")) == "The bridge was opened on Monday."
    assert negate(said("He can swim across the river.")) == "He cannot swim across the river."
    assert negate(said("No one opened the bridge today.")) is None  # "no one was not" is not a flip


def test_numbers_change_to_values_no_source_has():
    changed = change_number(
        said("Floods killed 12 people on Monday."), frozenset({"12", "14", "monday"}), random.Random(1)
    )
    assert changed is not None and changed != "Floods killed 12 people on Monday."
    found = said(changed).numbers
    assert not found & {"14"} and found != {"12", "monday"}


def test_names_are_replaced_by_foreign_ones_and_roles_swapped():
    sentence = said("Obama criticized Romney in Ohio on Monday.")
    names = frozenset({"obama", "romney", "ohio"})
    replaced = replace_name(sentence, names, frozenset({"obama", "romney", "ohio"}), ["Lukashevich"], random.Random(0))
    assert "Lukashevich" in replaced and replaced.count(" ") == sentence.text.count(" ")
    swapped = swap_roles(sentence, names, random.Random(0))
    assert swapped in {"Romney criticized Obama in Ohio on Monday.", "Ohio criticized Romney in Obama on Monday."}
    # Names with nothing but "and" between them are a list: exchanging them is no error.
    assert swap_roles(said("Obama and Romney met voters."), names, random.Random(0)) is None


def test_a_quotation_is_given_to_another_person_who_speaks_in_the_cluster():
    speakers = cluster_speakers(
        [
            said('"We are far apart," said deputy commissioner Russ Granik.'),
            said('Union chief Billy Hunter said: "They are not ready."'),
            said('"We will meet again," the Kremlin said.'),
            said("Granik said the talks would go on."),
        ]
    )
    assert speakers == ["Russ Granik", "Billy Hunter"]
    quote = said('"They are not ready to make a deal," Billy Hunter said.')
    assert swap_speaker(quote, speakers, random.Random(1)) == '"They are not ready to make a deal," Russ Granik said.'
    # The name inside the quotation stays; the speaker outside it changes.
    quote = said('Russ Granik said: "Russ Granik is not leaving."')
    assert swap_speaker(quote, speakers, random.Random(1)) == 'Billy Hunter said: "Russ Granik is not leaving."'
    # No other person quoted, or no quotation: no case.
    assert swap_speaker(quote, ["Russ Granik"], random.Random(1)) is None
    assert swap_speaker(said("Billy Hunter said the players are not ready."), speakers, random.Random(1)) is None


def test_antonyms_modality_compression_and_fusion():
    assert (
        flip_antonym(said("The mayor confirmed the plan today."), random.Random(0))
        == "The mayor denied the plan today."
    )
    assert change_modality(said("Putin will visit Pyongyang next week.")) == "Putin may visit Pyongyang next week."
    assert change_modality(said("Putin plans to visit Pyongyang.")) == "Putin will visit Pyongyang."
    original = "The mayor, who took office in May, opened the bridge, officials said."
    compressed = compress(said(original), random.Random(0))
    assert compressed is not None and compressed.count(",") == 2
    assert set(compressed.rstrip(".").split(", ")) < set(original.rstrip(".").split(", "))
    assert fuse(said("Floods hit Kars."), said("The mayor opened a shelter.")) == (
        "Floods hit Kars, and the mayor opened a shelter."
    )


CLUSTERS = [
    {
        "id": "floods",
        "documents": [
            {
                "title": "Floods",
                "text": "Floods killed 12 people in the province of Kars on Monday, officials said. "
                "The mayor confirmed that the old bridge will reopen next week. "
                "Rescue teams from Ankara reached the last village on Tuesday evening.",
            },
            {
                "title": "Kars",
                "text": "Governor Ali Kaya said the new hospital may open in June. "
                "Police arrested Maria Lopez in Kars after a two-day search. "
                "Schools in the province will stay closed until Friday, officials said.",
            },
        ],
        "summary": "Floods killed 12 people in Kars on Monday. Schools will stay closed until Friday.",
    },
    {
        "id": "election",
        "documents": [
            {
                "title": "Vote",
                "text": "Voters in Oslo elected Ingrid Berg as mayor on Sunday with 54 percent. "
                "Berg was not expected to win the race, analysts said. "
                "Her rival Lars Dahl conceded defeat late on Sunday night.",
            }
        ],
        "summary": "Ingrid Berg won the Oslo mayoral race on Sunday. Her rival Lars Dahl conceded.",
    },
]


def test_the_command_prints_a_row_per_kind(tmp_path, capsys):
    data = tmp_path / "clusters.jsonl"
    data.write_text("\n".join(json.dumps(c) for c in CLUSTERS) + "\n")
    assert main(["eval-attribution", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {r["kind"]: r for r in report["rows"]}
    assert report["clusters"] == 2
    assert {"extract", "reference", "number", "negation", "outside"} <= set(rows)
    assert rows["extract"]["share"] == 1.0 and rows["extract"]["citing_origins"] == 1.0
    assert rows["number"]["share"] == 1.0 and rows["negation"]["share"] == 1.0
    assert report["briefing_ms_median"] > 0


def test_the_ablation_leaves_out_each_check(tmp_path, capsys):
    data = tmp_path / "clusters.jsonl"
    data.write_text(json.dumps(CLUSTERS[0]) + "\n" + json.dumps(CLUSTERS[1]) + "\n")
    assert main(["eval-attribution", str(data), "--ablation", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    negation = {label: {r["kind"]: r["share"] for r in rows}.get("negation") for label, rows in table.items()}
    assert negation["all checks"] == 1.0
    assert negation["without negation"] < 1.0


def test_a_missing_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["eval-attribution", str(tmp_path / "nope.jsonl")]) == 2
    assert capsys.readouterr().err.startswith("newsbrief: error: ")
