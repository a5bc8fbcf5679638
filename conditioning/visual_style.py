"""`VisualStyle`: EmoArt's five attributes (colour, light, composition, line, brushwork) as numbers, plus EmoVid's
brightness / colourfulness / hue targets, derived from a spec by rules with their sources (FACTS §3).

Why fear is dark: Valdez & Mehrabian (1994) fit Pleasure = .69·B + .22·S and Arousal = −.31·B + .60·S over
brightness B and saturation S; we solve that pair for (B, S) given (V, A), so negative, aroused emotions get dark,
saturated colour and calm, pleasant ones get light, soft colour. EmoVid (2025) agrees: positive clips are brighter
and more colourful, high-arousal clips more colourful but darker.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from conditioning.spec import EmotionSpec

VM_DET = 0.69 * 0.60 + 0.22 * 0.31  # determinant of the Valdez–Mehrabian 2×2 system
BRIGHTNESS_PER_SD = 0.18  # one standard deviation of brightness, on a 0–1 scale
SATURATION_PER_SD = 0.22

HUE_BY_ANGLE = (
    (0, 100),
    (30, 50),
    (60, 35),
    (90, 20),
    (135, 355),
    (180, 60),
    (200, 215),
    (225, 225),
    (270, 255),
    (315, 175),
    (360, 100),
)
"""Hue (degrees) at each direction on the valence–arousal circle (angle = atan2(A, V)). Arousal runs blue → green →
red (Wilms & Oberfeld 2018); pleasant calm takes the most pleasant hues, blue-green (Valdez & Mehrabian 1994);
unpleasant, middling arousal takes the least pleasant, yellow-green (ibid.); joy's gold is the studio's choice."""


@dataclass(frozen=True)
class VisualStyle:
    """All values in [0, 1] unless noted. Colour: hue (degrees), hue_spread, saturation, warmth ([−1, 1]).
    Light: brightness, contrast, softness. Composition: balance, density, focal_strength, vertical_center.
    Line: angularity (0 round … 1 jagged), line_weight. Brushwork: stroke_energy, stroke_size, texture.
    Targets a recognizer can check: brightness_target (0–1), colourfulness_target (Hasler–Süsstrunk units),
    hue_target (degrees)."""

    hue: float
    hue_spread: float
    saturation: float
    warmth: float
    brightness: float
    contrast: float
    softness: float
    balance: float
    density: float
    focal_strength: float
    vertical_center: float
    angularity: float
    line_weight: float
    stroke_energy: float
    stroke_size: float
    texture: float
    brightness_target: float
    colourfulness_target: float
    hue_target: float

    def to_dict(self) -> dict:
        return asdict(self)


def _unit(x: float) -> float:
    return max(0.0, min(1.0, x))


def hue_for(valence: float, arousal: float) -> float:
    """Interpolate HUE_BY_ANGLE around the circle (hues blended on the colour wheel, not linearly)."""
    angle = math.degrees(math.atan2(arousal, valence)) % 360
    for (a0, h0), (a1, h1) in zip(HUE_BY_ANGLE, HUE_BY_ANGLE[1:]):
        if a0 <= angle <= a1:
            u = (angle - a0) / (a1 - a0)
            delta = ((h1 - h0 + 180) % 360) - 180
            return round((h0 + u * delta) % 360, 2)
    return HUE_BY_ANGLE[0][1]


def brightness_saturation(valence: float, arousal: float) -> tuple[float, float]:
    """Invert Valdez & Mehrabian's fit: (V, A) in SD units → (brightness, saturation) on 0–1."""
    b = (0.60 * valence - 0.22 * arousal) / VM_DET
    s = (0.31 * valence + 0.69 * arousal) / VM_DET
    return _unit(0.5 + BRIGHTNESS_PER_SD * b), _unit(0.5 + SATURATION_PER_SD * s)


def visual_style(spec: EmotionSpec) -> VisualStyle:
    """Derive the picture's look from the spec (numbers move with the felt VAD, i.e. with intensity)."""
    v, a, d = spec.felt_vad
    neg, high = max(0.0, -v), max(0.0, a)
    brightness, saturation = brightness_saturation(v, a)
    hue = hue_for(v, a)
    hue_spread = _unit(0.3 + 0.3 * v + 0.15 * a)
    warmth = round(math.cos(math.radians(hue - 30)), 4)
    contrast = _unit(0.45 + 0.35 * a + 0.1 * abs(d))
    softness = _unit(0.5 + 0.3 * v - 0.3 * a)
    # Bar & Neta 2006/2007: sharp angles read as threat — angularity rises with negative, aroused feeling.
    angularity = _unit(0.25 + 0.45 * neg * (0.5 + 0.5 * a) + 0.3 * high * (1.0 if v < 0 else 0.5))
    colourfulness = 10 + 95 * saturation * (0.55 + 0.45 * hue_spread)
    return VisualStyle(
        hue=hue,
        hue_spread=round(hue_spread, 4),
        saturation=round(saturation, 4),
        warmth=warmth,
        brightness=round(brightness, 4),
        contrast=round(contrast, 4),
        softness=round(softness, 4),
        balance=round(_unit(0.6 + 0.25 * v - 0.25 * a + 0.15 * d), 4),
        density=round(_unit(0.45 + 0.35 * a + 0.1 * neg), 4),
        focal_strength=round(_unit(0.4 + 0.3 * abs(d) + 0.2 * a), 4),
        vertical_center=round(_unit(0.5 + 0.25 * v + 0.1 * d), 4),
        angularity=round(angularity, 4),
        line_weight=round(_unit(0.4 + 0.3 * d + 0.2 * a), 4),
        stroke_energy=round(_unit(0.15 + 0.35 * (a + 1) + 0.1 * neg), 4),
        stroke_size=round(_unit(0.5 + 0.2 * d - 0.2 * a), 4),
        texture=round(_unit(0.3 + 0.3 * neg + 0.2 * a), 4),
        brightness_target=round(brightness, 4),
        colourfulness_target=round(colourfulness, 2),
        hue_target=hue,
    )
