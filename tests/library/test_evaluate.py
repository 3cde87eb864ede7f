import json
import re

import pytest

from summarizer.cli import main
from summarizer.evaluation.metrics import (
    citation_stats,
    fragments,
    quotation_breaks,
    redundancy,
    rouge2_recall,
    rouge_f1,
    units_of,
)
from summarizer.evaluation.runner import aggregate

FLOODS = "Floods killed 12 people in the northern province of Kars on Monday."
FLOODS_AGAIN = "On Monday, 12 people were killed by floods in Kars province, officials said."
FUNDS = "The government promised new funds for rebuilding bridges."


def test_rouge_f1_against_one_reference():
    # unigrams: 5 of 6 shared ("the" twice in the prediction, once in the reference);
    # bigrams: "the cat", "cat sat", "sat on" of 5; longest common subsequence: 5 words.
    scores = rouge_f1("the cat sat on the mat", ["the cat sat on a mat"])
    assert scores == pytest.approx({"rouge1": 100 * 5 / 6, "rouge2": 60.0, "rougeL": 100 * 5 / 6})


def test_rouge_f1_averages_several_references():
    scores = rouge_f1("the cat sat on the mat", ["the cat sat on a mat", "dogs ran home"])
    assert scores == pytest.approx({"rouge1": 100 * 5 / 12, "rouge2": 30.0, "rougeL": 100 * 5 / 12})


def test_rouge_uses_porter_stemming():
    assert rouge_f1("cats running", ["cat runs"]) == pytest.approx({"rouge1": 100.0, "rouge2": 100.0, "rougeL": 100.0})


def test_rouge2_recall_counts_the_references_bigrams_found():
    # "the cat sat": both bigrams found; "a cat sat down": only "cat sat" of 3.
    assert rouge2_recall("the cat sat on the mat", ["the cat sat"]) == pytest.approx(100.0)
    assert rouge2_recall("the cat sat on the mat", ["the cat sat", "a cat sat down"]) == pytest.approx(
        (100 + 100 / 3) / 2
    )


def test_metrics_need_a_reference():
    with pytest.raises(ValueError):
        rouge_f1("text", [])


def test_redundancy_is_the_share_of_pairs_stating_one_fact():
    assert redundancy([FLOODS, FLOODS_AGAIN, FUNDS]) == pytest.approx(1 / 3)  # 1 of 3 pairs
    assert redundancy([FLOODS, FUNDS]) == 0.0
    assert redundancy([FLOODS]) == 0.0


def test_redundancy_sees_a_paraphrase_that_shares_few_words():
    # The seeds' two openers: too few words in common for the deduplication to merge them.
    visit = (
        "Russian president Vladimir Putin will visit North Korea on June 18-19 at the invitation of North Korean "
        "leader Kim Jong Un, according to the Kremlin's press service."
    )
    trip = (
        "Russian President Vladimir Putin is reportedly preparing for a visit to Pyongyang, marking a significant "
        "step in Russia's deepening relationship with North Korea."
    )
    assert redundancy([visit, trip]) == 1.0
    assert redundancy([visit, "Seoul has provided significant military aid to Ukraine."]) == 0.0


def test_fragments_counts_what_is_not_a_complete_sentence():
    assert fragments([FLOODS, FUNDS]) == 0
    assert fragments(["intended for its assault in Ukraine.", FLOODS]) == 1  # the rest of a broken sentence
    assert fragments(["Here is what the minister said about the floods:"]) == 1  # introduces what follows
    assert fragments(["Durst still faces a separate..."]) == 1  # a teaser cut short


def test_units_of_a_model_input_keep_quotations_and_mend_stray_stops():
    text = f'{FLOODS} "We lost everything. The water came at night," a farmer said. Aid was sent to Russia. by air.'
    assert units_of(text) == [
        FLOODS,
        '"We lost everything. The water came at night," a farmer said.',
        "Aid was sent to Russia by air.",
    ]


