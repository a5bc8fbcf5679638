"""Categories read from the text itself: a GoEmotions softmax head on the sentence embedding.

Why: text → VAD → nearest label throws away the category the encoder holds; this head (trained by
`finetune/text_categories.py` on GoEmotions, CC BY 4.0, Demszky et al. 2020) reads the 28 GoEmotions labels from
the same embedding the VAD head reads, and the published grouping sums them into Ekman's seven. Without the file
the reader falls back to VAD proximity (said in one log line).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np

from conditioning.taxonomies import get_taxonomy
from conditioning.taxonomy_mapping import GOEMOTIONS_TO_EKMAN

log = logging.getLogger(__name__)

HEAD_PATH = Path(__file__).parent / "data" / "goemotions_head.safetensors"
GOEMOTIONS_LABELS = get_taxonomy("goemotions28").labels
EKMAN_OF_GOEMOTION = {
    src: ("joy" if tgt == "happiness" else tgt) for tgt, srcs in GOEMOTIONS_TO_EKMAN.items() for src in srcs
}
"""Published GoEmotions → Ekman grouping, with the paper's name 'joy' for Ekman's happiness (training reports)."""


@functools.lru_cache(maxsize=2)
def load_head(path: Path = HEAD_PATH) -> tuple[np.ndarray, np.ndarray] | None:
    """(weight 28×384, bias 28) or None when the head is not shipped."""
    if not Path(path).exists():
        log.info("GoEmotions head %s not found; categories fall back to VAD proximity", path)
        return None
    from safetensors.numpy import load_file

    tensors = load_file(str(path))
    return tensors["head.weight"], tensors["head.bias"]


def goemotion_probabilities(embeddings: np.ndarray, head=None) -> np.ndarray | None:
    """Softmax over the 28 GoEmotions labels per embedding row; None without a head."""
    head = head or load_head()
    if head is None:
        return None
    weight, bias = head
    logits = np.atleast_2d(embeddings).astype(np.float32) @ weight.T + bias
    logits -= logits.max(1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(1, keepdims=True)


def canonical_distribution(probabilities: np.ndarray) -> tuple[tuple[str, float], ...]:
    """The head's 28 probabilities (one text's) carried into the canonical taxonomy (published tables first, then VAD
    neighbours). The masses sum to 1 − P(neutral): a caller mixes the rest from its VAD reading."""
    mass: dict[str, float] = {}
    for name, p in zip(GOEMOTIONS_LABELS, probabilities):
        if name == "neutral":  # the canonical taxonomy has no neutral: that mass is left to the VAD reading
            continue
        for target, weight in _canonical_of(name):
            mass[target] = mass.get(target, 0.0) + float(p) * weight
    return tuple(sorted(mass.items(), key=lambda item: -item[1]))


@functools.lru_cache(maxsize=64)
def _canonical_of(name: str) -> tuple[tuple[str, float], ...]:
    from conditioning.taxonomies import CANONICAL_TAXONOMY
    from conditioning.taxonomy_mapping import map_label

    mapped = map_label(name, "goemotions28", CANONICAL_TAXONOMY)
    total = sum(c for _, c in mapped) or 1.0
    return tuple((label, c / total) for label, c in mapped)


@functools.lru_cache(maxsize=1)
def _label_vads() -> np.ndarray:
    """Lexicon VAD of each GoEmotions label (neutral at 0), for the VAD the head's categories imply."""
    from conditioning.lexicon import get_lexicon
    from conditioning.taxonomy_mapping import label_lemma

    entries = get_lexicon().entries
    rows = [(0.0, 0.0, 0.0) if n == "neutral" else entries[label_lemma(n)].vad for n in GOEMOTIONS_LABELS]
    return np.array(rows, dtype=np.float32)


def head_evidence(p: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(VAD implied by the head's categories, P(neutral), share of the emotional mass on its top label) from one
    text's 28 probabilities. The implied VAD is the probability-weighted lexicon VAD of the 28 labels, so a text the
    head finds neutral sits near 0 and a grieving one near grief."""
    neutral = float(p[GOEMOTIONS_LABELS.index("neutral")])
    emotional = np.delete(p, GOEMOTIONS_LABELS.index("neutral"))
    focus = float(emotional.max() / max(emotional.sum(), 1e-9))
    return p @ _label_vads(), neutral, focus
