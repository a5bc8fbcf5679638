"""`Recognition`: what one recognizer saw in one media file — a VAD estimate, Mikels-8 probabilities, the measured
features behind them and, for media that unfold in time, one estimate per second so an emotion arc can be checked.

Plain frozen data with a JSON round-trip, so reports can be re-scored without re-running the recognizers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from conditioning import CANONICAL_TAXONOMY
from conditioning.taxonomy_mapping import soft_distribution
from conditioning.vad import clip_vad


@dataclass(frozen=True)
class Recognition:
    """recognizer: its registry name. vad: (valence, arousal, dominance) in [−1, 1] (dominance 0 when the
    recognizer does not estimate it). categories: label → probability over the canonical Mikels-8 labels.
    attributes: measured features (numbers, or short strings such as a top label). per_second: [{"t": centre of
    the second, "vad": [v, a, d]}] for video and voice, empty for images."""

    recognizer: str
    vad: tuple[float, float, float]
    categories: dict[str, float] = field(default_factory=dict)
    attributes: dict[str, float | str] = field(default_factory=dict)
    per_second: list[dict] = field(default_factory=list)

    def __post_init__(self):
        object.__setattr__(self, "vad", tuple(round(x, 4) for x in clip_vad(self.vad)))

    @property
    def top_category(self) -> str:
        return max(self.categories, key=self.categories.get) if self.categories else ""

    def to_dict(self) -> dict:
        return {
            "recognizer": self.recognizer,
            "vad": list(self.vad),
            "categories": {k: round(float(p), 4) for k, p in self.categories.items()},
            "attributes": {k: _json_safe(v) for k, v in self.attributes.items()},
            "per_second": [
                {"t": round(float(s["t"]), 3), "vad": [round(float(x), 4) for x in s["vad"]]} for s in self.per_second
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Recognition:
        return cls(
            recognizer=str(data["recognizer"]),
            vad=tuple(data["vad"]),
            categories=dict(data.get("categories") or {}),
            attributes=dict(data.get("attributes") or {}),
            per_second=[{"t": float(s["t"]), "vad": tuple(s["vad"])} for s in data.get("per_second") or []],
        )


def from_vad(
    recognizer: str, vad: Sequence[float], attributes: Mapping | None = None, per_second: list | None = None
) -> Recognition:
    """A feature recognizer's result: categories follow from closeness in VAD (`soft_distribution`)."""
    vad = clip_vad(vad)
    return Recognition(
        recognizer=recognizer,
        vad=vad,
        categories=dict(soft_distribution(vad, CANONICAL_TAXONOMY)),
        attributes=dict(attributes or {}),
        per_second=list(per_second or []),
    )


def _json_safe(value):
    """Attributes are numbers or short strings; NaN/inf (e.g. F0 of a silent clip) become null."""
    if isinstance(value, str) or value is None:
        return value
    value = float(value)
    return round(value, 5) if math.isfinite(value) else None
