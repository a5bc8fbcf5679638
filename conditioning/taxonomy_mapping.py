"""Where each taxonomy label sits in VAD, and how a label (or a point) maps into any taxonomy.

Published tables win (GoEmotions → Ekman, Demszky et al. 2020; EmoVoice's 5-class recall protocol); labels that
name the same emotion ("angry" / "anger") map to each other; everything else maps to its nearest labels in VAD,
with a confidence that falls with distance.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

from conditioning.errors import StudioError
from conditioning.lexicon import get_lexicon
from conditioning.taxonomies import LABELS_WITHOUT_EMOTION, get_taxonomy
from conditioning.vad import vad_distance

GOEMOTIONS_TO_EKMAN = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "happiness": (
        "joy",
        "amusement",
        "approval",
        "excitement",
        "gratitude",
        "love",
        "optimism",
        "relief",
        "pride",
        "admiration",
        "desire",
        "caring",
    ),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
    "neutral": ("neutral",),
}
"""Official GoEmotions → Ekman grouping (FACTS §1); the paper's 'joy' group is Ekman's happiness."""

EMOVOICE_RECALL_CLASSES = ("angry", "happy", "neutral", "other", "sad")
"""EmoVoice's emotion2vec recall protocol: disgusted, fearful and surprised count as 'other' (FACTS §4)."""

EXPLICIT_TABLES: dict[tuple[str, str], dict[str, str]] = {
    ("goemotions28", "ekman7"): {src: tgt for tgt, srcs in GOEMOTIONS_TO_EKMAN.items() for src in srcs},
}

SIMILARITY_TEMPERATURE = 0.25
"""Softmax temperature over negative VAD distance: 0.25 makes a label 0.25 away e-times less likely."""


@functools.cache
def label_lemma(label: str) -> str:
    """The lexicon word behind a label ("angry" → anger); 'other'/'unknown' have none."""
    if label in LABELS_WITHOUT_EMOTION:
        return "neutral"
    entry = get_lexicon().lookup(label)
    if entry is None:  # pragma: no cover - guarded by tests over every taxonomy
        raise StudioError(f"Label {label!r} has no lexicon entry; add it to conditioning/data/anchor_lexicon.csv.")
    return entry.word


@functools.cache
def label_positions(taxonomy: str) -> dict[str, tuple[float, float, float]]:
    """Label → VAD for one taxonomy."""
    lexicon = get_lexicon()
    return {label: lexicon.entries[label_lemma(label)].vad for label in get_taxonomy(taxonomy).labels}


def soft_distribution(vad: Sequence[float], taxonomy: str, top: int | None = None) -> list[tuple[str, float]]:
    """Probabilities over a taxonomy's labels from closeness in VAD, best first (labels with no emotion excluded)."""
    positions = {k: v for k, v in label_positions(taxonomy).items() if k not in LABELS_WITHOUT_EMOTION}
    logits = {label: -vad_distance(vad, pos) / SIMILARITY_TEMPERATURE for label, pos in positions.items()}
    peak = max(logits.values())
    weights = {label: math.exp(x - peak) for label, x in logits.items()}
    total = sum(weights.values())
    ranked = sorted(((label, w / total) for label, w in weights.items()), key=lambda item: -item[1])
    return ranked[:top] if top else ranked


def map_label(label: str, source: str, target: str, top: int = 3) -> list[tuple[str, float]]:
    """Map `label` of taxonomy `source` into `target`: [(label, confidence)], best first."""
    source_tax, target_tax = get_taxonomy(source), get_taxonomy(target)
    if label not in source_tax.labels:
        raise StudioError(f"{label!r} is not a {source_tax.title} label; choose from {', '.join(source_tax.labels)}.")
    table = EXPLICIT_TABLES.get((source_tax.name, target_tax.name))
    if table and label in table:
        return [(table[label], 1.0)]
    for (src, _hub), hop in EXPLICIT_TABLES.items():
        # a published grouping into a hub taxonomy (grief → sadness) wins when the hub label exists in the target
        if src == source_tax.name and label in hop:
            same = [k for k in target_tax.labels if label_lemma(k) == label_lemma(hop[label])]
            if same and same[0] not in LABELS_WITHOUT_EMOTION:
                return [(same[0], 1.0)]
    if source_tax.name == "emotion2vec9" and target_tax.name == "emovoice7" and label in LABELS_WITHOUT_EMOTION:
        return [("neutral", 0.5)]
    lemma = label_lemma(label)
    for candidate in target_tax.labels:
        if label_lemma(candidate) == lemma and candidate not in LABELS_WITHOUT_EMOTION:
            return [(candidate, 1.0)]
    return soft_distribution(label_positions(source_tax.name)[label], target_tax.name, top=top)


def to_emovoice_recall_class(label: str) -> str:
    """Collapse an emotion2vec / EmoVoice label to EmoVoice's 5 recall classes."""
    return label if label in EMOVOICE_RECALL_CLASSES else "other"
