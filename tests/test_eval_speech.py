"""Speech recognizer on tones and amplitude bursts with known F0, rate and loudness."""

import numpy as np
import pytest
import soundfile

from conditioning import StudioError
from eval.recognizers import speech_features
from eval.recognizers.pitch import PITCH_SR, resample, yin

SR = 22050


def tone(f0=220.0, seconds=3.0, amp=0.3):
    t = np.arange(int(seconds * SR)) / SR
    return amp * (np.sin(2 * np.pi * f0 * t) + 0.3 * np.sin(4 * np.pi * f0 * t))


def bursts(rate_hz, seconds=3.0, amp=0.3):
    """A 220 Hz tone whose loudness swells `rate_hz` times a second (floor −20 dB: no pauses)."""
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 + 0.9 * (0.5 - 0.5 * np.cos(2 * np.pi * rate_hz * t))) * tone(seconds=seconds, amp=amp)


@pytest.mark.parametrize("f0", [110.0, 220.0, 330.0])
def test_yin_finds_the_pitch_of_a_tone(f0):
    track = yin(resample(tone(f0), SR, PITCH_SR), PITCH_SR, 80)
    assert np.nanmedian(track) == pytest.approx(f0, rel=0.03)


def test_220_hz_tone_reads_220_hz():
    rec = speech_features.recognize_signal(tone(220.0), SR)
    assert rec.attributes["f0_median_hz"] == pytest.approx(220.0, rel=0.03)
    assert rec.attributes["f0_mean_hz"] == pytest.approx(220.0, rel=0.03)
    assert rec.attributes["f0_range_st"] < 0.5


def test_six_bursts_a_second_read_faster_than_three():
    slow, fast = speech_features.recognize_signal(bursts(3), SR), speech_features.recognize_signal(bursts(6), SR)
    assert slow.attributes["rate_syl_per_s"] == pytest.approx(3.0, abs=0.5)
    assert fast.attributes["rate_syl_per_s"] == pytest.approx(6.0, abs=0.7)
    assert fast.vad[1] > slow.vad[1]


def test_louder_reads_louder_and_more_aroused():
    quiet, loud = (
        speech_features.recognize_signal(tone(amp=0.05), SR),
        speech_features.recognize_signal(tone(amp=0.5), SR),
    )
    assert loud.attributes["loudness_db"] == pytest.approx(quiet.attributes["loudness_db"] + 20, abs=0.5)
    assert loud.vad[1] > quiet.vad[1]


def test_higher_pitch_reads_more_aroused():
    low, high = speech_features.recognize_signal(tone(110), SR), speech_features.recognize_signal(tone(300), SR)
    assert high.vad[1] > low.vad[1]


def test_pauses_are_counted():
    signal = tone()
    signal[SR : int(1.5 * SR)] = 0
    rec = speech_features.recognize_signal(signal, SR)
    assert rec.attributes["pause_count"] == 1
    assert rec.attributes["pause_fraction"] == pytest.approx(0.5 / 3, abs=0.03)


def test_flatter_spectrum_has_higher_alpha_ratio():
    rng = np.random.default_rng(0)
    dull = tone()
    bright = dull + 0.05 * rng.standard_normal(len(dull))  # broadband energy above 1 kHz
    a = speech_features.recognize_signal(dull, SR).attributes
    b = speech_features.recognize_signal(bright, SR).attributes
    assert b["alpha_ratio_db"] > a["alpha_ratio_db"] and b["hammarberg_db"] < a["hammarberg_db"]


def test_per_second_vad_length_is_the_duration_and_files_read(tmp_path):
    path = tmp_path / "v.wav"
    soundfile.write(path, bursts(4, seconds=4.0), SR)
    rec = speech_features.recognize(path)
    assert len(rec.per_second) == 4 and rec.vad[2] == 0.0
    assert abs(sum(rec.categories.values()) - 1) < 1e-6


def test_broken_wav_is_a_studio_error(tmp_path):
    path = tmp_path / "bad.wav"
    path.write_bytes(b"RIFF\x00\x00")
    with pytest.raises(StudioError):
        speech_features.recognize(path)
