"""Valence–arousal–dominance points: the scales people use and their validation.

The studio works in [−1, 1] with neutral at 0. Other scales are accepted only when stated, because 0.8 means
"quite positive" on [−1, 1] and "very positive" on [0, 1]: guessing would silently change the meaning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from conditioning.errors import StudioError, brief

DIMENSIONS = ("valence", "arousal", "dominance")
SCALES: dict[str, tuple[float, float]] = {"-1-1": (-1.0, 1.0), "0-1": (0.0, 1.0), "1-9": (1.0, 9.0), "1-5": (1.0, 5.0)}
SCALE_ALIASES = {"-1..1": "-1-1", "[-1,1]": "-1-1", "0..1": "0-1", "[0,1]": "0-1", "1..9": "1-9", "1..5": "1-5"}


def normalise_scale_name(scale: str) -> str:
    """'0..1', '[0,1]' and '0-1' all name the same scale."""
    name = SCALE_ALIASES.get(scale.strip().replace(" ", ""), scale.strip())
    if name not in SCALES:
        raise StudioError(f"Unknown VAD scale {brief(scale)}; use one of {', '.join(SCALES)}.")
    return name


def to_unit_vad(values: Sequence[float], scale: str = "-1-1") -> tuple[float, float, float]:
    """Validate 2 or 3 numbers on `scale` and return (v, a, d) in [−1, 1]; a missing dominance is 0 (neutral)."""
    name = normalise_scale_name(scale)
    low, high = SCALES[name]
    values = list(values)
    if len(values) not in (2, 3):
        raise StudioError(
            f"A VAD point needs 2 or 3 numbers (valence, arousal[, dominance]); got {len(values)}: {brief(values)}."
        )
    out = []
    for dim, raw in zip(DIMENSIONS, values):
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise StudioError(f"{dim.capitalize()} {brief(raw)} is not a number; give {low:g} to {high:g}.") from None
        if math.isnan(value) or math.isinf(value):
            raise StudioError(f"{dim.capitalize()} is {value}; give a finite number from {low:g} to {high:g}.")
        if not low <= value <= high:
            hint = "" if name != "-1-1" else "; if you meant another scale, state it (e.g. scale=0-1 or scale=1-9)"
            where = f"[{low:g}, {high:g}]" if name == "-1-1" else f"the {name} scale [{low:g}, {high:g}]"
            raise StudioError(f"{dim.capitalize()} {value:g} is outside {where}{hint}.")
        out.append(value if name == "-1-1" else 2.0 * (value - low) / (high - low) - 1.0)
    if len(out) == 2:
        out.append(0.0)
    return (out[0], out[1], out[2])


def clip_vad(vad: Sequence[float]) -> tuple[float, float, float]:
    """Keep a computed point on the plane (arithmetic on valid points can overshoot)."""
    return tuple(max(-1.0, min(1.0, float(x))) for x in vad)  # type: ignore[return-value]


def vad_distance(a: Sequence[float], b: Sequence[float], weights: Sequence[float] = (1.0, 1.0, 0.5)) -> float:
    """Euclidean distance with dominance down-weighted: V and A are the better-measured dimensions."""
    return math.sqrt(sum(w * (x - y) ** 2 for w, x, y in zip(weights, a, b)))


def quadrant(vad: Sequence[float]) -> str:
    """EmoArt's binary labels: 'pos/high', 'neg/low', … (valence sign / arousal sign; 0 counts as positive/high)."""
    return f"{'pos' if vad[0] >= 0 else 'neg'}/{'high' if vad[1] >= 0 else 'low'}"
