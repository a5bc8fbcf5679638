"""The eSpeak NG voice: valid WAVs, same request → same bytes, prosody that moves the measured F0, loudness and
duration the way Murray & Arnott say (FACTS §3), arcs across sentences, and clear refusals of bad input.
Real synthesis throughout; the measurements are small numpy helpers below."""

import dataclasses
import json

import numpy as np
import pytest
import soundfile
from speech_measure import sentences_of

from conditioning import StudioError, resolve, resolve_arc
from conditioning.prosody_style import prosody_style
from generators.request import GenerationRequest
from generators.voice import espeak
from studio import generate_voice

TEXT = "I never thought we would see the ocean again. The waves were enormous and the wind was cold."
ARC_TEXT = "We walked down to the water. The tide was coming in fast. Then the whole pier gave way beneath us."


def f0_track(x: np.ndarray, sr: int, fmin: float = 60.0, fmax: float = 400.0) -> np.ndarray:
    """YIN (cumulative-mean-normalised difference, threshold 0.15) on 46 ms frames; F0 of the voiced frames only."""
    w, tmax, tmin, hop = 512, int(sr / fmin), int(sr / fmax), 256
    if len(x) < w + tmax:
        return np.array([])
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), w + tmax)[::hop]
    energy = np.sqrt((frames[:, :w] ** 2).mean(axis=1))
    frames = frames[energy > 0.1 * energy.max()]
    n = 1 << int(np.ceil(np.log2(w + tmax)))
    cross = np.fft.irfft(np.conj(np.fft.rfft(frames[:, :w], n)) * np.fft.rfft(frames, n), n)[:, : tmax + 1]
    cum = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
    shifted = cum[:, w : w + tmax + 1] - cum[:, : tmax + 1]
    d = np.maximum(shifted[:, :1] + shifted - 2 * cross, 0.0)
    cmnd = d[:, 1:] * np.arange(1, tmax + 1) / np.maximum(np.cumsum(d[:, 1:], axis=1), 1e-12)
    f0 = []
    for row in cmnd:
        below = np.flatnonzero(row[tmin - 1 :] < 0.15)
        if len(below):
            lag = tmin - 1 + below[0]
            while lag + 1 < len(row) and row[lag + 1] < row[lag]:
                lag += 1
            f0.append(sr / (lag + 1))
    return np.array(f0)


def median_f0(x, sr) -> float:
    track = f0_track(x, sr)
    assert len(track) >= 10, "too few voiced frames to measure"
    return float(np.median(track))


def rms_db(x) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12))


def speak(emotion, text=TEXT):
    return espeak.synthesize(text, resolve(emotion) if isinstance(emotion, str) else emotion)


def test_writes_a_valid_wav_and_a_voice_sidecar(tmp_path):
    artifact = generate_voice(
        "joy", text="What a wonderful morning!", seed=3, backend="espeak", out=tmp_path / "joy.wav"
    )
    samples, sr = soundfile.read(artifact.path)
    info = soundfile.info(artifact.path)
    assert sr == 22050 and samples.ndim == 1 and len(samples) > sr // 2
    assert info.subtype == "PCM_16" and info.format == "WAV"
    record = json.loads(artifact.sidecar.read_text())
    assert record["modality"] == "voice" and record["backend"] == "espeak" and record["seed"] == 3
    assert record["model"].startswith("espeak-ng 1.") and record["parameters"]["language"] == "en"
    assert record["parameters"]["sentences"][0]["ssml"].startswith("<speak><prosody")
    assert record["styles"]["prosody"]["voice_quality"] == "bright"


def test_same_request_same_bytes(tmp_path):
    a = generate_voice("terror", text=TEXT, seed=1, backend="espeak", out=tmp_path / "a.wav")
    b = generate_voice("terror", text=TEXT, seed=1, backend="espeak", out=tmp_path / "b.wav")
    assert a.path.read_bytes() == b.path.read_bytes()
    params = espeak.espeak_parameters(dataclasses.replace(prosody_style(resolve("fear")), voice_quality="whisper"))
    whisper = [{"espeak": params, "ssml": espeak.sentence_ssml("Stay very still.", params)}]
    assert np.array_equal(espeak.render(whisper, "en", seed=2), espeak.render(whisper, "en", seed=2))


