"""Visual features → valence, arousal, dominance, by published relations (../shared/reference/FACTS.md §3).

The generators have their own rules (conditioning/visual_style.py); this file deliberately does not import them,
so a recognizer that agrees with a generator is evidence, not an echo. Every feature is first standardised against
REFERENCE_NORMS, then:

- colour, Valdez & Mehrabian 1994 (standardised betas): Pleasure = .69·B + .22·S; Arousal = −.31·B + .60·S;
  Dominance = −.76·B + .32·S;
- colourfulness, EmoVid 2025: positive clips are more colourful, high-arousal clips more colourful (and darker,
  already carried by −.31·B);
- shape, Bar & Neta 2006/2007: sharp angles read as threat — angularity lowers valence and raises arousal;
- hue, Valdez & Mehrabian 1994 (blue, blue-green, green, purple most pleasant; yellow, green-yellow least) and
  Wilms & Oberfeld 2018 (arousal rises blue → green → red), weighted by how much colour there is at all.

The sums are in standard-deviation units; tanh(VAD_GAIN · x) maps them onto [−1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping

REFERENCE_NORMS = {
    "brightness": (0.50, 0.20),  # mean luma 0–1: mid-grey, ± one SD of typical photographs (studio choice)
    "saturation": (0.40, 0.22),  # mean HSV saturation 0–1 (studio choice)
    "colourfulness": (40.0, 25.0),  # Hasler–Süsstrunk units: "averagely colourful" is 45 (FACTS §4)
    "angularity": (0.30, 0.20),  # share of edge pixels at corners (see image_features): circles ≈ .1, stars ≈ .8
}
"""(mean, SD) that turn raw features into z-scores. Not fitted to the studio's generators on purpose."""
Z_LIMIT = 3.0  # one extreme feature (a pure-black frame, a field of spikes) must not outvote all the others

COLOURFULNESS_WEIGHT = (0.15, 0.20)  # (valence, arousal) per SD of colourfulness, EmoVid direction
ANGULARITY_WEIGHT = (-0.30, 0.30)  # (valence, arousal) per SD of angularity, Bar & Neta direction
HUE_WEIGHT = 0.35  # SD units for a fully chromatic image of the most / least pleasant (or arousing) hue
VAD_GAIN = 0.7

# one value per 30° hue bin, starting at red (0–30°): red, orange, yellow, yellow-green, green, green,
# blue-green, blue, blue/purple-blue, purple, red-purple, red
HUE_VALENCE = (0.0, -0.2, -0.7, -0.7, 0.4, 0.5, 0.6, 0.7, 0.6, 0.5, 0.4, 0.0)
HUE_AROUSAL = (1.0, 0.7, 0.4, 0.2, 0.0, -0.2, -0.5, -0.8, -0.6, -0.2, 0.4, 0.9)


def z(name: str, value: float) -> float:
    mean, sd = REFERENCE_NORMS[name]
    return max(-Z_LIMIT, min(Z_LIMIT, (float(value) - mean) / sd))


def visual_sd_scores(features: Mapping[str, float | list]) -> tuple[float, float, float]:
    """(pleasure, arousal, dominance) in SD units from brightness, saturation, colourfulness, angularity and the
    chroma-weighted hue histogram (12 bins, sums to 1) with `chroma` (mean max−min of RGB, 0–1)."""
    zb, zs = z("brightness", features["brightness"]), z("saturation", features["saturation"])
    zc, zang = z("colourfulness", features["colourfulness"]), z("angularity", features["angularity"])
    p = 0.69 * zb + 0.22 * zs + COLOURFULNESS_WEIGHT[0] * zc + ANGULARITY_WEIGHT[0] * zang
    a = -0.31 * zb + 0.60 * zs + COLOURFULNESS_WEIGHT[1] * zc + ANGULARITY_WEIGHT[1] * zang
    d = -0.76 * zb + 0.32 * zs
    hist = features.get("hue_histogram") or ()
    amount = min(1.0, float(features.get("chroma", 0.0)) / 0.3)
    p += HUE_WEIGHT * amount * sum(w * h for w, h in zip(HUE_VALENCE, hist))
    a += HUE_WEIGHT * amount * sum(w * h for w, h in zip(HUE_AROUSAL, hist))
    return p, a, d


def to_unit(scores: tuple[float, ...]) -> tuple[float, float, float]:
    """SD units → [−1, 1]."""
    return tuple(math.tanh(VAD_GAIN * s) for s in scores)  # type: ignore[return-value]


def visual_vad(features: Mapping[str, float | list]) -> tuple[float, float, float]:
    return to_unit(visual_sd_scores(features))
