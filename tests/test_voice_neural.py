"""The neural voice backend with a tiny VITS built from a config (tests/tiny_vits.py; no downloads): it generates a
valid WAV and sidecar through the API and the CLI, reproducibly; VITS's native rate control re-times the speech;
an arc is followed sentence by sentence; Bark/Dia cues come from the spec; missing weights are one clear error.
(The prosody transform it applies is measured on real speech in test_voice_prosody.py.)"""

import json

import numpy as np
import pytest
import soundfile
from tiny_vits import SAMPLING_RATE, save_tiny_vits

from conditioning import StudioError, resolve, resolve_arc
from conditioning.prosody_style import prosody_style
from generators.voice import neural
from generators.voice.neural_controls import cue_text, native_controls, residual_style
from studio import generate_voice
from studio.cli import main

TEXT = "I never thought we would see the ocean again. The waves were enormous and the wind was cold."
ARC_TEXT = "We walked down to the water. The tide was coming in fast. Then the whole pier gave way beneath us."


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(save_tiny_vits(tmp_path_factory.mktemp("tiny-vits")))


def test_tiny_vits_speaks_a_valid_wav_with_a_voice_sidecar(tiny, tmp_path):
    artifact = generate_voice("joy", text=TEXT, backend="neural", model=tiny, seed=3, out=tmp_path / "joy.wav")
    samples, sr = soundfile.read(artifact.path)
    assert sr == SAMPLING_RATE and samples.ndim == 1 and len(samples) > sr // 2
    assert np.isfinite(samples).all() and np.abs(samples).max() > 0.01
    assert soundfile.info(artifact.path).subtype == "PCM_16"
    record = json.loads(artifact.sidecar.read_text())
    assert record["backend"] == "neural" and record["model"] == tiny and record["seed"] == 3
    params = record["parameters"]
    assert params["model_type"] == "vits" and params["device"] == "cpu" and params["prosody_transform"] is True
    assert "joy" in params["description"] or "happy" in params["description"]
    first = params["sentences"][0]
    assert len(params["sentences"]) == 2 and first["native"]["speaking_rate"] == record["styles"]["prosody"]["rate"]
    assert first["transform"]["rate"] == 1.0  # VITS re-times natively; the transform must not do it twice


def test_cli_generates_neural_voice(tiny, tmp_path, capsys):
    out = tmp_path / "cli.wav"
    argv = ["generate", "voice", "--backend", "neural", "--model", tiny, "--text", "Hello there."]
    assert main([*argv, "--emotion", "a bittersweet, nostalgic calm", "--seed", "7", "--out", str(out)]) == 0
    assert out.exists() and out.with_suffix(".json").exists() and str(out) in capsys.readouterr().out


def test_same_request_same_bytes(tiny, tmp_path):
    a = generate_voice("fear", text=TEXT, backend="neural", model=tiny, seed=5, out=tmp_path / "a.wav")
    b = generate_voice("fear", text=TEXT, backend="neural", model=tiny, seed=5, out=tmp_path / "b.wav")
    assert a.path.read_bytes() == b.path.read_bytes()


def test_vits_native_rate_makes_furious_speech_shorter_than_sad(tiny):
    def length(emotion):
        samples, rate, _ = neural.synthesize(TEXT, resolve(emotion), tiny, seed=1, shaped=False)
        return len(samples) / rate

    assert length("furious") < 0.85 * length("sad")


def test_an_arc_gives_each_sentence_its_moment(tiny):
    samples, rate, rows = neural.synthesize(ARC_TEXT, resolve_arc("calm:0,furious:1"), tiny, seed=2)
    assert [row["t"] for row in rows] == [0.0, 0.5, 1.0]  # sentence starts at characters 0, 29, 58
    shifts = [row["transform"]["pitch_shift_st"] for row in rows]
    assert shifts[0] < shifts[1] < shifts[2] and shifts[2] - shifts[0] > 4
    assert len(samples) / rate > 1.0 and np.isfinite(samples).all()


