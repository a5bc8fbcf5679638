"""`EmotionSpec`: the one resolved form of whatever the user said, and the blend of several.

Plain frozen data with a JSON round-trip, so it can ride in provenance sidecars and batch manifests.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from conditioning.errors import StudioError
from conditioning.lexicon import get_lexicon
from conditioning.taxonomies import CANONICAL_TAXONOMY, get_taxonomy
from conditioning.taxonomy_mapping import label_lemma, map_label, soft_distribution
from conditioning.vad import clip_vad, quadrant, to_unit_vad

LABEL_SHARE = 0.85
"""When the user named a label, that label keeps this share of the category mass; closeness in VAD gets the rest."""


@dataclass(frozen=True)
class EmotionSpec:
    """An emotion as the generators and recognizers see it.

    vad: (valence, arousal, dominance) in [−1, 1], neutral at 0. intensity: 0 (barely) … 1 (overwhelming).
    categories: probabilities over the canonical taxonomy (Mikels-8), best first. source: what the user gave.
    label/taxonomy: the label in the taxonomy the user asked for, when they asked.
    goemotions: what the category head learned from people read in free text, over GoEmotions' 28 labels with
    neutral, scaled to the share of the reading it earned (sums to ≤ 1; empty when no text was read). Mikels-8 has
    no neutral or surprise, so without it a taxonomy that has them could only be reached through VAD proximity.
    """

    vad: tuple[float, float, float]
    intensity: float
    categories: tuple[tuple[str, float], ...]
    source: str
    label: str | None = None
    taxonomy: str | None = None
    goemotions: tuple[tuple[str, float], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "vad", tuple(round(float(x), 4) for x in to_unit_vad(self.vad)))
        if not 0.0 <= float(self.intensity) <= 1.0:
            raise StudioError(f"Intensity {self.intensity} is outside [0, 1]; give 0 (barely) to 1 (overwhelming).")
        object.__setattr__(self, "intensity", round(float(self.intensity), 4))
        categories = tuple((str(k), round(float(p), 4)) for k, p in self.categories)
        if any(not 0.0 <= p <= 1.0 for _, p in categories):  # also refuses NaN, which JSON cannot carry
            raise StudioError(f"Category probabilities must be numbers from 0 to 1; got {dict(categories)}.")
        object.__setattr__(self, "categories", categories)
        learned = tuple((str(k), round(float(p), 4)) for k, p in self.goemotions)
        known = get_taxonomy("goemotions28").labels
        if any(k not in known or not 0.0 <= p <= 1.0 for k, p in learned) or sum(p for _, p in learned) > 1.001:
            raise StudioError(
                "'goemotions' must map GoEmotions labels to probabilities summing to at most 1; "
                "re-create the spec from the emotion instead."
            )
        object.__setattr__(self, "goemotions", learned)

    @property
    def valence(self) -> float:
        return self.vad[0]

    @property
    def arousal(self) -> float:
        return self.vad[1]

    @property
    def dominance(self) -> float:
        return self.vad[2]

    @property
    def felt_vad(self) -> tuple[float, float, float]:
        """VAD scaled by intensity (0.4× when barely felt, 1× when overwhelming): how far outputs move from neutral,
        so "slightly annoyed" and "furious" differ in every modality even where their VAD is close."""
        gain = 0.4 + 0.6 * self.intensity
        return (self.vad[0] * gain, self.vad[1] * gain, self.vad[2] * gain)

    @property
    def quadrant(self) -> str:
        return quadrant(self.vad)

    def named_label(self, taxonomy: str) -> str | None:
        """The label of `taxonomy` the user named, when the source is one emotion word ("calm", "emoart12:calm")."""
        word = self.source.split(":", 1)[-1].strip()
        entry = get_lexicon().lookup(word) if word and " " not in word else None
        if entry is None:
            return None
        return next((k for k in get_taxonomy(taxonomy).labels if label_lemma(k) == entry.word), None)

    def distribution(self, taxonomy: str = CANONICAL_TAXONOMY) -> list[tuple[str, float]]:
        """Probabilities over any taxonomy: the canonical categories carried across by `map_label`, or, when the
        user named one of its labels, that label with LABEL_SHARE of the mass."""
        name = get_taxonomy(taxonomy).name
        if name == CANONICAL_TAXONOMY:
            return list(self.categories)
        named = self.named_label(name)
        if named is not None:
            mass = {k: (1 - LABEL_SHARE) * p for k, p in soft_distribution(self.vad, name)}
            mass[named] = mass.get(named, 0.0) + LABEL_SHARE
            return sorted(mass.items(), key=lambda item: -item[1])
        mass: dict[str, float] = {label: 0.0 for label in get_taxonomy(name).labels}
        for label, p in self.categories:
            mapped = map_label(label, CANONICAL_TAXONOMY, name)
            total = sum(c for _, c in mapped)
            for target, c in mapped:
                mass[target] += LABEL_SHARE * p * c / total
        for target, p in soft_distribution(self.vad, name):
            mass[target] += (1 - LABEL_SHARE) * p
        return self._with_learned(mass, name)

    def _with_learned(self, mass: dict[str, float], taxonomy: str) -> list[tuple[str, float]]:
        """Mix the head's GoEmotions reading into a distribution over `taxonomy` by the share it earned."""
        total = sum(mass.values()) or 1.0
        share = sum(p for _, p in self.goemotions)
        mixed = {k: (1 - share) * v / total for k, v in mass.items()}
        for label, p in self.goemotions:
            for target, c in goemotion_in(label, taxonomy):
                mixed[target] = mixed.get(target, 0.0) + p * c
        total = sum(mixed.values()) or 1.0
        return sorted(((k, v / total) for k, v in mixed.items()), key=lambda item: -item[1])

    def nearest(self, taxonomy: str = CANONICAL_TAXONOMY, top: int = 3) -> list[tuple[str, float]]:
        """The most likely labels in `taxonomy`, with probabilities."""
        return self.distribution(taxonomy)[:top]

    def labelled(self, taxonomy: str) -> EmotionSpec:
        """The same spec with `label` set to its best label in `taxonomy`."""
        name = get_taxonomy(taxonomy).name
        return replace(self, label=self.nearest(name, top=1)[0][0], taxonomy=name)

    def to_dict(self) -> dict:
        record = {
            "vad": list(self.vad),
            "intensity": self.intensity,
            "categories": dict(self.categories),
            "source": self.source,
            "label": self.label,
            "taxonomy": self.taxonomy,
        }
        if self.goemotions:
            record["goemotions"] = dict(self.goemotions)
        return record

    @classmethod
    def from_dict(cls, data: Mapping) -> EmotionSpec:
        """A recorded spec (a sidecar's, an arc key's); a malformed record is refused in one sentence."""
        try:
            categories = data.get("categories") or {}
            if isinstance(categories, Mapping):
                categories = list(categories.items())
            learned = data.get("goemotions") or {}
            if isinstance(learned, Mapping):
                learned = list(learned.items())
            label, taxonomy = data.get("label"), data.get("taxonomy")
            return cls(
                vad=tuple(data["vad"]),
                intensity=float(data.get("intensity", 0.5)),
                categories=tuple((k, p) for k, p in categories),
                source=str(data.get("source", "")),
                label=None if label is None else str(label),
                taxonomy=None if taxonomy is None else str(taxonomy),
                goemotions=tuple((k, p) for k, p in learned),
            )
        except StudioError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            raise StudioError(
                "A recorded emotion spec needs 'vad' (3 numbers), 'intensity' (0-1) and 'categories' "
                "({label: probability}); re-create it from the emotion instead."
            ) from None


