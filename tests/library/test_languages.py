"""Articles in other languages and scripts: kept, read with their own stop words and stemmer,
and briefed with citations through summarize() and the CLI (the service's test is in
tests/service/test_languages.py)."""

import json

import pytest
from helpers.fakes import FakeGenerator
from helpers.languages import ALPHABETIC, CLUSTERS, cluster_articles

from summarizer import Article, SummaryOptions, summarize
from summarizer.cli import main
from summarizer.resources import MIN_LANGUAGE_CONFIDENCE, detect_language, stemmer, stop_words
from summarizer.stages import clean, deduplicate, segment
from summarizer.stages.attribute import Dropped, attribute
from summarizer.stages.segment import document_languages, is_prose, make_sentence, split_sentences
from summarizer.stages.select import word_pairs
from summarizer.text import content_stems, names, numbers, words
from summarizer.types import CleanDocument


def source_sentences(language: str) -> set[str]:
    return {s.text for s in segment(clean(cluster_articles(language)))}


def assert_cited_briefing(briefing: dict, language: str) -> None:
    """Sentences that are the articles' own (the extractive engine), each citing listed sources."""
    assert briefing["engine"] == "extractive"
    assert briefing["sentences"], f"no sentences for {language}"
    n_sources = len(briefing["sources"])
    assert n_sources == len(CLUSTERS[language])
    originals = source_sentences(language)
    for sentence in briefing["sentences"]:
        assert sentence["text"] in originals
        assert sentence["citations"] and all(1 <= c <= n_sources for c in sentence["citations"])
    # Two or more outlets said something, and the briefing credits it to all of them.
    assert any(len(s["citations"]) >= 2 for s in briefing["sentences"])


@pytest.mark.parametrize("language", [*ALPHABETIC, "zh"])
def test_a_cluster_in_another_language_gets_a_cited_briefing(language):
    briefing = summarize(cluster_articles(language), SummaryOptions(engine="extractive", max_words=80))
    assert_cited_briefing(briefing.to_dict(), language)
    assert not [w for w in briefing.warnings if "English" in w]  # no model wrote it


@pytest.mark.parametrize("language", [*ALPHABETIC, "zh"])
def test_the_cli_briefs_a_folder_of_articles_in_another_language(language, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for i, (title, text) in enumerate(CLUSTERS[language], 1):
        (tmp_path / f"{i}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    assert main(["summarize", str(tmp_path), "--engine", "extractive", "--json"]) == 0
    assert_cited_briefing(json.loads(capsys.readouterr().out), language)


def test_a_french_sentence_with_zurich_is_kept_and_briefed():
    sentences = segment(clean(cluster_articles("fr")))
    zurich = [s for s in sentences if "Zürich" in s.text]
    assert [s.text for s in zurich] == [
        "Les délégués réunis à Zürich ont été évacués.",
        "Samedi soir, les délégués réunis à Zürich ont été évacués à cause d'une alerte à la bombe.",
        "La ville de Zürich a reporté la conférence internationale sur le climat au 14 octobre.",
    ]
    assert all("zürich" in s.stems and "zürich" in s.names for s in zurich)
    briefing = summarize(cluster_articles("fr"), SummaryOptions(engine="extractive", max_words=60))
    assert "Zürich" in briefing.text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Zürich a été évacuée à 22 h.", "fr"),
        ("Les délégués réunis à Zürich ont été évacués.", "fr"),
        ("Президент России Владимир Путин прибыл в Пхеньян.", "ru"),
        ("Η κυβέρνηση ανακοίνωσε νέα μέτρα για την ακρίβεια.", "el"),
        ("北京市今天遭遇今年以来最强降雨。", "zh"),
        ("وقال الوزير إن المحادثات ستستمر غدا.", "ar"),
        ("ในวันนี้ฝนตกหนักมากทั่วกรุงเทพ", "th"),
    ],
)
def test_prose_in_any_script_is_prose(text, language):
    assert is_prose(text, language)


