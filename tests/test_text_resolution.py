"""Free text: the lexical reader (no torch needed) and the full reader with the packaged encoder."""

import csv
from pathlib import Path

import pytest

from conditioning import StudioError, resolve
from conditioning.text_encoder import encoder_available

PHRASES = Path(__file__).parent / "data" / "quadrant_phrases.csv"
QUADRANT_FLOOR = 0.76
"""Measured 0.790 (98/124) since the encoder's LoRA learns EmoBank and GoEmotions together (0.831 with the EmoBank-only
LoRA, 0.815 before sentences handed over to the EmoBank head). The joint LoRA was chosen on people's dev sets
(GoEmotions dev Ekman 0.658 → 0.702, EmoBank dev r flat); the quadrants it lost are near-zero arousal readings."""
EKMAN_FLOOR = 0.65
"""Measured 0.683 (82/120) with the joint LoRA; 0.658 with the EmoBank-only one, 0.725 when VAD proximity named the
label (which scored 0.53 on GoEmotions dev, 4,946 comments people labelled)."""
needs_encoder = pytest.mark.skipif(not encoder_available(), reason="sentence encoder extra not installed")


def lexical(text):
    return resolve(text, use_encoder=False)


def test_negation_turns_happy_negative_and_calm_agitated():
    assert lexical("happy").valence > 0 > lexical("not at all happy").valence
    assert lexical("not calm").arousal > 0 > lexical("calm").arousal
    assert lexical("I'm not afraid").valence > 0


def test_intensifiers_and_softeners_move_intensity_and_extremity():
    slight, plain, utter = lexical("slightly annoyed"), lexical("annoyed"), lexical("utterly annoyed")
    assert slight.intensity < plain.intensity < utter.intensity
    assert abs(slight.valence) < abs(plain.valence) < abs(utter.valence)


def test_softener_must_touch_the_emotion_word():
    assert lexical("a barely held-back fear").intensity == lexical("fear").intensity


def test_mixture_keeps_the_secondary_emotion_as_a_minor_part():
    mix = dict(lexical("joy tinged with fear").categories)
    assert 0.05 < mix["fear"] < max(mix.values())
    assert lexical("joy tinged with fear").valence > 0


def test_contrast_weights_the_later_clause():
    assert lexical("happy but anxious").valence < lexical("anxious but happy").valence


def test_lexical_fallback_refuses_text_without_emotion_words():
    with pytest.raises(StudioError, match="No emotion words"):
        resolve("the train leaves at noon", use_encoder=False)


@needs_encoder
def test_encoder_reads_text_without_emotion_words():
    assert resolve("my heart is pounding and I can't breathe").arousal > 0
    assert resolve("we finally won the championship").valence > 0


@needs_encoder
def test_free_text_lands_in_the_right_quadrant_with_the_ekman_label_people_give():
    """Everyday phrases written before looking at the reader's answers (tests/data/quadrant_phrases.csv); the
    thresholds are the figures measured when the set was grown, less a small margin."""
    rows = list(csv.DictReader(PHRASES.open(encoding="utf-8")))
    assert len(rows) >= 120
    specs = {r["phrase"]: resolve(r["phrase"], taxonomy="ekman7") for r in rows}
    misses = [(r["phrase"], specs[r["phrase"]].quadrant) for r in rows if specs[r["phrase"]].quadrant != r["quadrant"]]
    labelled = [r for r in rows if r["ekman"]]
    wrong = [(r["phrase"], specs[r["phrase"]].label) for r in labelled if specs[r["phrase"]].label != r["ekman"]]
    assert 1 - len(misses) / len(rows) >= QUADRANT_FLOOR, misses
    assert 1 - len(wrong) / len(labelled) >= EKMAN_FLOOR, wrong


def test_an_unknown_single_word_is_refused_with_a_way_forward():
    with pytest.raises(StudioError, match="describe the feeling in a phrase"):
        resolve("zzzzqx")
