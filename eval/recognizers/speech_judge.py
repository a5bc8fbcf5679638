"""Learned voice judge: per-clip acoustic features (speech_judge_features.py: MFCC, log-mel, spectral shape,
loudness, YIN F0, timing, tilt) → a standardised multinomial logistic-regression head over the 8 RAVDESS emotions,
trained on acted speech by actors 01–16 (`python -m finetune.speech_judge`, which also measured its card).

The head file (safetensors, numpy arrays) holds `mean`, `scale` (feature standardisation), `weight` (8, D) and
`bias` (8,); its metadata carries `labels` (JSON list, row order), `feature_version` (must equal this code's, or the
head was trained on other features) and `card`. The head is CC BY-NC-SA (derived from RAVDESS) and ships as a
separate file: without it `unavailable()` says so and the studio scores voices with the heuristic FALLBACK.

Valence and arousal are the probability-weighted VAD points of the emotion words (judged.from_label_probs), the
very scores whose agreement the card reports. per_second: the same head on 1.5-s windows centred on each second;
windows with less than 0.15 s of speech are skipped. The interpretable prosody of speech_features (F0, loudness,
rate, pauses, tilt) rides along as attributes.

recognize_group: a set of clips from one voice (at least speaker_norm.MIN_GROUP) is judged by the speaker-normalised
head (SPEAKER_NORM_HEAD_PATH, trained with `--speaker-norm`), each clip's features z-scored by the set's own
statistics; it agreed with people better than the plain head across speakers (its card). A smaller set, or no such
head installed, falls back to the plain head clip by clip. per_second always comes from the plain head (a window has
no statistics of its own voice).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np

from conditioning.errors import StudioError
from eval.prefetch import prefetched
from eval.recognition import Recognition
from eval.recognizers import speech_features
from eval.recognizers.judge_card import read_head_card, read_head_file
from eval.recognizers.judged import from_label_probs, label_meaning
from eval.recognizers.pitch import resample
from eval.recognizers.speaker_norm import MIN_GROUP, normalise_group
from eval.recognizers.speech_judge_features import FEATURE_VERSION, SR, clip_features

NAME = "speech_judge"
REQUIRES = ("safetensors",)
FALLBACK = "speech_features"
PARALLEL = True  # numpy only: safe in the report's thread pool
OPTION = "head"
HEAD_PATH = Path(__file__).parents[1] / "data" / "ravdess_speech_head.safetensors"
SPEAKER_NORM_HEAD_PATH = HEAD_PATH.with_name("ravdess_speech_head_speaker_norm.safetensors")
WINDOW_S = 1.5
MIN_SPEECH_S = 0.15
PROSODY = ("f0_median_hz", "f0_range_st", "loudness_db", "rate_syl_per_s", "pause_fraction", "alpha_ratio_db")


def unavailable(head: str | None = None) -> str | None:
    """Why this judge cannot run here, in one sentence (nothing loaded); None when it can."""
    path = Path(head) if head else HEAD_PATH
    if not path.is_file():
        return (
            f"the RAVDESS speech head {path} is not installed (it is CC BY-NC-SA, shipped separately; rebuild it "
            f"with python -m finetune.speech_judge); the heuristic {FALLBACK} judge scores instead."
        )
    return None


def card(head: str | None = None) -> dict:
    return read_head_card(Path(head) if head else HEAD_PATH)


@functools.cache
def load_head(head: str) -> dict:
    """{"mean", "scale", "weight", "bias" (numpy float64), "labels"}; a missing, corrupt or mismatched head →
    StudioError in one sentence."""
    name = Path(head).name
    tensors, meta = read_head_file(head, "Speech judge head")
    arrays = {k: v.astype(np.float64) for k, v in tensors.items()}
    if meta.get("feature_version") != FEATURE_VERSION:
        raise StudioError(
            f"Speech judge head {name} was trained on features {meta.get('feature_version')!r}, this judge computes "
            f"{FEATURE_VERSION!r}; retrain it with python -m finetune.speech_judge."
        )
    missing = {"mean", "scale", "weight", "bias"} - set(arrays)
    if missing:
        raise StudioError(f"Speech judge head {name} lacks tensors {sorted(missing)}; retrain it.")
    try:
        labels = json.loads(meta["labels"])
    except (KeyError, json.JSONDecodeError):
        raise StudioError(f"Speech judge head {name} needs metadata 'labels' (a JSON list); retrain it.") from None
    n, dim = arrays["weight"].shape if arrays["weight"].ndim == 2 else (0, 0)
    shapes_ok = arrays["bias"].shape == (n,) and arrays["mean"].shape == arrays["scale"].shape == (dim,)
    if not shapes_ok or len(labels) != n or n == 0 or any(label_meaning(str(x)) is None for x in labels):
        raise StudioError(f"Speech judge head {name}: its tensors and labels do not fit together; retrain it.")
    return {
        **{k: arrays[k] for k in ("mean", "scale", "weight", "bias")},
        "labels": [str(x) for x in labels],
        "normalisation": meta.get("normalisation", "none"),
    }


def probabilities(head: dict, features: np.ndarray) -> np.ndarray:
    """(n, n_labels) softmax of the linear head over standardised features."""
    z = (np.atleast_2d(features) - head["mean"]) / head["scale"]
    if z.shape[1] != head["weight"].shape[1]:
        raise StudioError(
            f"Speech judge head expects {head['weight'].shape[1]} features, got {z.shape[1]}; retrain it."
        )
    logits = z @ head["weight"].T + head["bias"]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def per_second(x: np.ndarray, head: dict, label_vads: np.ndarray) -> list[dict]:
    """One VAD estimate per second of a 16-kHz signal: the head on a WINDOW_S window centred on the second."""
    db = speech_features.frame_db(x, SR)
    speech = speech_features.speech_mask(db)
    hop = round(1 / speech_features.HOP_S)
    duration = len(x) / SR
    out = []
    for second in range(max(1, math.ceil(duration - 1e-6))):
        centre = (second + min(duration, second + 1)) / 2
        lo, hi = max(0.0, centre - WINDOW_S / 2), min(duration, centre + WINDOW_S / 2)
        if speech[int(lo * hop) : int(math.ceil(hi * hop))].sum() * speech_features.HOP_S < MIN_SPEECH_S:
            continue
        p = probabilities(head, clip_features(x[int(lo * SR) : int(hi * SR)], SR))[0]
        out.append({"t": centre, "vad": tuple(float(v) for v in p @ label_vads)})
    return out


def signal_16k(x: np.ndarray, sr: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        raise StudioError("The speech judge got an empty signal.")
    return resample(x, sr, SR).astype(np.float32) if sr != SR else x


def recognition(x16: np.ndarray, probs: dict, weights: dict, head_name: str, extra=None) -> Recognition:
    """The Recognition of one 16-kHz clip from its {label: probability}; per_second from the plain head `weights`."""
    label_vads = np.array([label_meaning(label)[0] for label in weights["labels"]])
    prosody = speech_features.recognize_signal(x16, SR).attributes
    attributes = {k: prosody.get(k) for k in PROSODY}
    attributes["head"] = head_name
    attributes.update(extra or {})
    rec = from_label_probs(NAME, probs, attributes=attributes)
    return Recognition(
        recognizer=rec.recognizer,
        vad=rec.vad,
        categories=rec.categories,
        attributes=rec.attributes,
        per_second=per_second(x16, weights, label_vads),
    )


def plain_head(head: str | None) -> dict:
    weights = load_head(str(head or HEAD_PATH))
    if weights["normalisation"] != "none":
        raise StudioError(
            f"Speech judge head {Path(head or HEAD_PATH).name} is speaker-normalised: it judges a set of clips from "
            f"one voice (recognize_group), not one clip; give the plain head."
        )
    return weights


def recognize_signal(x: np.ndarray, sr: int, head: str | None = None) -> Recognition:
    """Recognize a mono signal in memory."""
    weights = plain_head(head)
    x16 = signal_16k(x, sr)
    probs = probabilities(weights, clip_features(x16, SR))[0]
    return recognition(x16, dict(zip(weights["labels"], probs.tolist())), weights, Path(head or HEAD_PATH).name)


def recognize(path: Path, head: str | None = None) -> Recognition:
    return recognize_signal(*prefetched(speech_features.load_audio, Path(path)), head=head)


def recognize_group(signals, head: str | None = None, norm_head: str | None = None) -> list[Recognition]:
    """Recognitions of a set of (signal, sr) from one voice: the speaker-normalised head on features z-scored by
    the set when it holds at least MIN_GROUP clips and that head is installed; else each clip by the plain head."""
    signals = list(signals)
    norm_path = Path(norm_head or SPEAKER_NORM_HEAD_PATH)
    if len(signals) < MIN_GROUP or not norm_path.is_file():
        return [recognize_signal(x, sr, head=head) for x, sr in signals]
    weights, normed = plain_head(head), load_head(str(norm_path))
    if normed["normalisation"] != "speaker":
        raise StudioError(
            f"Speech judge head {norm_path.name} is not speaker-normalised; retrain it with --speaker-norm."
        )
    clips = [signal_16k(x, sr) for x, sr in signals]
    z = normalise_group(np.stack([clip_features(x16, SR) for x16 in clips]))
    probs = probabilities(normed, z)
    extra = {"normalised_over_clips": len(clips)}
    return [
        recognition(x16, dict(zip(normed["labels"], p.tolist())), weights, norm_path.name, extra)
        for x16, p in zip(clips, probs)
    ]
