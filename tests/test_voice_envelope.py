"""People's spectral envelope of each emotion (generators/voice/spectral_envelope.py, built by
finetune/voice_envelopes.py from RAVDESS): the measurement recovers a known change, the style asks for the deliveries
its emotion and intensity imply, the equaliser moves a real voice's band profile the way people's moved, the voices
say what they applied, and the studio speaks without the (non-commercial) table."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import soundfile

from conditioning import StudioError, resolve
from conditioning.artifact import read_artifact
from conditioning.prosody_style import ProsodyStyle, prosody_style
from eval.recognizers.speech_judge_features import clip_features, feature_names
from finetune import voice_envelopes
from generators.voice import espeak, piper, spectral_envelope
from generators.voice.voice_quality import tilt
from studio.api import generate_voice

TEXT = "I never thought I would see you here again."
MEL = [feature_names().index(f"mel{i}_mean") for i in range(spectral_envelope.N_BANDS)]


def band_profile(x, sr) -> np.ndarray:
    return clip_features(x, sr)[MEL].astype(np.float64)


def test_the_shipped_table_holds_every_emotion_at_both_intensities_under_its_licence():
    table = spectral_envelope.installed()
    assert table is not None
    for emotion in ("angry", "happy", "sad", "fearful", "disgust", "surprised"):
        assert {f"{emotion}/normal", f"{emotion}/strong"} <= set(table["rows"])
    assert "NC" in table["card"]["licence"] and "RAVDESS" in table["card"]["source"]
    centres = table["centres_hz"]
    assert 50 < centres[0] < centres[-1] < 8000
    high = centres > 1000  # effort: people's angry voices carry more energy at 1–5 kHz, strong more than normal
    assert table["rows"]["angry/strong"][high].mean() > table["rows"]["angry/normal"][high].mean() > 0


def test_the_measurement_recovers_each_actors_change_from_their_own_neutral():
    rng = np.random.default_rng(0)
    change = rng.normal(size=40)
    rows, bands = [], []
    for actor in (1, 2, 3):
        voice = rng.normal(scale=5, size=40)  # each actor's own timbre, which must cancel
        for emotion, intensity, delta in (("neutral", "normal", 0), ("angry", "normal", 1), ("angry", "strong", 2)):
            for _ in range(2):
                rows.append({"emotion": emotion, "intensity": intensity, "actor": str(actor)})
                bands.append(voice + delta * change)
    table = voice_envelopes.envelope_table(np.array(bands), rows)
    assert set(table) == {"angry/normal", "angry/strong"}
    assert np.allclose(table["angry/normal"], change) and np.allclose(table["angry/strong"], 2 * change)
    assert np.allclose(voice_envelopes.envelope_table(np.array(bands), rows, {"2"})["angry/normal"], change)
    with pytest.raises(StudioError, match="--data"):
        voice_envelopes.envelope_table(np.array(bands), rows, {"9"})
    with pytest.raises(StudioError, match="--actors"):
        voice_envelopes.parse_actors("one-eight")


def test_a_style_asks_for_the_deliveries_its_emotion_and_intensity_imply():
    def weights(text):
        return dict(prosody_style(resolve(text)).envelope)

    angry, furious = weights("angry"), weights("furious")
    assert max(angry, key=angry.get) == "angry/normal"
    assert furious["angry/strong"] > furious.get("angry/normal", 0)  # nearly overwhelming: the strong delivery
    assert sum(weights("a hint of sadness").values()) < 0.6 * sum(weights("sad").values())
    assert sum(weights("neutral").values()) < 0.01  # neutral is the voice itself
    style = prosody_style(resolve("terrified"))
    assert ProsodyStyle(**style.to_dict()) == style  # a sidecar's style reads back the same


def test_the_equaliser_moves_a_voice_the_way_peoples_voices_moved():
    x, sr, _ = piper.synthesize(TEXT, resolve("neutral"), shaped=False)
    table = spectral_envelope.installed()
    y = spectral_envelope.apply(x, sr, (("angry/strong", 1.0),))
    assert np.sqrt(np.mean(y**2)) == pytest.approx(np.sqrt(np.mean(np.square(x, dtype=np.float64))), rel=1e-6)
    moved = band_profile(y, sr) - band_profile(x, sr)
    above = table["centres_hz"] > spectral_envelope.FLOOR_HZ[1]
    wanted = table["rows"]["angry/strong"]
    assert np.corrcoef(moved[above], wanted[above])[0, 1] > 0.9
    below = table["centres_hz"] < spectral_envelope.FLOOR_HZ[0]  # the F0 region is the pitch shift's to move
    assert np.ptp(moved[below]) < 0.25 * np.ptp(wanted[below])
    assert spectral_envelope.apply(x, sr, ()) is x


@pytest.mark.parametrize("backend", ["piper", "espeak"])
def test_voices_name_the_envelopes_they_applied_and_speak_without_them(tmp_path, monkeypatch, backend):
    made = generate_voice("angry", text=TEXT, backend=backend, out=tmp_path / "with.wav")
    params = read_artifact(made.path).provenance["parameters"]
    assert params["spectral_envelope"]["installed"] and "NC" in params["spectral_envelope"]["licence"]
    if backend == "piper":
        assert "angry/normal" in params["sentences"][0]["transform"]["envelope"]
    monkeypatch.setattr(spectral_envelope, "ENVELOPES_PATH", tmp_path / "deleted.safetensors")
    bare = generate_voice("angry", text=TEXT, backend=backend, out=tmp_path / "without.wav")
    params = read_artifact(bare.path).provenance["parameters"]
    assert params["spectral_envelope"] == {"installed": False}
    with_envelope, _ = soundfile.read(made.path)
    without, _ = soundfile.read(bare.path)
    assert len(with_envelope) == len(without) and not np.allclose(with_envelope, without, atol=1e-3)


def test_a_malformed_table_is_one_sentence_naming_the_rebuild(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x80\x04not a table")
    with pytest.raises(StudioError, match="rebuild it with python -m finetune.voice_envelopes"):
        spectral_envelope.load_table(junk)
    from safetensors.numpy import save_file

    wrong = tmp_path / "wrong.safetensors"
    save_file({"curves": np.zeros((2, 7), np.float32), "centres_hz": np.arange(40, dtype=np.float32)}, str(wrong),
              metadata={"rows": '["angry/normal", "angry/strong"]'})  # fmt: skip
    with pytest.raises(StudioError, match="do not fit together"):
        spectral_envelope.load_table(wrong)


def test_the_table_is_built_from_a_ravdess_style_folder(tmp_path):
    """finetune.voice_envelopes end to end on a tiny folder laid out like RAVDESS, where 'angry' is the same voice
    with its band above 1 kHz raised 6 dB: the table says so."""
    sr, t = 16000, np.arange(16000) / 16000
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 30)) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    rows = []
    (tmp_path / "audio").mkdir()
    for actor in ("01", "02"):
        for emotion, intensity, db in (("neutral", "normal", 0.0), ("angry", "normal", 6.0), ("angry", "strong", 12.0)):
            for take in (1, 2):
                name = f"audio/{actor}-{emotion}-{intensity}-{take}.wav"
                x = tilt(voice * (0.1 + 0.01 * take), sr, db)
                soundfile.write(tmp_path / name, x / np.abs(x).max() * 0.5, sr)
                rows.append({"path": name, "emotion": emotion, "intensity": intensity, "statement": "01",
                             "repetition": str(take), "actor": actor, "sex": "M"})  # fmt: skip
    with open(tmp_path / "labels.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "envelopes.safetensors"
    args = ["--data", str(tmp_path), "--cache", str(tmp_path / "cache"), "--out", str(out), "--workers", "1"]
    assert voice_envelopes.main(args) == 0
    table = spectral_envelope.load_table(out)
    high = table["centres_hz"] > 1500
    low = table["centres_hz"] < 700
    for level, db in (("normal", 6.0), ("strong", 12.0)):
        lift_db = (
            (table["rows"][f"angry/{level}"][high].mean() - table["rows"][f"angry/{level}"][low].mean())
            * 10
            / np.log(10)
        )
        assert lift_db == pytest.approx(db, abs=2.0)  # fmt: skip
    assert "01–02 (2)" in table["card"]["source"]


def test_espeak_own_prosody_and_the_transform_both_apply_the_envelope(monkeypatch):
    weights = dict(prosody_style(resolve("furious")).envelope)
    shaped, sr = espeak.synthesize(TEXT, resolve("furious"), shaped=True)
    plain, _ = espeak.synthesize(TEXT, resolve("furious"))
    monkeypatch.setattr(spectral_envelope, "ENVELOPES_PATH", spectral_envelope.ENVELOPES_PATH.with_name("gone"))
    shaped_bare, _ = espeak.synthesize(TEXT, resolve("furious"), shaped=True)
    plain_bare, _ = espeak.synthesize(TEXT, resolve("furious"))
    assert weights and not np.allclose(shaped, shaped_bare, atol=1e-3) and not np.allclose(plain, plain_bare, atol=1e-3)
