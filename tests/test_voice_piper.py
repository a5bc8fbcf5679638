"""The Piper voice (the default): it speaks with the bundled CC0 voice, its sidecar names the voice, licence and
every prosody value, and each emotion moves pitch, rate and loudness the way Murray & Arnott found (FACTS §3) —
on both voice backends, measured with the studio's own pitch tracker on real synthesised speech."""

import json

import pytest
import soundfile
from speech_measure import folded_range_st, loudness_db, median_st, speech_span_s

from conditioning import resolve
from conditioning.errors import StudioError
from generators.registry import DEFAULT_BACKENDS
from generators.voice import espeak, piper
from studio.api import generate_voice

TEXT = "I never thought I would see you here again. The train leaves at nine tomorrow morning."


def test_piper_is_the_default_voice_and_its_sidecar_names_voice_licence_and_prosody(tmp_path):
    assert DEFAULT_BACKENDS["voice"] == "piper"
    art = generate_voice("furious", text="Get out of my house. Now!", out=tmp_path / "a.wav")
    record = art.provenance
    params = record["parameters"]
    assert record["backend"] == "piper" and params["voice"]["voice"] == "en_US-joe-medium"
    assert "CC0" in params["voice"]["licence"] and "GPL-3.0" in params["voice"]["engine_licence"]
    first = params["sentences"][0]
    assert first["piper"]["length_scale"] < 1.0  # anger is faster
    assert first["transform"]["pitch_shift_st"] > 2 and first["transform"]["contour"] == "abrupt"
    assert params["duration_s"] > 0.5 and art.path.stat().st_size > 20_000


def test_a_bad_piper_voice_file_is_one_clear_error(tmp_path):
    with pytest.raises(StudioError, match="onnx.json"):
        generate_voice(
            "calm", text="Hello.", backend="piper", model=str(tmp_path / "nope.onnx"), out=tmp_path / "b.wav"
        )
    with pytest.raises(StudioError, match="espeak"):
        generate_voice("calm", text="Bonjour.", backend="piper", language="fr", out=tmp_path / "c.wav")


def test_the_same_request_gives_the_same_bytes_whatever_was_spoken_before(tmp_path):
    def wav(name, emotion, text, seed):
        return generate_voice(emotion, text=text, seed=seed, out=tmp_path / f"{name}.wav").path.read_bytes()

    first = wav("first", "sad", "The train leaves at nine.", seed=3)
    wav("between", "furious", "Get out of my house. Now!", seed=11)  # moves any noise stream that runs across calls
    assert wav("again", "sad", "The train leaves at nine.", seed=3) == first
    assert wav("other_seed", "sad", "The train leaves at nine.", seed=4) != first
    raw = [piper.synthesize("The train leaves at nine.", resolve("sad"), seed=s, shaped=False)[0] for s in (3, 3, 4)]
    assert raw[0].tobytes() == raw[1].tobytes() != raw[2].tobytes()  # the seed reaches Piper's own noise


def speak(backend, emotion):
    if backend == "piper":
        x, sr, _ = piper.synthesize(TEXT, resolve(emotion))
    else:
        x, sr = espeak.synthesize(TEXT, resolve(emotion))
    return {
        "pitch": median_st(x, sr, speech_only=True),
        "rate": 1.0 / speech_span_s(x, sr),
        "loud": loudness_db(x, sr),
        "range": folded_range_st(x, sr),
    }


@pytest.mark.parametrize("backend", ["piper", "espeak"])
def test_each_emotion_moves_the_voice_as_murray_and_arnott_found(backend):
    m = {e: speak(backend, e) for e in ("neutral", "angry", "happy", "fearful", "sad", "disgusted")}
    n = m["neutral"]
    for high in ("angry", "happy", "fearful"):
        assert m[high]["pitch"] > n["pitch"] + 2.0, high
    assert m["angry"]["loud"] > n["loud"] + 2.0 and m["happy"]["loud"] > n["loud"] + 2.0
    assert m["fearful"]["rate"] > n["rate"] * 1.08 and m["fearful"]["rate"] > m["happy"]["rate"]
    assert m["sad"]["pitch"] < n["pitch"] - 0.3 and m["sad"]["rate"] < n["rate"] and m["sad"]["loud"] < n["loud"] - 1.5
    assert m["disgusted"]["pitch"] < n["pitch"] and m["disgusted"]["rate"] < n["rate"]
    assert m["angry"]["loud"] > m["fearful"]["loud"]  # the high-arousal emotions differ from each other too
    # eSpeak's range unit moves its F0 excursion little and sits at its maximum (99) for all three; with people's
    # spectral envelope (generators/voice/spectral_envelope.py) angry measures 4.6 st against neutral's 4.45, 4.8 without
    wider = 1.0 if backend == "piper" else 0.1
    for high in ("angry", "happy", "fearful"):
        assert m[high]["range"] > n["range"] + wider, high
    assert m["sad"]["range"] < n["range"]


def test_studio_edit_voice_reshapes_a_recording_and_says_what_changed(tmp_path, capsys):
    from studio.cli import main

    source = tmp_path / "in.wav"
    x, sr = espeak.synthesize(TEXT, resolve("neutral"))
    soundfile.write(source, x, sr)
    assert main(["edit", "voice", str(source), "-e", "furious", "--out", str(tmp_path / "out.wav")]) == 0
    y, sr_out = soundfile.read(tmp_path / "out.wav")
    assert sr_out == sr
    assert median_st(y, sr, speech_only=True) > median_st(x, sr, speech_only=True) + 2.0
    assert loudness_db(y, sr) > loudness_db(x, sr) + 2.0
    record = json.loads((tmp_path / "out.json").read_text())
    assert record["parameters"]["changes"]["pitch_shift_st"] > 2 and record["parameters"]["source"] == str(source)
    assert main(["edit", "voice", str(tmp_path / "missing.wav"), "-e", "sad", "--out", str(tmp_path / "x.wav")]) == 1
    assert "Cannot read the recording" in capsys.readouterr().err
