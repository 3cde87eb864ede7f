import numpy as np

from summarizer.similarity import embed, embed_remembered


def test_paraphrases_score_above_unrelated_sentences():
    storm, paraphrase, unrelated = embed(
        [
            "The storm killed three people",
            "Officials said the hurricane left three dead",
            "The company reported record profits",
        ]
    )
    # Unit rows: their dot product is the cosine.
    assert float(storm @ paraphrase) > 0.3
    assert float(storm @ unrelated) < 0.1


def test_rows_are_unit_length_and_empty_input_gives_no_rows():
    vectors = embed(["Putin arrived in Pyongyang", "Kim met him at the airport"])
    assert vectors.shape == (2, 256)
    assert abs(float((vectors**2).sum(axis=1).max()) - 1.0) < 1e-4
    assert embed([]).shape == (0, 256)


def test_remembered_embeddings_are_the_embeddings_in_the_order_asked():
    texts = ["Putin arrived in Pyongyang", "Kim met him at the airport", "Putin arrived in Pyongyang"]
    remembered = embed_remembered(texts)
    np.testing.assert_allclose(remembered, embed(texts), atol=1e-6)
    assert not np.allclose(remembered[0], remembered[1])
    np.testing.assert_array_equal(embed_remembered(texts[1:]), remembered[1:])
    assert embed_remembered([]).shape == (0, 256)
