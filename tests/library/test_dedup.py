from summarizer.stages.dedup import deduplicate
from summarizer.stages.segment import make_sentence


def test_same_fact_in_different_words_is_one_cluster_citing_both_articles():
    a = make_sentence(0, 0, "Floods killed 12 people in the northern province of Kars on Monday.")
    b = make_sentence(1, 3, "On Monday, 12 people were killed by floods in Kars province, officials said.")
    other = make_sentence(1, 4, "The government promised new funds for rebuilding bridges.")
    clusters = deduplicate([a, b, other])
    assert len(clusters) == 2
    merged = next(c for c in clusters if len(c.sentences) == 2)
    assert merged.articles == (0, 1)
    assert {s.text for s in merged.sentences} == {a.text, b.text}


def test_disagreeing_numbers_are_never_merged():
    three = make_sentence(0, 0, "The floods in Kars province left 3 dead on Monday.")
    five = make_sentence(1, 0, "The floods in Kars province left 5 dead on Monday.")
    clusters = deduplicate([three, five])
    assert len(clusters) == 2


def test_no_chain_joins_disagreeing_numbers_through_a_number_free_sentence():
    three = make_sentence(0, 0, "The floods in Kars province left 3 dead on Monday.")
    vague = make_sentence(1, 0, "The floods in Kars province left many dead on Monday.")
    five = make_sentence(2, 0, "The floods in Kars province left 5 dead on Monday.")
    clusters = deduplicate([three, vague, five])
    for cluster in clusters:
        found = {n for s in cluster.sentences for n in s.numbers} & {"3", "5"}
        assert len(found) <= 1
    assert sum(len(c.sentences) for c in clusters) == 3


def test_sentences_of_the_same_article_are_not_merged_with_each_other():
    first = make_sentence(0, 0, "Floods killed 12 people in Kars on Monday.")
    again = make_sentence(0, 5, "Floods killed 12 people in Kars on Monday, again.")
    assert len(deduplicate([first, again])) == 2


def test_representative_is_the_medoid():
    s1 = make_sentence(0, 0, "Putin will visit North Korea on Tuesday for talks with Kim Jong Un.")
    s2 = make_sentence(1, 0, "Putin will visit North Korea on Tuesday for talks with Kim.")
    s3 = make_sentence(2, 0, "Putin will visit North Korea on Tuesday, the Kremlin said.")
    [cluster] = deduplicate([s1, s2, s3])
    assert cluster.representative == s2
