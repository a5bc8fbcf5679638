"""`EmotionArc`: emotions keyed in time ("calm at 0 s, dread at 4 s") that video and long speech follow."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec, blend

INTERPOLATIONS = ("linear", "smooth", "step")


@dataclass(frozen=True)
class EmotionArc:
    """Ordered (time in seconds, spec) keys; between keys the spec is interpolated.

    'smooth' eases in and out (cosine) so a transition has no sudden start; 'step' holds each key until the next.
    """

    keys: tuple[tuple[float, EmotionSpec], ...]
    interpolation: str = "smooth"

    def __post_init__(self):
        if not self.keys:
            raise StudioError("An emotion arc needs at least one key, e.g. 'calm:0,dread:4'.")
        times = [t for t, _ in self.keys]
        if any(not math.isfinite(t) or t < 0 for t in times):
            raise StudioError(f"Arc key times must be finite and ≥ 0 seconds; got {times}.")
        if times != sorted(times) or len(set(times)) != len(times):
            raise StudioError(f"Arc key times must strictly increase; got {times}.")
        if self.interpolation not in INTERPOLATIONS:
            raise StudioError(f"Unknown arc interpolation {self.interpolation!r}; use one of {INTERPOLATIONS}.")

    @property
    def start(self) -> float:
        return self.keys[0][0]

    @property
    def end(self) -> float:
        return self.keys[-1][0]

    def at(self, time: float) -> EmotionSpec:
        """The spec at `time` (held constant before the first and after the last key)."""
        if time <= self.start:
            return self.keys[0][1]
        if time >= self.end:
            return self.keys[-1][1]
        for (t0, s0), (t1, s1) in zip(self.keys, self.keys[1:]):
            if t0 <= time <= t1:
                u = (time - t0) / (t1 - t0)
                if self.interpolation == "step":
                    return s0 if u < 1 else s1
                if self.interpolation == "smooth":
                    u = 0.5 - 0.5 * math.cos(math.pi * u)
                if u <= 0:
                    return s0
                if u >= 1:
                    return s1
                return blend([(s0, 1 - u), (s1, u)], source=f"{s0.source}→{s1.source}@{time:.2f}s")
        raise AssertionError("unreachable: time lies between the first and last key")

    def sample(self, duration: float, steps: int) -> list[EmotionSpec]:
        """`steps` specs evenly spaced over [0, duration] seconds (key times are taken literally)."""
        return [self.at(i * duration / max(1, steps - 1)) for i in range(steps)]

    def to_dict(self) -> dict:
        return {"interpolation": self.interpolation, "keys": [{"t": t, "spec": s.to_dict()} for t, s in self.keys]}

    @classmethod
    def from_dict(cls, data: Mapping) -> EmotionArc:
        keys = tuple((float(k["t"]), EmotionSpec.from_dict(k["spec"])) for k in data["keys"])
        return cls(keys=keys, interpolation=data.get("interpolation", "smooth"))
