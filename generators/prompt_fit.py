"""A prompt cut to its text encoder's token budget by whole phrases, the least important (last) first — shared by
the diffusion image prompt (CLIP, 77 tokens) and the Wan video prompt (UMT5, 512).

Cutting whole phrases here, instead of letting the pipeline cut words past the limit, keeps the prompt grammatical
and the provenance honest about what the model saw (`ComposedPrompt.dropped`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ComposedPrompt:
    """prompt / negative: what the pipeline receives. dropped: phrases cut to fit. limit: the token budget."""

    prompt: str
    negative: str | None
    dropped: tuple[str, ...]
    limit: int

    def to_dict(self) -> dict:
        return {"prompt": self.prompt, "negative": self.negative, "dropped": list(self.dropped), "limit": self.limit}


def count_tokens(tokenizer, text: str) -> int:
    """Tokens the encoder sees, start and end markers included."""
    return len(tokenizer(text, truncation=False, verbose=False)["input_ids"])


def fit(parts: list[str], tokenizer, limit: int) -> tuple[str, tuple[str, ...]]:
    """Join with commas, dropping phrases from the end (never the first) until the text fits `limit` tokens."""
    kept = [p for p in parts if p]
    dropped: list[str] = []
    while len(kept) > 1 and count_tokens(tokenizer, ", ".join(kept)) > limit:
        dropped.insert(0, kept.pop())
    text = ", ".join(kept)
    if count_tokens(tokenizer, text) > limit:
        log.warning("the prompt's first phrase is longer than the model's %d-token limit; the encoder cuts it", limit)
    return text, tuple(dropped)
