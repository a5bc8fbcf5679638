"""The speaker-normalised speech judge: features z-scored by one voice's own clips lose that voice's offset; a set of
enough clips from one voice is judged with the speaker-normalised head, a smaller set or a single clip with the plain
one; a folder's voice files are grouped by the voice their provenance names; the head's card says what it is."""

from __future__ import annotations

import numpy as np
import pytest

from conditioning import StudioError
from conditioning.artifact import read_artifact
from eval.recognizers import speech_judge, voice_groups
from eval.recognizers.speaker_norm import MIN_GROUP, normalise_by_speaker, normalise_group
from eval.recognizers.speech_judge_features import clip_features, feature_names
from eval.report import score_folder
from finetune import speech_judge as train

NORM_HEAD = pytest.mark.skipif(
    not (speech_judge.SPEAKER_NORM_HEAD_PATH.is_file() and speech_judge.HEAD_PATH.is_file()),
    reason="the RAVDESS speech heads are not installed",
)


def voice(f0: float, seconds: float, sr: int = 16000, rate: float = 1.5) -> np.ndarray:
    """A buzz at `f0` with a falling contour and syllable-shaped bursts: one 'clip' of a synthetic voice."""
    t = np.arange(int(seconds * sr)) / sr
    phase = 2 * np.pi * np.cumsum(f0 * (1.1 - 0.2 * t / seconds)) / sr
    buzz = sum(np.sin(k * phase) / k for k in range(1, 20))
    envelope = np.clip(np.sin(2 * np.pi * rate * t), 0, None) ** 0.5
    return (0.3 * buzz * envelope + 0.002 * np.random.default_rng(0).standard_normal(len(t))).astype(np.float32)


def takes(f0: float) -> list[np.ndarray]:
    """MIN_GROUP + 1 takes of one voice around `f0`, differing in pitch, length and syllable rate."""
    return [voice(f0 * (1 + 0.04 * k), 1.6 + 0.1 * k, rate=1.2 + 0.07 * k) for k in range(MIN_GROUP + 1)]


def test_normalising_by_speaker_removes_each_voices_own_offset():
    names = feature_names()
    low, high = (np.stack([clip_features(x, 16000) for x in takes(f0)]) for f0 in (110.0, 190.0))
    median = names.index("f0_median")
    assert high[:, median].mean() - low[:, median].mean() > 8.0  # 190 vs 110 Hz: about 9.5 semitones apart
    both = normalise_by_speaker(np.vstack([low, high]), [1] * len(low) + [2] * len(high))
    n = len(low)
    assert np.allclose(both[:n, median], both[n:, median], atol=0.15)  # the same takes, relative to each voice
    assert np.allclose(both[:n].mean(axis=0), 0, atol=1e-9)
    spread = both[:n].std(axis=0)
    assert np.allclose(spread[spread > 0], 1.0)
    assert np.allclose(normalise_group(low, apply_to=low), normalise_group(low))


@NORM_HEAD
def test_a_set_from_one_voice_is_judged_by_the_speaker_normalised_head_and_a_small_one_is_not():
    clips = [(x, 16000) for x in takes(150.0)]
    grouped = speech_judge.recognize_group(clips[:MIN_GROUP])
    assert all(r.attributes["head"] == speech_judge.SPEAKER_NORM_HEAD_PATH.name for r in grouped)
    assert all(r.attributes["normalised_over_clips"] == MIN_GROUP for r in grouped)
    assert all(sum(r.categories.values()) == pytest.approx(1.0, abs=1e-3) and r.per_second for r in grouped)
    small = speech_judge.recognize_group(clips[: MIN_GROUP - 1])
    alone = [speech_judge.recognize_signal(x, sr) for x, sr in clips[: MIN_GROUP - 1]]
    assert [r.attributes["head"] for r in small] == [speech_judge.HEAD_PATH.name] * (MIN_GROUP - 1)
    assert [r.vad for r in small] == [r.vad for r in alone]
    with pytest.raises(StudioError, match="speaker-normalised"):  # one clip has no speaker statistics
        speech_judge.recognize_signal(*clips[0], head=str(speech_judge.SPEAKER_NORM_HEAD_PATH))


@NORM_HEAD
def test_a_folders_voice_files_are_judged_voice_by_voice(tmp_path):
    from studio.api import edit_voice, generate_voice

    emotions = ("neutral", "angry", "happy", "sad", "fearful", "disgusted", "surprised")
    sentences = ("The train leaves at nine.", "Please close the door behind you.")
    made = [
        generate_voice(e, text=text, backend="espeak", out=tmp_path / f"{e}-{i}.wav").path
        for i, text in enumerate(sentences)
        for e in emotions
    ]
    assert len(made) == MIN_GROUP
    made.append(edit_voice(made[0], "sad", out=tmp_path / "edited.wav").path)
    artifacts = {path: read_artifact(path) for path in made}
    sets = voice_groups.voice_sets(artifacts)
    assert len(sets) == 1 and next(iter(sets)).startswith("espeak:") and len(next(iter(sets.values()))) == MIN_GROUP
    judge = voice_groups.by_voice(speech_judge.recognize, artifacts)
    assert all(judge(path).attributes.get("normalised_over_clips") == MIN_GROUP for path in made[:-1])
    assert "normalised_over_clips" not in judge(made[-1]).attributes  # an edit names no voice: judged alone
    assert voice_groups.by_voice(speech_features_recognize, artifacts) is speech_features_recognize


@NORM_HEAD
def test_a_report_quotes_the_card_of_the_head_that_judged_its_voice_sets(tmp_path):
    from eval.recognizers.judge_card import card_line
    from studio.api import generate_voice

    emotions = ("neutral", "angry", "happy", "sad", "fearful", "disgusted", "surprised")
    for i, text in enumerate(("The train leaves at nine.", "Please close the door behind you.")):
        for e in emotions:
            generate_voice(e, text=text, backend="espeak", out=tmp_path / "set" / f"{e}-{i}.wav")
    card = score_folder(tmp_path / "set")["judges"]["voice"]
    assert "speaker-normalised" in card["name"] and f"({MIN_GROUP} clips)" in card["applies_to"]
    assert card["agreement"] == speech_judge.card(str(speech_judge.SPEAKER_NORM_HEAD_PATH))["agreement"]
    assert card["single_clips"] == speech_judge.card()  # what a smaller set or a lone clip is judged by
    line = card_line(card)
    assert line.index("speaker-normalised") < line.index("other clips:")
    for suffix in (".wav", ".json"):  # one clip fewer than a set: the plain head judges, and the report says so
        (tmp_path / "set" / f"neutral-0{suffix}").rename(tmp_path / f"moved{suffix}")
    assert score_folder(tmp_path / "set")["judges"]["voice"] == speech_judge.card()


def speech_features_recognize(path):
    from eval.recognizers import speech_features

    return speech_features.recognize(path)


@NORM_HEAD
def test_the_speaker_normalised_card_says_what_it_is_and_beats_the_plain_head_on_people():
    card = speech_judge.card(str(speech_judge.SPEAKER_NORM_HEAD_PATH))
    plain = speech_judge.card()
    assert "speaker-normalised" in card["name"] and "CC BY-NC-SA" in card["licence"]
    assert card["confusion"]["labels"] == list(train.LABELS)
    assert card["agreement"]["top1_8class"] >= plain["agreement"]["top1_8class"]
    assert speech_judge.load_head(str(speech_judge.SPEAKER_NORM_HEAD_PATH))["normalisation"] == "speaker"