def test_bark_and_dia_get_non_verbal_cues_chosen_from_the_spec():
    laugh, cue = cue_text("bark", "What a day!", resolve("amused"), None)
    assert laugh == "What a day! [laughs]" and cue == "[laughs]"
    assert cue_text("bark", "Again!", resolve("amused"), "[laughs]")[0] == "Again!"  # not every sentence
    assert cue_text("dia", "It is over.", resolve("despair"), None)[0] == "(sighs) It is over."
    assert cue_text("bark", "All is well.", resolve("content"), None)[0] == "All is well."  # no laugh when calm
    assert cue_text("vits", "What a day!", resolve("amused"), None)[0] == "What a day!"


def test_native_controls_per_model_type(tiny):
    """Real tiny models: VITS's noise scale follows arousal; SpeechT5 gets a speaker embedding it can speak with."""
    import torch
    from transformers import SpeechT5Config, SpeechT5ForTextToSpeech, VitsModel

    calm, furious = resolve("calm"), resolve("furious")
    vits = VitsModel.from_pretrained(tiny)
    low = native_controls(vits, calm, prosody_style(calm))
    high = native_controls(vits, furious, prosody_style(furious))
    assert high["attributes"]["noise_scale"] > low["attributes"]["noise_scale"] >= vits.config.noise_scale
    assert residual_style(prosody_style(furious), high).rate == 1.0
    torch.manual_seed(0)
    config = SpeechT5Config(
        vocab_size=12,
        hidden_size=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=16,
        decoder_ffn_dim=16,
        num_mel_bins=8,
        speech_decoder_prenet_units=16,
        speech_decoder_postnet_units=16,
        speech_decoder_postnet_layers=1,
        speaker_embedding_dim=24,
    )
    t5 = SpeechT5ForTextToSpeech(config).eval()
    embedding = native_controls(t5, calm, prosody_style(calm))["forward_params"]["speaker_embeddings"]
    assert tuple(embedding.shape) == (1, 24)
    with torch.no_grad():
        mel = t5.generate_speech(torch.tensor([[1, 4, 7, 2]]), speaker_embeddings=embedding, maxlenratio=2.0)
    assert mel.ndim == 2 and mel.shape[1] == 8 and torch.isfinite(mel).all()


@pytest.mark.parametrize(
    "model, match",
    [
        (None, "needs --model"),
        ("facebook/mms-tts-eng", "hf download facebook/mms-tts-eng"),
        ("no/such/folder", "does not exist"),
    ],
)
def test_missing_weights_are_one_clear_error_and_no_file(tmp_path, model, match):
    out = tmp_path / "out.wav"
    options = {} if model is None else {"model": model}
    with pytest.raises(StudioError, match=match):
        generate_voice("calm", text=TEXT, backend="neural", out=out, **options)
    assert not out.exists()


def test_pickle_only_folder_is_refused(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "vits"}')
    (folder / "pytorch_model.bin").write_bytes(b"\x80")
    with pytest.raises(StudioError, match="pickle"):
        generate_voice("calm", text=TEXT, backend="neural", model=str(folder), out=tmp_path / "x.wav")


def test_espeak_takes_the_prosody_transform_as_an_option(tmp_path):
    artifact = generate_voice(
        "furious", text=TEXT, backend="espeak", prosody_transform=True, out=tmp_path / "shaped.wav"
    )
    record = json.loads(artifact.sidecar.read_text())
    assert record["backend"] == "espeak" and record["parameters"]["prosody_transform"][0]["tilt_db"] > 0
    assert record["parameters"]["sentences"][0]["espeak"]["pitch"] == 50  # eSpeak spoke neutrally


@pytest.mark.parametrize(
    "text, options, match",
    [
        ("   ", {}, "text to speak is empty"),
        ("Hello. 123.", {}, "could not speak '123.'"),
        (TEXT, {"steps": 20}, "does not take --steps"),
        (TEXT, {"dtype": "int8"}, "Dtype 'int8' is unknown"),
    ],
)
def test_bad_input_is_one_clear_error_and_no_file(tiny, tmp_path, text, options, match):
    out = tmp_path / "out.wav"
    with pytest.raises(StudioError, match=match):
        generate_voice("calm", text=text, backend="neural", model=tiny, out=out, **options)
    assert list(tmp_path.iterdir()) == []
