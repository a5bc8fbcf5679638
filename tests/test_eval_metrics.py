"""Metrics on hand-computed examples."""

import math

import numpy as np
import pytest

from conditioning import resolve
from eval import metrics
from eval.recognition import Recognition


def test_top1_accuracy():
    assert metrics.top1_accuracy(["a", "b", "c", "d"], ["a", "x", "c", "y"]) == 0.5
    assert metrics.top1_accuracy([], []) is None


def test_quadrant_and_sign_accuracy():
    intended = [(0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5), (0.5, -0.5)]
    seen = [(0.2, 0.1), (0.3, 0.4), (-0.1, 0.2), (0.5, -0.9)]
    # same quadrant: yes, no, no, yes; same valence sign: yes, no, yes, yes; same arousal sign: yes, yes, no, yes
    assert metrics.quadrant_accuracy(intended, seen) == {"quadrant": 0.5, "valence": 0.75, "arousal": 0.75}


def test_va_mae():
    result = metrics.va_mae([(0, 0, 0), (1, 1, 0)], [(0.5, -0.5, 0), (1, 0, 0)])
    assert result == pytest.approx({"valence": 0.25, "arousal": 0.75, "mean": 0.5})


def test_spearman_with_and_without_ties():
    assert metrics.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert metrics.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ranks x = 1, 2.5, 2.5, 4 → ρ = 4.5 / √(4.5 · 5) = 3/√10
    assert metrics.spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(3 / math.sqrt(10))
    assert metrics.spearman([1, 2], [1, 2]) is None and metrics.spearman([1, 1, 1], [1, 2, 3]) is None


def test_arc_tracking_error():
    samples = [{"t": 0.0, "vad": (0, 0, 0)}, {"t": 1.0, "vad": (0, 0, 0)}]
    assert metrics.arc_tracking_error(lambda t: (0.3 * t, 0.4 * t, 0.9), samples) == pytest.approx(0.25)  # (0 + 0.5)/2
    assert metrics.arc_tracking_error(lambda t: (0, 0, 0), []) is None


def test_bootstrap_ci_is_seeded_and_brackets_the_mean():
    values = np.random.default_rng(1).normal(0.6, 0.1, 200)
    lo, hi = metrics.bootstrap_ci(values, seed=3)
    assert lo < values.mean() < hi and hi - lo < 0.05
    assert metrics.bootstrap_ci(values, seed=3) == (lo, hi)
    assert metrics.bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)
    assert metrics.bootstrap_ci([1.0]) is None


def test_alignment_score_by_hand():
    spec = resolve("amusement")
    top = spec.nearest("mikels8", top=1)[0][0]
    assert metrics.alignment_score(spec, Recognition("t", spec.vad, {top: 1.0})) == pytest.approx(1.0)
    spec = resolve("0.6, 0.2, 0")
    top = spec.nearest("mikels8", top=1)[0][0]
    rec = Recognition("t", (0.6, -0.2, 0.0), {top: 0.3})
    # closeness 1 − 0.4/√8, probability 0.3, equal weights
    assert metrics.alignment_score(spec, rec) == pytest.approx(0.5 * (1 - 0.4 / math.sqrt(8)) + 0.15)
    far = Recognition("t", (-1.0, -1.0, 0.0), {})
    assert metrics.alignment_score(resolve("1, 1, 0"), far) == pytest.approx(0.0)


def test_labels_in_another_taxonomy():
    spec = resolve("emovoice7:angry")
    assert metrics.intended_label(spec, "emovoice7") == "angry"
    assert metrics.intended_label(spec, "mikels8") == "anger"
    rec = Recognition("t", (-0.6, 0.6, 0.2), {"anger": 0.9, "fear": 0.1})
    assert metrics.recognized_label(rec, "mikels8") == "anger"
    assert metrics.recognized_label(rec, "emovoice7") == "angry"


def test_confusion_counts():
    counts = metrics.confusion(["a", "a", "b"], ["a", "b", "b"], ["a", "b"])
    assert counts == [[1, 1], [0, 1]]