def test_title_case_runs_are_still_not_prose_in_other_scripts():
    assert not is_prose("Владимир Путин, Ким Чен Ын.", "ru")
    assert not is_prose("Η Κυβέρνηση Ανακοινώνει Νέα Μέτρα", "el")
    assert not is_prose("He met a Kim.")  # one-letter English words are no sign of prose


def test_each_article_language_is_recorded_on_its_sentences():
    articles = cluster_articles("ru")[:1] + cluster_articles("el")[:1] + cluster_articles("de")[:1]
    sentences = segment(clean(articles))
    assert {s.article_index: s.language for s in sentences} == {0: "ru", 1: "el", 2: "de"}


def test_an_article_too_short_to_tell_takes_the_clusters_language():
    long_one = CleanDocument(0, "Прорыв дамбы в Орске", (CLUSTERS["ru"][0][1],))
    short_one = CleanDocument(1, "", ("Путин, Ким.",))
    assert detect_language("Путин, Ким.")[1] < MIN_LANGUAGE_CONFIDENCE  # too short to tell alone
    assert document_languages([long_one, short_one]) == ["ru", "ru"]
    # With nothing confident to go by, English, as before languages were told apart.
    assert document_languages([short_one]) == ["en"]


@pytest.mark.parametrize(("language", "sample"), [(lang, articles[0][1]) for lang, articles in CLUSTERS.items()])
def test_the_language_identifier_knows_the_test_clusters(language, sample):
    code, probability = detect_language(sample)
    assert (code, probability >= MIN_LANGUAGE_CONFIDENCE) == (language, True)


def test_stop_words_and_snowball_stems_per_language():
    assert {"les", "ont", "été"} <= stop_words("fr") and {"и", "в", "на"} <= stop_words("ru")
    assert stop_words("ja") == frozenset()  # NLTK has no Japanese list
    assert stemmer("ru").stem("эвакуировали") == "эвакуирова"
    assert stemmer("en").stem("evacuated") == "evacu"  # Porter, as before
    assert stemmer("el") is None  # NLTK has no Greek stemmer
    assert content_stems(words("Les délégués ont été évacués"), "fr") == ("délégu", "évacu")
    assert content_stems(words("Власти эвакуировали более 4 000 жителей"), "ru") == ("власт", "эвакуирова", "жител")
    assert content_stems(words("L'alerte à la bombe s'est révélée fausse"), "fr") == ("alert", "bomb", "rével", "fauss")
    # Greek stop words are listed without accents and with a plain σ; so are the words compared.
    assert content_stems(words("Οι αρχές εκκένωσαν δώδεκα οικισμούς και τα χωριά"), "el") == (
        "αρχεσ",
        "εκκενωσαν",
        "δωδεκα",
        "οικισμουσ",
        "χωρια",
    )


def test_words_names_and_numbers_in_other_scripts():
    assert words("Delegates met in Zürich.") == ["Delegates", "met", "in", "Zürich"]
    assert words("Дамбу на реке Урал прорвало.") == ["Дамбу", "на", "реке", "Урал", "прорвало"]
    assert words("北京降雨。") == ["北", "京", "降", "雨"]
    assert names(words("Дамбу на реке Урал прорвало"), "ru") == frozenset({"урал"})
    assert numbers(words("Власти эвакуировали более 4 000 жителей"), "ru") == frozenset({"4", "000"})
    # English number and month words are English: "ten" is Dutch for "at the".
    assert numbers(words("De brand ten noorden van de stad"), "nl") == frozenset()


