from summarizer.similarity import cosine_matrix, embed, paraphrase_similarity


def test_paraphrases_score_above_unrelated_sentences():
    storm = "The storm killed three people"
    paraphrase = paraphrase_similarity(storm, "Officials said the hurricane left three dead")
    unrelated = paraphrase_similarity(storm, "The company reported record profits")
    assert paraphrase > 0.3
    assert unrelated < 0.1


def test_rows_are_unit_length_and_empty_input_gives_no_rows():
    vectors = embed(["Putin arrived in Pyongyang", "Kim met him at the airport"])
    assert vectors.shape == (2, 256)
    assert abs(float((vectors**2).sum(axis=1).max()) - 1.0) < 1e-4
    assert embed([]).shape == (0, 256)
    assert cosine_matrix(["a b"], ["c", "d"]).shape == (1, 2)
