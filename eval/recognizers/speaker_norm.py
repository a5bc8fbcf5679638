"""Speaker normalisation of the speech judge's features: each feature z-scored by the mean and spread of one voice's
own clips, so what is left is how a clip differs from that voice's usual self — the standard remedy for speaker and
channel shift in cross-corpus speech emotion recognition (Busso, Lee & Narayanan 2009; Schuller et al. 2010).

A single clip has no speaker statistics: the normalised head applies only to a set of clips from one voice, and its
verdicts are relative to that set. The set must span the voice's range (RAVDESS trains it on each actor's 60 clips,
all 8 emotions): a set that is all one emotion is normalised to "the voice's average" and reads as such.
"""

from __future__ import annotations

import numpy as np

MIN_GROUP = 14
"""The smallest set of clips from one voice that the normalised judge is used on. RAVDESS nested CV, each held-out
actor normalised by k random clips of their own: top-1 0.591 at k = 7 (no gain over the plain head's 0.591), 0.636
at 14, 0.669 over all 60; a small set of mostly one emotion normalises that emotion away (7 high-arousal clips:
0.503), so small sets keep the plain head."""
STD_FLOOR = 1e-6


def normalise_group(features: np.ndarray, apply_to: np.ndarray | None = None) -> np.ndarray:
    """(n, d) features of one voice's clips, each column z-scored by the set's own mean and std (a constant column
    is only centred); `apply_to`, when given, is scaled by those statistics instead of the set itself."""
    features = np.asarray(features, dtype=np.float64)
    std = features.std(axis=0)
    target = features if apply_to is None else np.asarray(apply_to, dtype=np.float64)
    return (target - features.mean(axis=0)) / np.where(std < STD_FLOOR, 1.0, std)


def normalise_by_speaker(features: np.ndarray, speakers) -> np.ndarray:
    """Every speaker's rows z-scored by that speaker's own clips (normalise_group per speaker)."""
    speakers = np.asarray(speakers)
    out = np.empty(np.shape(features), dtype=np.float64)
    for speaker in np.unique(speakers):
        rows = speakers == speaker
        out[rows] = normalise_group(np.asarray(features)[rows])
    return out
