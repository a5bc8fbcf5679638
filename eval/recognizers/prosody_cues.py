"""Prosodic cues → arousal and (weakly) valence, from the literature in ../shared/reference/FACTS.md §3.

Arousal (GeMAPS literature; Murray & Arnott 1993): higher F0, wider F0 range, louder, faster, flatter spectral slope
(higher alpha ratio). Valence has weak acoustic cues; we use only the contour (Murray & Arnott: joy and surprise
rise, sadness and disgust fall) and pausing (sadness: slower, more pauses), with small weights.
Dominance is not estimated from the voice (0).

Norms are speaker-independent (the recognizer does not know the speaker's baseline), so a deep neutral voice reads
a little calm and a high one a little aroused; within one voice, as in a generated set, the ordering holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

NORMS = {  # cue: (mean, SD) — studio's choices for adult read speech
    "f0_median_st": (0.0, 4.0),  # semitones re REFERENCE_F0_HZ
    "f0_range_st": (6.0, 3.0),  # 5th–95th percentile span
    "loudness_db": (-20.0, 6.0),  # RMS dBFS over speech frames
    "rate_syl_per_s": (4.0, 1.2),  # syllable nuclei per second of speech
    "alpha_ratio_db": (-15.0, 6.0),  # energy 1–5 kHz over 50 Hz–1 kHz
    "f0_slope_st_per_s": (0.0, 2.0),
    "pause_fraction": (0.15, 0.12),
}
REFERENCE_F0_HZ = 150.0  # between typical adult male (~120) and female (~210) speaking F0
AROUSAL_WEIGHTS = {
    "f0_median_st": 0.35,
    "f0_range_st": 0.25,
    "loudness_db": 0.30,
    "rate_syl_per_s": 0.30,
    "alpha_ratio_db": 0.20,
}
VALENCE_WEIGHTS = {"f0_slope_st_per_s": 0.30, "pause_fraction": -0.15}
GAIN = 0.7
Z_LIMIT = 3.0


def z(name: str, value: float | None) -> float:
    """Standardised cue; a missing cue (no voiced frames, no speech) is no evidence: 0."""
    if value is None or not math.isfinite(value):
        return 0.0
    mean, sd = NORMS[name]
    return max(-Z_LIMIT, min(Z_LIMIT, (value - mean) / sd))


def prosody_vad(cues: Mapping[str, float | None]) -> tuple[float, float, float]:
    arousal = sum(w * z(k, cues.get(k)) for k, w in AROUSAL_WEIGHTS.items())
    valence = sum(w * z(k, cues.get(k)) for k, w in VALENCE_WEIGHTS.items())
    return math.tanh(GAIN * valence), math.tanh(GAIN * arousal), 0.0