def test_units_of_keep_a_named_speakers_passage_whole():
    # Segmentation names the "he" of '"A," he said. "B."' and keeps the passage as one sentence;
    # cut again for the eval, "B" goes on in the named speaker's voice, no quotation break.
    passage = '"The road was closed for hours," Jones said. "Nobody told us why. We waited in the cold."'
    assert units_of(passage) == [passage]
    assert quotation_breaks(units_of(passage), [passage]) == 0
    # After plain narration, or at the start of another paragraph, a bare quotation has no voice.
    plain = f'{FLOODS} "Nobody told us why."'
    assert units_of(plain) == [FLOODS, '"Nobody told us why."']
    assert units_of('"The road was closed," Jones said.\n"Nobody told us why."')[1] == '"Nobody told us why."'
    assert quotation_breaks(units_of(plain), [plain]) == 1


SPEECH = (
    '"Pyongyang remains our staunch ally. The United States and its satellites declare their aim is to deliver '
    'a strategic defeat to Russia. They want to prolong the conflict," said Putin.'
)


def test_quotation_breaks_count_sentences_cut_from_a_quotation():
    middle = "The United States and its satellites declare their aim is to deliver a strategic defeat to Russia."
    assert quotation_breaks([middle], [SPEECH]) == 1  # inside the quotation, its marks and speaker lost
    assert quotation_breaks([SPEECH], [SPEECH]) == 0  # the whole passage with its attribution
    assert quotation_breaks([f'Putin said: "{middle}"'], [SPEECH]) == 0  # attributed explicitly
    assert quotation_breaks(['"We will never give up our land."'], []) == 1  # whose words?
    assert quotation_breaks(['"We will never give up," she said. "Our land is ours.'], []) == 1  # unclosed
    assert quotation_breaks([FLOODS], [SPEECH]) == 0
    # One source's own words, which another quotes: presented plainly, they are that source's statement.
    assert quotation_breaks([middle], [SPEECH, f"Putin wrote an article. {middle}"]) == 0


def test_redundancy_counts_two_figures_for_one_toll_as_a_repeat():
    # Deduplication never merges these (its evidence must not mix figures), but a briefing that
    # states the toll twice, once per figure, repeats itself.
    assert (
        redundancy(
            ["The floods in Kars province left 3 dead on Monday.", "The floods in Kars province left 5 dead on Monday."]
        )
        == 1.0
    )


def test_citation_stats():
    stats = citation_stats([(1, 3), (3,), ()], n_sources=4, dropped_unsupported=2)
    assert stats.citations_per_sentence == 1.0  # 3 citations, 3 sentences
    assert stats.sources_cited == 0.5  # sources 1 and 3 of 4
    assert stats.uncited_sentences == 1
    assert stats.dropped_unsupported == 2


def write_jsonl(path, rows):
    path.write_text(
        "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows) + "\n", encoding="utf-8"
    )
    return str(path)


THREE_CLUSTERS = [
    # A one-sentence article summarised by itself: every ROUGE figure is 100.
    {"id": "exact", "documents": [{"title": "", "text": FLOODS}], "summary": FLOODS},
    # `articles` and `references`: the same briefing against a matching and an unrelated reference.
    {
        "id": "two-refs",
        "articles": [{"text": FUNDS}],
        "references": [FUNDS, "Zebras graze quietly near rivers at dawn."],
    },
    # A boilerplate document is left out, so one source, cited.
    {
        "id": "boilerplate",
        "documents": [
            {"text": FLOODS, "boilerplate": False},
            {"text": "Tickets for the spring concert series go on sale online next week.", "boilerplate": True},
        ],
        "summary": FLOODS,
    },
]


