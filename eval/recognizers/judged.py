"""Turn a neural judge's label probabilities into a Recognition, whatever labels the model speaks.

A model's labels ("生气/angry", "neu", "Hope/Enthusiasm/Optimism", an EmoArt-12 word) are cleaned, given a meaning
through `conditioning.resolve` (a VAD point and a Mikels-8 distribution), and mixed by probability: VAD is the
probability-weighted mean, categories the probability-weighted mix. Labels with no emotion ("other", "unknown")
sit at the neutral point; labels nothing in the lexicon knows are left out and counted in the attributes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from conditioning import CANONICAL_TAXONOMY, StudioError, resolve
from conditioning.taxonomies import LABELS_WITHOUT_EMOTION
from conditioning.taxonomy_mapping import soft_distribution
from eval.recognition import Recognition

ABBREVIATIONS = {
    # IEMOCAP-style short labels used by SUPERB emotion-recognition heads
    "neu": "neutral",
    "hap": "happy",
    "ang": "angry",
    "exc": "excited",
    "fru": "frustrated",
    "fea": "fearful",
    "sur": "surprised",
    "dis": "disgusted",
    "sur/surprised": "surprised",
}


def clean_label(raw: str) -> str:
    """'生气/angry' → 'angry' (emotion2vec writes 中文/english); 'LABEL_NEU' style → 'neu' → 'neutral'."""
    label = str(raw).strip()
    parts = [p.strip() for p in label.split("/") if p.strip()]
    if len(parts) > 1 and not parts[0].isascii():
        label = parts[-1]
    label = label.lower().replace("_", " ").strip()
    return ABBREVIATIONS.get(label, label)


@functools.cache
def label_meaning(label: str, taxonomy: str | None = None) -> tuple[tuple[float, float, float], dict] | None:
    """(VAD, Mikels-8 distribution) of a cleaned label, or None when it names no emotion we know."""
    if label in LABELS_WITHOUT_EMOTION:
        neutral = (0.0, 0.0, 0.0)
        return neutral, dict(soft_distribution(neutral, CANONICAL_TAXONOMY))
    try:
        spec = resolve(f"{taxonomy}:{label}" if taxonomy else label, use_encoder=False)
    except StudioError:
        spec = None
    if spec is None and taxonomy:
        return label_meaning(label)
    if spec is None:  # multi-name labels such as "hope/enthusiasm/optimism": the first name that resolves
        parts = [p.strip() for p in label.split("/")] if "/" in label else []
        return next((m for m in map(label_meaning, parts) if m is not None), None)
    return spec.vad, dict(spec.categories)


def from_label_probs(
    recognizer: str, probs: Mapping[str, float], taxonomy: str | None = None, attributes: Mapping | None = None
) -> Recognition:
    """probs: raw model label → probability (need not sum to 1). taxonomy: the labels' taxonomy, when known."""
    cleaned: dict[str, float] = {}
    for raw, p in probs.items():
        key = clean_label(raw)
        cleaned[key] = cleaned.get(key, 0.0) + float(p)
    vad, categories, mass, unknown = [0.0, 0.0, 0.0], {}, 0.0, []
    for label, p in cleaned.items():
        meaning = label_meaning(label, taxonomy)
        if meaning is None:
            unknown.append(label)
            continue
        mass += p
        for i in range(3):
            vad[i] += p * meaning[0][i]
        for k, q in meaning[1].items():
            categories[k] = categories.get(k, 0.0) + p * q
    if mass <= 0:
        raise StudioError(f"None of the judge's labels ({', '.join(cleaned)}) names an emotion the studio knows.")
    top = max(cleaned, key=cleaned.get)
    attrs = {"top_label": top, "top_probability": cleaned[top], "unmapped_labels": len(unknown)}
    attrs.update({f"p_{label}": p for label, p in cleaned.items()})
    attrs.update(attributes or {})
    return Recognition(
        recognizer=recognizer,
        vad=tuple(x / mass for x in vad),
        categories={k: v / sum(categories.values()) for k, v in sorted(categories.items(), key=lambda kv: -kv[1])},
        attributes=attrs,
    )
