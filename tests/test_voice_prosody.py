"""The prosody transform on real speech (eSpeak's neutral voice), measured with eval's recognizer code: each style
dimension moves the measured F0 median, F0 range, duration, loudness and voice quality in the requested direction
by the requested amount, within the tolerances stated in each test; blends land between their parts; arcs rise.

Tolerances: median F0 ±1 semitone of the requested shift; range ×1.5 widens the 10–90 % F0 range by ≥ ×1.3 (and
×0.6 narrows it to ≤ ×0.8); duration within ±0.05 of 1/rate; loudness ±0.5 dB."""

import dataclasses

import numpy as np
import pytest
from speech_measure import (
    alpha_ratio_db,
    band_flatness,
    jitter_st,
    loudness_db,
    median_st,
    modulation_st,
    range_st,
    sentences_of,
    speech_span_s,
)

from conditioning import resolve, resolve_arc
from conditioning.prosody_style import prosody_style
from generators.voice import espeak
from generators.voice.prosody_transform import NEUTRAL, TREMOR_HZ, transform

TEXT = "I never thought we would see the ocean again, after all those years away from home."
ARC_TEXT = "We walked down to the water. The tide was coming in fast. Then the whole pier gave way beneath us."
SR = espeak.SAMPLE_RATE


@pytest.fixture(scope="module")
def plain() -> np.ndarray:
    """About 4 s of eSpeak's neutral voice: real, speech-like input with voiced and unvoiced stretches."""
    params = espeak.espeak_parameters(NEUTRAL)
    rows = [{"espeak": params, "ssml": espeak.sentence_ssml(TEXT, params)}]
    return espeak.render(rows, "en").astype(np.float32) / 32768.0


def shaped(x, **changes):
    return transform(x, SR, dataclasses.replace(NEUTRAL, **changes), seed=1)


def test_neutral_style_returns_the_input_untouched(plain):
    assert np.array_equal(transform(plain, SR, NEUTRAL), plain)
    assert transform(plain[:0], SR, prosody_style(resolve("fury"))).shape == (0,)


@pytest.mark.parametrize("shift", [4.0, -4.0])
def test_pitch_shift_moves_the_median_f0_by_that_many_semitones(plain, shift):
    moved = median_st(shaped(plain, pitch_shift=shift), SR) - median_st(plain, SR)
    assert abs(moved - shift) <= 1.0


def test_pitch_range_scales_the_f0_excursion(plain):
    base = range_st(plain, SR)
    assert range_st(shaped(plain, pitch_range=1.5), SR) >= 1.3 * base
    assert range_st(shaped(plain, pitch_range=0.6), SR) <= 0.8 * base
    assert abs(median_st(shaped(plain, pitch_range=1.5), SR) - median_st(plain, SR)) <= 1.0


@pytest.mark.parametrize("rate", [1.25, 0.8])
def test_rate_changes_the_duration_and_keeps_the_pitch(plain, rate):
    out = shaped(plain, rate=rate)
    assert speech_span_s(out, SR) / speech_span_s(plain, SR) == pytest.approx(1 / rate, abs=0.05)
    assert abs(median_st(out, SR) - median_st(plain, SR)) <= 0.5


def test_loudness_gain_is_heard_and_the_limiter_keeps_it_under_full_scale(plain):
    assert loudness_db(shaped(plain, loudness_db=4.0), SR) - loudness_db(plain, SR) == pytest.approx(4.0, abs=0.5)
    loud = shaped(plain, loudness_db=24.0)
    assert np.abs(loud).max() < 1.0 and np.isfinite(loud).all()


def test_contour_raises_or_lowers_the_end_of_the_sentence(plain):
    def end(x):
        return median_st(x[-len(x) // 4 :], SR)

    rising, falling = shaped(plain, contour="rising"), shaped(plain, contour="falling")
    assert end(rising) - end(plain) >= 1.0 and end(plain) - end(falling) >= 1.0
    assert median_st(rising[: len(rising) // 2], SR) == pytest.approx(median_st(plain[: len(plain) // 2], SR), abs=0.5)


def test_tremor_adds_a_5_to_7_hz_f0_wobble(plain):
    assert modulation_st(shaped(plain, tremor=1.0), SR, TREMOR_HZ) >= modulation_st(plain, SR, TREMOR_HZ) + 0.3


def test_creaky_voice_adds_jitter(plain):
    assert jitter_st(shaped(plain, voice_quality="creaky"), SR) >= 1.5 * jitter_st(plain, SR)


def test_breathy_and_whispered_voices_add_noise_above_the_harmonics(plain):
    base = band_flatness(plain, SR)
    breathy = band_flatness(shaped(plain, voice_quality="breathy"), SR)
    assert breathy >= 1.5 * base
    assert band_flatness(shaped(plain, voice_quality="whisper"), SR) > breathy


def test_tense_voice_flattens_the_spectral_slope_and_resonant_steepens_it(plain):
    base = alpha_ratio_db(plain, SR)
    assert alpha_ratio_db(shaped(plain, voice_quality="tense"), SR) >= base + 2.0
    assert alpha_ratio_db(shaped(plain, voice_quality="resonant"), SR) <= base - 1.5


@pytest.mark.parametrize("emotion", ["furious", "sad", "fear"])
def test_an_emotion_moves_neutral_speech_by_its_style(plain, emotion):
    style = prosody_style(resolve(emotion))
    out = transform(plain, SR, style, seed=2)
    assert median_st(out, SR) - median_st(plain, SR) == pytest.approx(style.pitch_shift, abs=1.0)
    assert speech_span_s(out, SR) / speech_span_s(plain, SR) == pytest.approx(1 / style.rate, abs=0.05)


def test_a_blend_lands_between_its_two_emotions(plain):
    measured = {}
    for emotion in ("joy", "sadness", "joy*0.5 + sadness*0.5"):
        out = transform(plain, SR, prosody_style(resolve(emotion)), seed=3)
        measured[emotion] = (median_st(out, SR), speech_span_s(out, SR), loudness_db(out, SR))
    for i in range(3):
        low, high = sorted((measured["joy"][i], measured["sadness"][i]))
        assert low < measured["joy*0.5 + sadness*0.5"][i] < high


def test_an_arc_on_shaped_espeak_raises_the_last_sentence_above_the_first():
    samples, sr = espeak.synthesize(ARC_TEXT, resolve_arc("calm:0,furious:1"), shaped=True)
    parts = sentences_of(samples, sr)
    assert len(parts) == 3
    first, middle, last = (median_st(part, sr) for part in parts)
    assert last - first >= 3.0 and first < middle < last
