"""Emotion taxonomies as data: exact label lists with their sources (../shared/reference/FACTS.md §1).

Each label's VAD position comes from the anchor lexicon through its lemma ("angry" → anger), so every taxonomy
lives on the same plane and can be mapped to any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from conditioning.errors import StudioError, brief


@dataclass(frozen=True)
class Taxonomy:
    """A named label set and where it was published."""

    name: str
    title: str
    labels: tuple[str, ...]
    source: str
    note: str = ""


TAXONOMIES: dict[str, Taxonomy] = {
    t.name: t
    for t in (
        Taxonomy(
            "emoart12",
            "EmoArt-12",
            (
                "alarmed",
                "annoyed",
                "aroused",
                "bored",
                "calm",
                "content",
                "excited",
                "frustrated",
                "glad",
                "happy",
                "sad",
                "tired",
            ),
            "EmoArt (arXiv 2506.03652), list from third-party loaders",
            "partly unverified; raw data sometimes writes 'contentment'",
        ),
        Taxonomy(
            "mikels8",
            "Mikels-8 (EmoSet, FI, EmoGen, EmoVid)",
            ("amusement", "awe", "contentment", "excitement", "anger", "disgust", "fear", "sadness"),
            "EmoSet info.json (index order); EmoGen inference.py; EmoVid arXiv 2511.11002",
            "EmoVid's full list is unverified but consistent with Mikels-8",
        ),
        Taxonomy(
            "ekman7",
            "Ekman-7",
            ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"),
            "Ekman basic emotions plus neutral (standard)",
        ),
        Taxonomy(
            "plutchik8",
            "Plutchik-8",
            ("joy", "trust", "fear", "surprise", "sadness", "disgust", "anger", "anticipation"),
            "Plutchik's wheel (standard; NRC EmoLex uses these)",
        ),
        Taxonomy(
            "goemotions28",
            "GoEmotions-28",
            (
                "admiration",
                "amusement",
                "anger",
                "annoyance",
                "approval",
                "caring",
                "confusion",
                "curiosity",
                "desire",
                "disappointment",
                "disapproval",
                "disgust",
                "embarrassment",
                "excitement",
                "fear",
                "gratitude",
                "grief",
                "joy",
                "love",
                "nervousness",
                "optimism",
                "pride",
                "realization",
                "relief",
                "remorse",
                "sadness",
                "surprise",
                "neutral",
            ),
            "Demszky et al. 2020",
        ),
        Taxonomy(
            "emovoice7",
            "EmoVoice-DB-7",
            ("angry", "happy", "sad", "surprised", "disgusted", "fearful", "neutral"),
            "HF dataset card yhaha/EmoVoice-DB",
        ),
        Taxonomy(
            "emotion2vec9",
            "emotion2vec-9",
            ("angry", "disgusted", "fearful", "happy", "neutral", "other", "sad", "surprised", "unknown"),
            "emotion2vec+ model cards (labels come as '中文/english')",
            "'other' and 'unknown' have no emotion of their own and sit at the neutral point",
        ),
    )
}

CANONICAL_TAXONOMY = "mikels8"
"""The label set of `EmotionSpec.categories`: the one image and video emotion models (EmoSet, EmoGen, EmoVid) use."""

TAXONOMY_ALIASES = {
    "emoart": "emoart12",
    "emoart-12": "emoart12",
    "mikels": "mikels8",
    "mikels-8": "mikels8",
    "emoset": "mikels8",
    "emovid": "mikels8",
    "ekman": "ekman7",
    "ekman-7": "ekman7",
    "plutchik": "plutchik8",
    "plutchik-8": "plutchik8",
    "goemotions": "goemotions28",
    "goemotions-28": "goemotions28",
    "emovoice": "emovoice7",
    "emovoice-7": "emovoice7",
    "emotion2vec": "emotion2vec9",
    "emotion2vec-9": "emotion2vec9",
}

LABELS_WITHOUT_EMOTION = frozenset({"other", "unknown"})


def get_taxonomy(name: str) -> Taxonomy:
    """Look a taxonomy up by name or alias ("EmoArt-12", "emoart", "emoart12")."""
    key = name.strip().lower()
    key = TAXONOMY_ALIASES.get(key, key)
    if key not in TAXONOMIES:
        raise StudioError(f"Unknown taxonomy {brief(name)}; choose one of {', '.join(TAXONOMIES)}.")
    return TAXONOMIES[key]