def test_eval_command_json_rows(tmp_path, capsys):
    path = write_jsonl(tmp_path / "three.jsonl", THREE_CLUSTERS)
    assert (
        main(
            [
                "eval",
                path,
                "--engine",
                "extractive",
                "--max-words",
                "40",
                "--tokenizer",
                str(tmp_path / "none"),
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    rows = {row["id"]: row for row in report["clusters"]}
    assert list(rows) == ["exact", "two-refs", "boilerplate"]
    assert report["engines"] == {"extractive": 3}
    assert report["token_counters"] == ["approximate"]  # a folder without a tokenizer
    assert report["options"]["max_words"] == 40 and report["options"]["budget_tokens"] == 1024
    for row in rows.values():
        assert row["sentences"] == 1
        assert row["redundancy"] == 0.0
        assert row["citations_per_sentence"] == 1.0
        assert row["sources_cited"] == 1.0
        assert row["dropped_unsupported"] == 0
    assert [rows["exact"][k] for k in ("rouge1", "rouge2", "rougeL", "input_coverage")] == pytest.approx([100.0] * 4)
    assert [rows["two-refs"][k] for k in ("rouge1", "rouge2", "rougeL", "input_coverage")] == pytest.approx([50.0] * 4)
    assert rows["boilerplate"]["rouge2"] == pytest.approx(100.0)
    assert report["summary"]["rouge1"] == pytest.approx(250 / 3)
    assert report["summary"]["dropped_unsupported"] == 0


def test_eval_counts_tokens_with_the_tokenizer_it_is_given(tmp_path, capsys, tiny_model):
    path = write_jsonl(tmp_path / "one.jsonl", THREE_CLUSTERS[:1])
    assert main(["eval", path, "--engine", "extractive", "--tokenizer", tiny_model, "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["options"]["tokenizer"] == tiny_model
    assert report["token_counters"] == [tiny_model]
    assert "counted approximately" not in captured.err


def test_eval_warns_when_it_counts_approximately(tmp_path, capsys):
    # A tokenizer folder with no tokenizer in it, as a model with none in the local cache.
    path = write_jsonl(tmp_path / "one.jsonl", THREE_CLUSTERS[:1])
    assert main(["eval", path, "--engine", "extractive", "--tokenizer", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["token_counters"] == ["approximate"]
    assert "input tokens were counted approximately" in captured.err and "--tokenizer DIR" in captured.err


def test_eval_command_prints_one_table(tmp_path, capsys):
    path = write_jsonl(tmp_path / "three.jsonl", THREE_CLUSTERS)
    assert main(["eval", path, "--engine", "extractive", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 clusters" in out
    rows = [
        line.rsplit("  ", 1) for line in out.splitlines() if line.startswith(("ROUGE", "input coverage", "redundancy"))
    ]
    table = {label.strip(): value.strip() for label, value in rows}
    assert float(table["ROUGE-1 F1"]) == pytest.approx(75.0, abs=0.005)  # (100 + 50) / 2
    assert float(table["input coverage: ROUGE-2 recall of the model input"]) == pytest.approx(75.0, abs=0.005)
    assert table["redundancy: share of sentence pairs stating the same fact"] == "0.00%"
    assert re.search(r"^briefing sentences that are fragments \(total\) +0$", out, re.M)
    assert re.search(r"^model input sentences cut from a quotation, speaker lost \(total\) +0$", out, re.M)


def test_eval_command_reports_a_bad_line_and_exits_2(tmp_path, capsys):
    # Unlike a batch run, which records a bad line and goes on, evaluation needs every cluster.
    path = write_jsonl(tmp_path / "bad.jsonl", [THREE_CLUSTERS[0], "[1, 2]"])
    assert main(["eval", path, "--engine", "extractive"]) == 2
    assert capsys.readouterr().err == (
        f'newsbrief: error: {path} line 2: a cluster must be a JSON object with an "articles" list\n'
    )
    missing = tmp_path / "missing.jsonl"
    assert main(["eval", str(missing)]) == 2
    assert capsys.readouterr().err == f"newsbrief: error: {missing}: cannot read (No such file or directory)\n"


def test_aggregate_means_and_totals():
    from summarizer.evaluation.runner import ClusterResult

    def row(rouge2, dropped, key_facts=None):
        return ClusterResult(
            id="x",
            engine="extractive",
            rouge1=0,
            rouge2=rouge2,
            rougeL=0,
            input_coverage=0,
            input_tokens=10,
            redundancy=0,
            sentences=1,
            words=5,
            citations_per_sentence=1,
            sources_cited=1,
            uncited_sentences=0,
            dropped_unsupported=dropped,
            seconds=0.5,
            fragments=dropped,
            input_fragments=0,
            quotation_breaks=1,
            input_quotation_breaks=0,
            quoted_sentences=0.5,
            back_reference_openings=0.0,
            key_facts=key_facts,
        )

    summary = aggregate([row(10.0, 1, key_facts=50.0), row(20.0, 2)])
    assert summary["rouge2"] == 15.0
    assert summary["key_facts"] == 50.0  # the mean over the clusters that have key facts
    assert "key_facts_top" not in summary  # none has it
    assert summary["dropped_unsupported"] == 3
    assert summary["input_tokens"] == 10
    assert summary["fragments"] == 3  # a total, as every check's count is
    assert summary["quotation_breaks"] == 2


def test_shipped_code_names_no_folder_beside_the_checkout():
    # The eval data and model shapes live beside a development checkout, not beside an install.
    from helpers.paths import ROOT

    offenders = [
        str(path.relative_to(ROOT))
        for package in ("summarizer", "service")
        for path in (ROOT / package).rglob("*.py")
        if "../shared" in path.read_text() or '"shared"' in path.read_text()
    ]
    assert offenders == []


def test_a_key_fact_is_carried_when_every_group_has_an_alternative_in_the_text():
    from summarizer.evaluation.keyfacts import KeyFact, key_fact_recall

    visit = KeyFact("Putin visits North Korea", (("putin",), ("north korea", "pyongyang")), 1)
    first = KeyFact("first visit in 24 years", (("24 years", "since 2000"),), 2)
    vietnam = KeyFact("Vietnam next", (("vietnam",),), 4)
    text = "Putin flew to Pyongyang, his first trip there since 2000."
    assert visit.carried_by(text) and first.carried_by(text) and not vietnam.carried_by(text)
    assert not visit.carried_by("Putin flew to Hanoi.")  # one group is not enough
    recall = key_fact_recall([visit, first, vietnam], text)
    assert recall.all == pytest.approx(200 / 3)
    assert recall.top == 100.0  # ranks 1 to 3 only: visit and first, both carried
    assert key_fact_recall([visit, vietnam], "Putin in Vietnam").top == 0.0


def test_quotation_and_back_reference_measures():
    from summarizer.evaluation.metrics import opens_with_back_reference, share
    from summarizer.stages.segment import is_quoted

    texts = [
        "Floods killed 12 people in Kars on Monday.",
        '"We lost everything," said Ayse Demir, a farmer.',
        "He said the dam had held.",
        '"This is a tragedy," the governor said.',
        "Theresa May said the talks would go on.",  # "The" and "These" are not "Theresa"
    ]
    assert share(texts, is_quoted) == pytest.approx(2 / 5)
    assert [opens_with_back_reference(t) for t in texts] == [False, False, True, True, False]
    assert share([], is_quoted) == 0.0


def test_eval_reports_key_facts_of_the_clusters_the_file_covers(tmp_path, capsys):
    path = write_jsonl(tmp_path / "three.jsonl", THREE_CLUSTERS)
    facts = write_jsonl(
        tmp_path / "facts.jsonl",
        [
            # The first cluster (line 0): its briefing is FLOODS itself.
            {
                "cluster_index": 0,
                "facts": [
                    {"fact": "12 dead", "any_of": [["12"], ["killed", "dead"]], "rank": 1},
                    {"fact": "a zebra", "any_of": [["zebra"]], "rank": 2},
                ],
            },
        ],
    )
    args = ["eval", path, "--engine", "extractive", "--tokenizer", str(tmp_path / "none"), "--json"]
    assert main([*args, "--keyfacts", facts]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {row["id"]: row for row in report["clusters"]}
    assert rows["exact"]["key_facts"] == pytest.approx(50.0) and rows["exact"]["input_key_facts"] == pytest.approx(50.0)
    assert rows["two-refs"]["key_facts"] is None
    assert report["summary"]["key_facts"] == pytest.approx(50.0)
    assert main([*args, "--keyfacts", str(tmp_path / "nofile.jsonl")]) == 2
    assert "nofile.jsonl" in capsys.readouterr().err
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"cluster_index": 0, "facts": [{"fact": "x", "any_of": [], "rank": 1}]}])
    assert main([*args, "--keyfacts", bad]) == 2
    assert "any_of must be a non-empty list" in capsys.readouterr().err
