"""The learned speech judge: it learns emotion from RAVDESS speakers and scores a speaker it never heard above
chance; the shipped head gives 8 label probabilities and per-second estimates; a missing or mismatched head says so
in one sentence; its card carries agreement figures, a confusion matrix and the data's licence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conditioning import StudioError
from eval.recognizers import speech_features, speech_judge
from eval.recognizers.speech_judge_features import FEATURE_VERSION, clip_features, feature_names
from finetune import speech_judge as train

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ravdess"
SHIPPED = pytest.mark.skipif(not speech_judge.HEAD_PATH.is_file(), reason="the RAVDESS speech head is not installed")


def speech_like(seconds: float = 2.6, sr: int = 22050, f0: float = 160.0) -> np.ndarray:
    """A glottal-pulse-like buzz with a falling F0, three syllable-shaped bursts and gaps between them."""
    t = np.arange(int(seconds * sr)) / sr
    freq = f0 * (1.1 - 0.2 * t / seconds)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    buzz = sum(np.sin(k * phase) / k for k in range(1, 20))
    envelope = np.clip(np.sin(2 * np.pi * 1.5 * t), 0, None) ** 0.5
    rng = np.random.default_rng(0)
    return (0.3 * buzz * envelope + 0.002 * rng.standard_normal(len(t))).astype(np.float32)


def test_features_are_finite_and_named():
    x = speech_like(sr=16000)
    f = clip_features(x, 16000)
    assert f.shape == (len(feature_names()),) and np.isfinite(f).all()
    assert np.isfinite(clip_features(np.zeros(100, dtype=np.float32), 16000)).all()  # silence and a tiny clip


@pytest.mark.skipif(not (DATA / "labels.csv").is_file(), reason=f"RAVDESS not found at {DATA}")
def test_learns_emotion_of_unheard_speakers():
    rows = [r for r in train.read_labels(DATA) if r["actor"] in {"05", "06", "07", "08"}]
    rows = [r for r in rows if r["emotion"] in {"calm", "angry", "fearful", "disgust"}]  # chance 0.25
    features = train.extract([DATA / r["path"] for r in rows], workers=1, progress=False)
    labels, actors = np.array([r["emotion"] for r in rows]), np.array([r["actor"] for r in rows])
    hits = []
    for held in sorted(set(actors)):  # train on three actors, test on the fourth: split by speaker, never by clip
        head = train.fit(features[actors != held], labels[actors != held], C=0.1)
        proba = train.predict_proba(head, features[actors == held])
        assert np.allclose(proba.sum(axis=1), 1.0)
        hits.extend(np.array(train.LABELS)[proba.argmax(axis=1)] == labels[actors == held])
    assert np.mean(hits) >= 0.5, f"held-out accuracy {np.mean(hits):.2f} (chance 0.25)"


@SHIPPED
def test_shipped_head_scores_a_signal():
    rec = speech_judge.recognize_signal(speech_like(), 22050)
    probs = {k: v for k, v in rec.attributes.items() if k.startswith("p_")}
    assert sorted(probs) == sorted(f"p_{label}" for label in train.LABELS)
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-6)
    assert rec.attributes["top_label"] in train.LABELS and "f0_median_hz" in rec.attributes
    assert rec.recognizer == "speech_judge" and all(-1 <= v <= 1 for v in rec.vad)
    assert sum(rec.categories.values()) == pytest.approx(1.0, abs=1e-3)
    assert len(rec.per_second) >= 2 and all(len(s["vad"]) == 3 for s in rec.per_second)
    json.dumps(rec.to_dict())


def test_missing_head_is_one_sentence(tmp_path):
    missing = tmp_path / "ravdess_speech_head.safetensors"
    reason = speech_judge.unavailable(str(missing))
    assert reason and str(missing) in reason and speech_judge.FALLBACK in reason
    assert "\n" not in reason and reason.endswith(".")
    with pytest.raises(StudioError, match="not found"):
        speech_judge.recognize_signal(speech_like(), 22050, head=str(missing))


@SHIPPED
def test_cards_carry_agreement_and_licence():
    assert speech_judge.unavailable() is None
    card = speech_judge.card()
    assert card["name"] == "speech_judge" and card["kind"] == "learned" and card["modality"] == "voice"
    assert {"arousal_auc", "valence_auc", "top1_8class", "chance_top1", "macro_f1"} <= set(card["agreement"])
    assert card["agreement"]["top1_8class"] > card["agreement"]["chance_top1"]
    assert card["confusion"]["labels"] == list(train.LABELS)
    assert np.array(card["confusion"]["matrix"]).shape == (8, 8)
    assert "CC BY-NC-SA" in card["licence"]
    heuristic = speech_features.card()
    assert heuristic["kind"] == "heuristic" and heuristic["agreement"]["arousal_auc"] > 0.5


def test_head_with_other_features_is_refused(tmp_path):
    from safetensors.numpy import save_file

    dim = len(feature_names())
    arrays = {"mean": np.zeros(dim), "scale": np.ones(dim), "weight": np.zeros((8, dim)), "bias": np.zeros(8)}
    meta = {"labels": json.dumps(list(train.LABELS)), "card": "{}"}
    wrong = tmp_path / "wrong.safetensors"
    save_file({k: v.astype(np.float32) for k, v in arrays.items()}, str(wrong), {**meta, "feature_version": "v0"})
    with pytest.raises(StudioError, match="retrain"):
        speech_judge.recognize_signal(speech_like(), 22050, head=str(wrong))
    corrupt = tmp_path / "corrupt.safetensors"
    corrupt.write_bytes(b"not a safetensors file")
    with pytest.raises(StudioError, match="Cannot read"):
        speech_judge.load_head(str(corrupt))
    right = tmp_path / "right.safetensors"
    save_file(
        {k: v.astype(np.float32) for k, v in arrays.items()}, str(right), {**meta, "feature_version": FEATURE_VERSION}
    )
    assert speech_judge.recognize_signal(speech_like(), 22050, head=str(right)).attributes["top_label"] in train.LABELS