def categories_from(vad: Sequence[float], label: str | None = None, taxonomy: str | None = None) -> tuple:
    """Canonical category distribution for a point, with a named label's mass carried across when there is one."""
    soft = dict(soft_distribution(vad, CANONICAL_TAXONOMY))
    if label is None:
        return tuple(sorted(soft.items(), key=lambda item: -item[1]))
    mass = {k: (1 - LABEL_SHARE) * p for k, p in soft.items()}
    mapped = map_label(label, taxonomy or CANONICAL_TAXONOMY, CANONICAL_TAXONOMY)
    total = sum(c for _, c in mapped)
    for target, c in mapped:
        mass[target] += LABEL_SHARE * c / total
    return tuple(sorted(mass.items(), key=lambda item: -item[1]))


def blend(parts: Sequence[tuple[EmotionSpec, float]], source: str | None = None) -> EmotionSpec:
    """Weighted mix: VAD and intensity average, category distributions mix (weights need not sum to 1)."""
    parts = [(spec, float(w)) for spec, w in parts]
    if any(not math.isfinite(w) or w < 0 for _, w in parts):
        raise StudioError(f"Blend weights must be finite numbers ≥ 0; got {[w for _, w in parts][:8]}.")
    parts = [(spec, w) for spec, w in parts if w > 0]
    if not parts:
        raise StudioError("A blend needs at least one emotion with a positive weight, e.g. 'joy*0.7 + fear*0.3'.")
    total = sum(w for _, w in parts)
    if not math.isfinite(total):  # relative weights: 1e308 + 1e308 must not overflow to inf (and zero the mix)
        top = max(w for _, w in parts)
        parts = [(spec, w / top) for spec, w in parts]
        total = sum(w for _, w in parts)
    vad = clip_vad([sum(s.vad[i] * w for s, w in parts) / total for i in range(3)])
    intensity = sum(s.intensity * w for s, w in parts) / total
    mass: dict[str, float] = {}
    for spec, w in parts:
        for label, p in spec.categories:
            mass[label] = mass.get(label, 0.0) + p * w / total
    categories = tuple(sorted(mass.items(), key=lambda item: -item[1]))
    learned: dict[str, float] = {}
    for spec, w in parts:  # a part without a learned reading leaves its share to the categories
        for label, p in spec.goemotions:
            learned[label] = learned.get(label, 0.0) + p * w / total
    name = source or " + ".join(f"{s.source}*{w / total:.2f}" for s, w in parts)
    return EmotionSpec(
        vad=vad,
        intensity=min(1.0, intensity),
        categories=categories,
        source=name,
        goemotions=tuple(sorted(learned.items(), key=lambda item: -item[1])),
    )


@functools.cache
def goemotion_in(label: str, taxonomy: str) -> tuple[tuple[str, float], ...]:
    """Where one GoEmotions label's mass goes in `taxonomy`: published groupings first (`map_label`); 'neutral'
    to the taxonomy's neutral label, or nowhere when it has none (the rest of the reading then fills its place)."""
    if label == "neutral":
        return (("neutral", 1.0),) if "neutral" in get_taxonomy(taxonomy).labels else ()
    mapped = map_label(label, "goemotions28", taxonomy)
    total = sum(c for _, c in mapped) or 1.0
    return tuple((target, c / total) for target, c in mapped)
