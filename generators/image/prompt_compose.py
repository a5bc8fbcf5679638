"""The diffusion prompt: the user's subject, then the emotion, then EmoArt's attribute phrases, cut to the model's
token limit by dropping the least important phrase first.

Every family we load (SD, SDXL, SD3.5, FLUX) reads the prompt through a CLIP text encoder that sees at most 77 tokens
(`model_max_length`); words past that are silently cut by the pipeline. Cutting whole phrases here instead keeps the
prompt grammatical and the provenance honest about what the model saw. Importance follows `prompt_fragments`' order:
feeling, colour, light, composition, line, brushwork — colour and light carry the most affect (Valdez & Mehrabian
1994, FACTS §3), so brushwork goes first. The vocabulary itself lives in `conditioning.prompt_fragments`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from conditioning.prompt_fragments import prompt_fragments
from conditioning.spec import EmotionSpec

log = logging.getLogger(__name__)

DEFAULT_SUBJECT = "an expressive painting"
NO_LIMIT = 100_000  # tokenizers without a limit report ~1e30


@dataclass(frozen=True)
class ComposedPrompt:
    """prompt / negative: what the pipeline receives. dropped: phrases cut to fit. limit: the token budget."""

    prompt: str
    negative: str | None
    dropped: tuple[str, ...]
    limit: int

    def to_dict(self) -> dict:
        return {"prompt": self.prompt, "negative": self.negative, "dropped": list(self.dropped), "limit": self.limit}


def tokenizers_of(pipe) -> list:
    return [getattr(pipe, name) for name in ("tokenizer", "tokenizer_2", "tokenizer_3") if getattr(pipe, name, None)]


def token_limit(tokenizers) -> int:
    """The tightest limit among the pipeline's tokenizers (CLIP's 77 for every family we load)."""
    limits = [int(t.model_max_length) for t in tokenizers if 0 < t.model_max_length < NO_LIMIT]
    return min(limits) if limits else 77


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


def compose(spec: EmotionSpec, subject: str, pipe, negative: str | None = None, plain: bool = False) -> ComposedPrompt:
    """Subject + emotion + attributes (and a negative prompt), or with `plain` the user's text alone."""
    tokenizers = tokenizers_of(pipe)
    limit = token_limit(tokenizers)
    if plain:
        return ComposedPrompt(prompt=subject, negative=negative or None, dropped=(), limit=limit)
    fragments = prompt_fragments(spec)
    tokenizer = tokenizers[0] if tokenizers else None
    if tokenizer is None:  # a pipeline without a tokenizer attribute: nothing to measure with
        return ComposedPrompt(", ".join([subject or DEFAULT_SUBJECT, *fragments.image]), negative, (), limit)
    prompt, dropped = fit([subject.strip() or DEFAULT_SUBJECT, *fragments.image], tokenizer, limit)
    negative_text, _ = fit([(negative or "").strip(), *fragments.negative], tokenizer, limit)
    return ComposedPrompt(prompt=prompt, negative=negative_text, dropped=dropped, limit=limit)
