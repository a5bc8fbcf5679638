"""Captions built from a record the way the studio prompts at inference: subject, then the emotion, then attribute
phrases — so a LoRA learns the words it will later be asked with (`generators.image.prompt_compose` puts
"evoking <label>" right after the subject too).

Emotion words from any source taxonomy (EmoArt-12, EmoVoice-7, free words such as "contentment") are mapped into the
target taxonomy through the studio's resolver; a word it cannot place makes the record bad, not the run.
"""

from __future__ import annotations

import re

from conditioning import StudioError, get_taxonomy, resolve

DEFAULT_SUBJECT = "a painting"
QUADRANT_POINTS = {  # EmoArt's binary labels when its emotion word is unknown: the centre of the quadrant
    ("positive", "high"): "0.6,0.6,0.2",
    ("positive", "low"): "0.6,-0.4,0.2",
    ("negative", "high"): "-0.6,0.6,0",
    ("negative", "low"): "-0.6,-0.4,-0.2",
}


def map_emotion(word: str | None, taxonomy: str, valence: str = "", arousal: str = "") -> str:
    """`word` as a label of `taxonomy`; falls back to EmoArt-style Positive/Negative + High/Low; raises StudioError."""
    word = (word or "").strip().lower()
    if word:
        try:
            return resolve(word, taxonomy=taxonomy, use_encoder=False).label
        except StudioError:
            pass
    point = QUADRANT_POINTS.get((valence.strip().lower(), arousal.strip().lower()))
    if point:
        return resolve(point, taxonomy=taxonomy).label
    raise StudioError(f"emotion {word!r} is not a known emotion word")


def find_emotion(text: str, taxonomy: str) -> str | None:
    """The first label of `taxonomy` named in a free caption (imagefolder / video prompts without an emotion column)."""
    labels = set(get_taxonomy(taxonomy).labels)
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in labels:
            return word
    return None


def short_phrase(text: str, words: int = 12) -> str:
    """The first clause of an annotation sentence, cut to `words` words (CLIP reads 77 tokens in all)."""
    clause = re.split(r"[.;:]", str(text).strip(), maxsplit=1)[0]
    return " ".join(clause.split()[:words])


def build_caption(subject: str, emotion: str | None, attributes=()) -> str:
    parts = [short_phrase(subject, 20) or DEFAULT_SUBJECT]
    if emotion:
        parts.append(f"evoking {emotion}")
    parts += [p for p in (short_phrase(a) for a in attributes) if p]
    return ", ".join(parts)
