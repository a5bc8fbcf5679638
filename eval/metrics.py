"""How well outputs landed: intended emotion (the sidecar's spec or arc) against what a recognizer saw.

Category metrics work in any taxonomy (the recognizer's Mikels-8 distribution is carried across like a spec's);
dimensional ones on the valence–arousal plane, where every recognizer speaks. Functions take plain sequences so
tests can check them on hand-computed examples; report.score_folder applies them per modality and backend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from conditioning import CANONICAL_TAXONOMY, EmotionSpec, get_taxonomy
from conditioning.vad import quadrant
from eval.recognition import Recognition

VA_DIAMETER = math.sqrt(8)  # the longest distance on the [−1, 1]² plane


def recognized_distribution(recognition: Recognition, taxonomy: str = CANONICAL_TAXONOMY) -> list[tuple[str, float]]:
    """The recognition's Mikels-8 distribution expressed in `taxonomy`, best first."""
    as_spec = EmotionSpec(
        vad=recognition.vad, intensity=0.5, categories=tuple(recognition.categories.items()), source=""
    )
    return as_spec.distribution(taxonomy)


def intended_label(spec: EmotionSpec, taxonomy: str = CANONICAL_TAXONOMY) -> str:
    """The label the user asked for when it is in `taxonomy`, else the spec's most likely label there."""
    name = get_taxonomy(taxonomy).name
    if spec.label and spec.taxonomy == name:
        return spec.label
    return spec.nearest(name, top=1)[0][0]


def recognized_label(recognition: Recognition, taxonomy: str = CANONICAL_TAXONOMY) -> str:
    return recognized_distribution(recognition, taxonomy)[0][0]


def top1_accuracy(intended: Sequence[str], recognized: Sequence[str]) -> float | None:
    if not intended:
        return None
    return sum(a == b for a, b in zip(intended, recognized)) / len(intended)


def quadrant_accuracy(intended: Sequence[Sequence[float]], recognized: Sequence[Sequence[float]]) -> dict:
    """EmoArt's binary labels: share with the same quadrant, the same valence sign, the same arousal sign."""
    if not intended:
        return {"quadrant": None, "valence": None, "arousal": None}
    n = len(intended)
    same_q = sum(quadrant(a) == quadrant(b) for a, b in zip(intended, recognized))
    same_v = sum((a[0] >= 0) == (b[0] >= 0) for a, b in zip(intended, recognized))
    same_a = sum((a[1] >= 0) == (b[1] >= 0) for a, b in zip(intended, recognized))
    return {"quadrant": same_q / n, "valence": same_v / n, "arousal": same_a / n}


def va_mae(intended: Sequence[Sequence[float]], recognized: Sequence[Sequence[float]]) -> dict:
    """Mean absolute error per dimension, and their mean."""
    if not intended:
        return {"valence": None, "arousal": None, "mean": None}
    diff = np.abs(np.asarray(intended, float)[:, :2] - np.asarray(recognized, float)[:, :2]).mean(axis=0)
    return {"valence": float(diff[0]), "arousal": float(diff[1]), "mean": float(diff.mean())}


def ranks(x: Sequence[float]) -> np.ndarray:
    """1-based ranks, ties sharing their average rank."""
    x = np.asarray(x, float)
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    r = np.empty(len(x))
    start = 0
    for end in range(1, len(x) + 1):
        if end == len(x) or sorted_x[end] != sorted_x[start]:
            r[order[start:end]] = (start + end + 1) / 2
            start = end
    return r


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's ρ (Pearson on average ranks); None with fewer than 3 pairs or a constant side."""
    if len(x) < 3:
        return None
    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def arc_tracking_error(intended_at: Callable[[float], Sequence[float]], per_second: Sequence[dict]) -> float | None:
    """Mean Euclidean distance on the VA plane between intended(t) and recognized(t) over per-second samples."""
    if not per_second:
        return None
    dists = [math.dist(intended_at(s["t"])[:2], s["vad"][:2]) for s in per_second]
    return float(np.mean(dists))


def bootstrap_ci(
    values: Sequence[float],
    statistic: Callable = np.mean,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `statistic`, reproducible by `seed`; None for fewer than 2 values."""
    values = np.asarray([v for v in values if v is not None], float)
    if len(values) < 2:
        return None
    rng = np.random.default_rng(seed)
    samples = values[rng.integers(0, len(values), size=(n_resamples, len(values)))]
    stats = np.array([statistic(row) for row in samples]) if statistic is not np.mean else samples.mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    return float(np.percentile(stats, tail)), float(np.percentile(stats, 100 - tail))


def alignment_score(spec: EmotionSpec, recognition: Recognition, weight: float = 0.5) -> float:
    """In [0, 1], higher is better; used to pick the best of N candidates. A blend of closeness on the VA plane
    (1 − distance/√8) and the probability the recognizer gives the spec's top Mikels-8 category."""
    closeness = 1 - math.dist(spec.vad[:2], recognition.vad[:2]) / VA_DIAMETER
    top = spec.nearest(CANONICAL_TAXONOMY, top=1)[0][0]
    probability = float(recognition.categories.get(top, 0.0))
    return max(0.0, min(1.0, weight * closeness + (1 - weight) * probability))


def confusion(intended: Sequence[str], recognized: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """counts[i][j]: items intended as labels[i] and recognized as labels[j]."""
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for a, b in zip(intended, recognized):
        if a in index and b in index:
            counts[index[a]][index[b]] += 1
    return counts
