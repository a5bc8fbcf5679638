"""The Coqui XTTS backend: its pure parts (reference clips per emotion, the style left after cloning a clip) run
everywhere; the API contract runs only where coqui-tts imports, which needs torchaudio — none builds for torch 2.13."""

import dataclasses
import importlib.util
import inspect

import numpy as np
import pytest
import soundfile

from conditioning import StudioError, resolve
from conditioning.prosody_style import prosody_style
from generators.voice import xtts
from generators.voice.prosody_transform import effects, is_identity
from studio import generate_voice

HAS_TTS = importlib.util.find_spec("TTS") is not None
NO_TTS = "coqui-tts needs torchaudio, which has no build for torch 2.13 here"


def clips(folder, names):
    folder.mkdir(exist_ok=True)
    for name in names:
        soundfile.write(str(folder / f"{name}.wav"), np.zeros(1600, dtype=np.float32), 16000)
    return folder


def test_each_sentence_clones_the_clip_of_its_leading_emotion(tmp_path):
    found = xtts.reference_clips(clips(tmp_path / "refs", ["neutral", "angry", "happy", "sad"]))
    assert sorted(found) == ["anger", "happiness", "neutral", "sadness"]
    assert xtts.choose_reference(resolve("furious"), found) == "anger"
    assert xtts.choose_reference(resolve("despair"), found) == "sadness"
    assert xtts.choose_reference(resolve("fearful"), found) == "neutral"  # no fearful.wav: the neutral clip


@pytest.mark.parametrize("names, match", [([], "neutral.wav"), (["angry"], "found: angry")])
def test_references_without_a_neutral_clip_are_one_clear_error(tmp_path, names, match):
    with pytest.raises(StudioError, match=match):
        xtts.reference_clips(clips(tmp_path / "refs", names))


def test_relative_style_leaves_only_what_the_clip_does_not_carry():
    anger = xtts.reference_style("anger")
    assert is_identity(effects(xtts.relative_style(anger, anger)))
    furious = prosody_style(resolve("furious"))
    rest = xtts.relative_style(furious, anger)
    assert rest.pitch_shift == pytest.approx(furious.pitch_shift - anger.pitch_shift)
    assert rest.rate == pytest.approx(furious.rate / anger.rate)
    plain = xtts.relative_style(dataclasses.replace(furious, voice_quality="modal"), xtts.reference_style("neutral"))
    assert plain.pitch_shift == furious.pitch_shift  # a neutral clip: the whole style is the transform's


@pytest.mark.skipif(HAS_TTS, reason="coqui-tts is installed here")
def test_without_coqui_tts_generation_is_one_clear_error(tmp_path):
    refs = clips(tmp_path / "refs", ["neutral"])
    with pytest.raises(StudioError, match=r"emotion-studio\[coqui\]"):
        generate_voice("joy", text="Hello.", backend="xtts", references=str(refs), out=tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.skipif(not HAS_TTS, reason=NO_TTS)
def test_coqui_api_takes_what_the_backend_passes():
    from TTS.api import TTS

    parameters = inspect.signature(TTS.tts).parameters
    assert {"text", "speaker_wav", "language", "speed", "split_sentences"} <= set(parameters)
    assert {"model_name", "model_path", "config_path", "progress_bar"} <= set(inspect.signature(TTS).parameters)
