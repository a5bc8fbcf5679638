"""The GoEmotions head names the category people would, and every taxonomy receives it."""

import numpy as np
import pytest

from conditioning.resolve import resolve
from conditioning.text_categories import HEAD_PATH, canonical_distribution, goemotion_probabilities
from conditioning.text_encoder import encoder_available

needs_head = pytest.mark.skipif(
    not (encoder_available() and HEAD_PATH.exists()), reason="sentence encoder or GoEmotions head not installed"
)


def test_a_tiny_head_gives_a_distribution_that_lands_in_the_canonical_taxonomy():
    rng = np.random.default_rng(0)
    weight, bias = rng.normal(size=(28, 384)).astype(np.float32), np.zeros(28, dtype=np.float32)
    probs = goemotion_probabilities(rng.normal(size=384), head=(weight, bias))
    assert probs.shape == (1, 28) and abs(probs.sum() - 1) < 1e-5


@needs_head
def test_the_learned_reading_is_a_partial_distribution_in_the_canonical_taxonomy():
    from conditioning.text_resolution import embed_one

    dist = canonical_distribution(goemotion_probabilities(embed_one("I am so grateful for your help"))[0])
    assert 0 < sum(p for _, p in dist) <= 1 + 1e-4


@needs_head
@pytest.mark.parametrize(
    ("text", "ekman"),
    [
        ("thank you so much, this made my day", "happiness"),
        ("this is disgusting, it makes me want to throw up", "disgust"),
    ],
)
def test_everyday_phrases_get_the_ekman_label_people_give(text, ekman):
    assert resolve(text, taxonomy="ekman7").label == ekman
