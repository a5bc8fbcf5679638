"""Long text for every voice backend: clean it, split it into sentences, place an `EmotionArc` over them, and join
the spoken sentences with pauses.

Shared by eSpeak and the neural voices so that a sentence, an arc's moment and a pause mean the same thing whichever
engine speaks: sentence i speaks the arc at start + span · offset_i / offset_last (offset = its first character), so
the last sentence reaches the arc's last key.
"""

from __future__ import annotations

import re

import numpy as np

from conditioning.arc import EmotionArc
from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec

MAX_CHARS = 20_000
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(character offset, sentence) per sentence; a sentence ends at . ! ? or … before a space, or at a newline."""
    pieces, pos = [], 0
    for match in SENTENCE_BREAK.finditer(text):
        pieces.append((pos, text[pos : match.start()]))
        pos = match.end()
    pieces.append((pos, text[pos:]))
    return [(offset, piece.strip()) for offset, piece in pieces if piece.strip()]


def sentence_specs(offsets: list[int], emotion: EmotionSpec | EmotionArc) -> list[tuple[float, EmotionSpec]]:
    """(time, spec) per sentence: a constant spec everywhere, or the arc stretched over the sentences' starts."""
    if isinstance(emotion, EmotionSpec):
        return [(0.0, emotion)] * len(offsets)
    last = offsets[-1] or 1
    times = [emotion.start + (emotion.end - emotion.start) * offset / last for offset in offsets]
    return [(t, emotion.at(t)) for t in times]


def clean_text(text: str) -> str:
    """Control characters out (eSpeak would read \\x01 as an embedded command, tokenizers as unknown tokens); refuse
    empty and huge texts."""
    text = CONTROL_CHARS.sub(" ", text or "")
    if not text.strip():
        raise StudioError("The text to speak is empty; give the words to say, e.g. text='I never thought I'd see you.'")
    if not any(ch.isalnum() for ch in text):
        raise StudioError(f"The text to speak {text[:40]!r} has no words; give the words to say.")
    if len(text) > MAX_CHARS:
        raise StudioError(f"The text to speak has {len(text)} characters; split it into parts under {MAX_CHARS}.")
    return text


def join_with_pauses(parts: list[np.ndarray], pauses_ms: list[float], sample_rate: int) -> np.ndarray:
    """parts[0], pause 0, parts[1], pause 1, …: each part followed by its silence (the last one's is the end pad)."""
    pieces = []
    for part, pause_ms in zip(parts, pauses_ms):
        pieces += [part, np.zeros(round(sample_rate * pause_ms / 1000), dtype=part.dtype)]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
