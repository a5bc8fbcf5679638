"""`MotionStyle`: how things move for an emotion — speed, smoothness, rhythm — derived from the spec.

Sources (FACTS §3): arousal sets tempo (Husain et al. 2002: tempo moves arousal, so we run it backwards);
pleasant, calm states move smoothly and regularly, unpleasant aroused ones jerk and tremble (the motion analogue of
Bar & Neta's angular-threat finding); sadness sinks and joy rises (EmoVid's motion analysis; studio reading).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from conditioning.spec import EmotionSpec


@dataclass(frozen=True)
class MotionStyle:
    """speed, smoothness, regularity, shake, pulse_depth in [0, 1]; tempo_bpm (a pulse the animation breathes
    to, 50–150); drift in [−1, 1] (−1 sinks, +1 rises)."""

    speed: float
    smoothness: float
    regularity: float
    shake: float
    pulse_depth: float
    tempo_bpm: float
    drift: float

    def to_dict(self) -> dict:
        return asdict(self)


def _unit(x: float) -> float:
    return round(max(0.0, min(1.0, x)), 4)


def motion_style(spec: EmotionSpec) -> MotionStyle:
    """Derive motion from the felt VAD."""
    v, a, d = spec.felt_vad
    neg, high = max(0.0, -v), max(0.0, a)
    return MotionStyle(
        speed=_unit(0.15 + 0.35 * (a + 1)),
        smoothness=_unit(0.55 + 0.25 * v - 0.3 * a),
        regularity=_unit(0.6 + 0.2 * d + 0.15 * v - 0.4 * high * neg),
        shake=_unit(0.8 * high * neg + 0.1 * high),
        pulse_depth=_unit(0.2 + 0.3 * abs(a)),
        tempo_bpm=round(100 + 50 * a, 2),
        drift=round(max(-1.0, min(1.0, 0.7 * v)), 4),
    )