def test_furious_is_higher_and_faster_than_sad():
    furious, sr = speak("furious")
    sad, _ = speak("sad")
    assert median_f0(furious, sr) > 1.15 * median_f0(sad, sr)
    assert len(furious) < 0.8 * len(sad)


def test_intensity_is_heard_furious_over_slightly_annoyed():
    furious, sr = speak("furious")
    annoyed, _ = speak("slightly annoyed")
    assert median_f0(furious, sr) > 1.08 * median_f0(annoyed, sr)
    assert rms_db(furious) > rms_db(annoyed) + 2.0


def test_faster_rate_gives_shorter_speech():
    style = prosody_style(resolve("neutral"))

    def duration(rate):
        params = espeak.espeak_parameters(dataclasses.replace(style, rate=rate))
        return len(espeak.render([{"espeak": params, "ssml": espeak.sentence_ssml(TEXT, params)}], "en"))

    assert duration(1.4) < 0.85 * duration(1.0) < 0.85 * duration(0.7)


def test_arc_raises_the_last_sentence_above_the_first():
    samples, sr = espeak.synthesize(ARC_TEXT, resolve_arc("calm:0,furious:1"))
    parts = sentences_of(samples, sr)
    assert len(parts) == 3
    assert median_f0(parts[-1], sr) > 1.15 * median_f0(parts[0], sr)
    rows = espeak.plan(ARC_TEXT, resolve_arc("calm:0,furious:1"))
    assert [row["t"] for row in rows][0] == 0.0 and rows[-1]["t"] == 1.0


def test_contours_shape_the_end_of_the_sentence():
    rising = dataclasses.replace(prosody_style(resolve("neutral")), contour="rising", voice_quality="modal")
    falling = dataclasses.replace(rising, contour="falling")
    ends = []
    for style in (rising, falling):
        params = espeak.espeak_parameters(style)
        audio = espeak.render([{"espeak": params, "ssml": espeak.sentence_ssml(TEXT, params)}], "en")
        ends.append(median_f0(audio[-len(audio) // 4 :].astype(np.float32), espeak.SAMPLE_RATE))
    assert ends[0] > 1.2 * ends[1]


def test_user_text_is_escaped_not_parsed():
    text = 'Tom & Jerry said "<b>hi</b>" \x01 twice.'
    ssml = " ".join(row["ssml"] for row in espeak.plan(text, resolve("joy")))
    assert "&amp;" in ssml and "&lt;b&gt;" in ssml and "<b>" not in ssml and "\x01" not in ssml
    samples, _ = speak("joy", text=text)
    assert len(samples) > 0 and np.isfinite(samples).all()


@pytest.mark.parametrize(
    "text, options, match",
    [
        ("   \n ", {}, "text to speak is empty"),
        (TEXT, {"language": "xx"}, "'xx'.*'en'"),
        (TEXT, {"language": "en+whisper"}, "'en"),
        (TEXT, {"steps": 20}, "does not take --steps"),
    ],
)
def test_bad_input_is_one_clear_error_and_no_file(tmp_path, text, options, match):
    out = tmp_path / "out.wav"
    with pytest.raises(StudioError, match=match):
        generate_voice("calm", text=text, out=out, **{"backend": "espeak", **options})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["under-a-file", "proc", "suffix"])
def test_unwritable_output_is_one_clear_error_and_no_file(tmp_path, where):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    out = {"under-a-file": blocker / "x.wav", "proc": "/proc/x.wav", "suffix": tmp_path / "x.mp3"}[where]
    with pytest.raises(StudioError):
        espeak.generate(GenerationRequest(spec=resolve("calm"), out=out, text=TEXT))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
