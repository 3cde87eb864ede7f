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
    assert names(words("Putin met Kim Jong Un in Pyongyang")) == frozenset({"kim", "jong", "un", "pyongyang"})


def test_fragments_and_title_case_runs_are_not_sentences():
    from summarizer.stages.segment import is_prose

    assert not is_prose("Jung Un, Kim Jong-il.")
    assert not is_prose("Putin To Make His First Trip To North Korea In 24 Years")
    assert not is_prose("He said so.")
    assert is_prose("Putin met Kim Jong Il in 2000.")