def test_sentence_ends_of_other_scripts():
    assert split_sentences("Τι συνέβη; Η κυβέρνηση ανακοίνωσε νέα μέτρα. Ποιος φταίει\u037e Κανείς.", "el") == [
        "Τι συνέβη;",
        "Η κυβέρνηση ανακοίνωσε νέα μέτρα.",
        "Ποιος φταίει\u037e",
        "Κανείς.",
    ]
    # English keeps ';' inside a sentence.
    assert split_sentences("Rain fell; roads closed. Schools shut.") == ["Rain fell; roads closed.", "Schools shut."]
    assert split_sentences("北京遭遇暴雨。学校停课！地铁停运？") == ["北京遭遇暴雨。", "学校停课！", "地铁停运？"]
    # A quoted sentence inside a Japanese sentence does not end it.
    assert split_sentences("「本当か？」と彼は聞いた。雨は止んだ。", "ja") == [
        "「本当か？」と彼は聞いた。",
        "雨は止んだ。",
    ]
    assert split_sentences("यह पहला वाक्य है। यह दूसरा वाक्य है।", "hi") == ["यह पहला वाक्य है।", "यह दूसरा वाक्य है।"]


def test_dedup_merges_a_russian_fact_told_by_two_outlets():
    a = make_sentence(0, 1, "Власти эвакуировали более 4 000 жителей из затопленных районов.", "ru")
    b = make_sentence(1, 0, "Из затопленных районов Орска власти эвакуировали более 4 000 жителей.", "ru")
    other = make_sentence(1, 2, "Спасатели доставляют жителям питьевую воду и лекарства.", "ru")
    clusters = deduplicate([a, b, other])
    assert sorted(len(c.sentences) for c in clusters) == [1, 2]


def test_word_pairs_keep_non_ascii_words_whole():
    pairs = word_pairs(make_sentence(0, 0, "Les délégués réunis à Zürich", "fr"))
    assert pairs == {("le", "délégu"), ("délégu", "réun"), ("réun", "à"), ("à", "zürich")}


RUSSIAN_OUTPUT = (
    "Власти эвакуировали более 4 000 жителей из затопленных районов Орска. "
    "Власти эвакуировали более 9 000 жителей из затопленных районов Орска. "
    "The dam on the Ural river burst on Friday."
)


def test_model_sentences_in_russian_are_checked_against_russian_sources():
    clusters = deduplicate(segment(clean(cluster_articles("ru"))))
    sentences, dropped = attribute(RUSSIAN_OUTPUT, clusters)
    # The supported sentence cites both outlets; a wrong figure (contradicted: the sources give
    # another) and an English sentence (unsupported) are dropped.
    assert [(s.text, s.citations) for s in sentences] == [
        ("Власти эвакуировали более 4 000 жителей из затопленных районов Орска.", (1, 2))
    ]
    assert dropped == Dropped(unsupported=1, contradicted=1)


def test_an_english_model_on_other_languages_says_so():
    dam = "The dam on the Ural river burst on Friday evening and flooded parts of the city of Orsk."
    articles = cluster_articles("ru") + [Article(id="en", title="Dam bursts in Orsk", text=dam)]
    briefing = summarize(articles, SummaryOptions(engine="abstractive"), generator=FakeGenerator(RUSSIAN_OUTPUT))
    [warning] = [w for w in briefing.warnings if "English" in w]
    assert warning.startswith("3 of 4 articles are not in English (Russian), but the model fake/bart-like")
    assert "extractive engine" in warning
    multilingual = FakeGenerator(RUSSIAN_OUTPUT, name="google/mt5-small")
    briefing = summarize(cluster_articles("ru"), SummaryOptions(engine="abstractive"), generator=multilingual)
    assert not [w for w in briefing.warnings if "English" in w]
    english = summarize(
        [Article(id=str(i), title="t", text=t) for i, t in enumerate(ENGLISH)], generator=FakeGenerator(ENGLISH[0])
    )
    assert not [w for w in english.warnings if "English" in w]


ENGLISH = [
    "Floods killed 12 people in the northern province of Kars on Monday, officials said.",
    "On Monday, floods killed 12 people in Kars province, the governor told reporters.",
]
