"""Open vocabulary: any English word or phrase gets a reading with a confidence; typos, non-words and text that is
not English are refused in one sentence with real near-misses."""

import json

import pytest

from conditioning import StudioError, resolve
from conditioning.lexicon import english_vocabulary, get_lexicon, is_english_word
from conditioning.spec import EmotionSpec
from conditioning.text_encoder import encoder_available
from conditioning.text_resolution import read_text
from studio.cli import main

needs_encoder = pytest.mark.skipif(not encoder_available(), reason="sentence encoder extra not installed")
needs_vocabulary = pytest.mark.skipif(not english_vocabulary()[0], reason="no packaged word list")


@pytest.mark.parametrize("use_encoder", [False, None])
def test_a_typo_is_refused_with_its_near_miss(use_encoder):
    with pytest.raises(StudioError, match="did you mean happy"):
        resolve("hapy", use_encoder=use_encoder)


def test_suggestions_are_spelling_neighbours_not_meaning_neighbours():
    lexicon = get_lexicon()
    assert lexicon.closest("sadnes")[0] == "sadness"
    assert lexicon.closest("fearr")[0] == "fear"
    assert not {"pride", "grief"} & set(lexicon.closest("eerie"))  # what the old reader suggested
    assert lexicon.closest("xqzt") == []


@needs_vocabulary
def test_real_words_are_told_from_typos_and_keyboard_mash():
    for word in ("eerie", "ominous", "festive", "sublime", "smug", "spooky", "heartbroken", "jubilant", "gloomy"):
        assert is_english_word(word), word
    for word in ("xqzt", "hapy", "sadnes", "qwerty", "asdf", "zzzzqx"):
        assert not is_english_word(word), word


@needs_encoder
def test_mood_words_outside_the_lexicon_get_a_reading():
    for word in ("eerie", "ominous", "spooky"):
        assert resolve(word).valence < 0, word
    for word in ("festive", "sublime"):
        assert resolve(word).valence > 0, word
    with pytest.raises(StudioError, match="Unknown emotion 'xqzt'"):
        resolve("xqzt")


@needs_encoder
def test_text_that_names_no_feeling_reads_near_neutral_with_low_confidence():
    flat = read_text("the train leaves at nine")
    assert flat.intensity < 0.3 and flat.confidence < 0.4
    assert read_text("I am furious with them").confidence > flat.confidence + 0.3


@needs_encoder
def test_initials_and_numbers_are_read_not_refused_but_symbols_are():
    """EmoBank's test split holds 'P.S.' and '$1,900!', each rated by people: they get a reading (all 1,000
    sentences answered); text with no letters or digits at all is still refused."""
    initials = read_text("P.S.")
    assert initials.confidence < 0.4 and initials.intensity < 0.4
    assert resolve("$1,900!").intensity > 0  # a reading, not an error
    for text in ("!!!", "#@%"):
        with pytest.raises(StudioError, match="The studio reads English text"):
            resolve(text)


def test_text_that_is_not_english_is_refused_in_one_sentence():
    for text in ("私はとても悲しいです", "أنا حزين جدا"):
        with pytest.raises(StudioError, match="The studio reads English text"):
            resolve(text)


def test_common_emoji_read_as_the_emotion_they_show():
    assert resolve("😡😡😡", use_encoder=False).categories[0][0] == "anger"
    assert resolve("😢", use_encoder=False).categories[0][0] == "sadness"
    assert resolve("😂", use_encoder=False).valence > 0


def test_a_hint_of_a_feeling_is_fainter_than_the_feeling():
    assert resolve("a hint of sadness", use_encoder=False).intensity < resolve("sad", use_encoder=False).intensity
    assert abs(resolve("a hint of sadness", use_encoder=False).valence) < abs(resolve("sad").valence)


def test_not_sad_at_all_is_not_sad():
    assert resolve("not sad at all", use_encoder=False).valence > -0.1
    assert resolve("not sad at all", use_encoder=False).categories[0][0] != "sadness"


def test_cli_json_states_the_confidence_and_the_spec_still_round_trips(capsys):
    assert main(["emotion", "awe", "very sad", "--json"]) == 0
    label, text = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines())
    assert label["confidence"] == 1.0
    assert 0 < text["confidence"] <= 1 and text["spec"]["confidence"] == text["confidence"]
    assert EmotionSpec.from_dict(text["spec"]).vad == tuple(text["vad"])
