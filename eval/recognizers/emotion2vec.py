"""Neural voice judge through funasr's emotion2vec+ (the model EmoVoice scores with, FACTS §4), when installed.

Labels arrive as "中文/english" over emotion2vec-9. Besides the usual Recognition we report EmoVoice's recall class
(argmax over angry, happy, neutral, other, sad, with disgusted, fearful and surprised folded into "other"), so a
report can quote EmoVoice's recall protocol directly.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from conditioning import StudioError
from conditioning.taxonomy_mapping import EMOVOICE_RECALL_CLASSES, to_emovoice_recall_class
from eval.recognition import Recognition
from eval.recognizers.judged import clean_label, from_label_probs

NAME = "emotion2vec"
REQUIRES = ("funasr",)
OPTION = "model"
DEFAULT_MODEL = "emotion2vec/emotion2vec_plus_large"


@functools.lru_cache(maxsize=1)
def load_model(model: str, device: str = "cpu"):
    try:
        from funasr import AutoModel
    except ImportError:
        raise StudioError("The emotion2vec judge needs funasr; pip install funasr (and its model weights).") from None
    try:
        return AutoModel(model=model, hub="hf", device=device, disable_update=True)
    except Exception as exc:  # funasr raises assorted types for missing weights
        raise StudioError(f"emotion2vec model {model!r} could not be loaded ({exc}); pass a local folder.") from None


def recall_distribution(probs: Mapping[str, float]) -> dict[str, float]:
    """Collapse emotion2vec-9 probabilities onto EmoVoice's five recall classes."""
    out = dict.fromkeys(EMOVOICE_RECALL_CLASSES, 0.0)
    for raw, p in probs.items():
        out[to_emovoice_recall_class(clean_label(raw))] += float(p)
    return out


def to_recognition(labels: list[str], scores: list[float], model: str = DEFAULT_MODEL) -> Recognition:
    """funasr's `labels`/`scores` lists → Recognition with the EmoVoice recall class among the attributes."""
    probs = dict(zip(labels, scores))
    recall = recall_distribution(probs)
    attributes = {"model": model, "emovoice_recall_class": max(recall, key=recall.get)}
    attributes.update({f"recall_{k}": v for k, v in recall.items()})
    return from_label_probs(NAME, probs, taxonomy="emotion2vec9", attributes=attributes)


def recognize(path: Path, model: str | None = None, device: str = "cpu") -> Recognition:
    engine = load_model(model or DEFAULT_MODEL, device)
    result = engine.generate(str(path), granularity="utterance", extract_embedding=False)[0]
    return to_recognition(list(result["labels"]), [float(s) for s in result["scores"]], model or DEFAULT_MODEL)
