"""The diffusion prompt: the user's subject, then the emotion, then EmoArt's attribute phrases, cut to the model's
token limit by dropping the least important phrase first.

Every family we load (SD, SDXL, SD3.5, FLUX) reads the prompt through a CLIP text encoder that sees at most 77 tokens
(`model_max_length`); words past that are silently cut by the pipeline, so whole phrases are cut instead
(`generators.prompt_fit`, shared with the Wan prompt). Importance follows `prompt_fragments`' order:
feeling, colour, light, composition, line, brushwork — colour and light carry the most affect (Valdez & Mehrabian
1994, FACTS §3), so brushwork goes first. The vocabulary itself lives in `conditioning.prompt_fragments`.
"""

from __future__ import annotations

from conditioning.prompt_fragments import prompt_fragments
from conditioning.spec import EmotionSpec
from generators.prompt_fit import ComposedPrompt, fit

DEFAULT_SUBJECT = "an expressive painting"
NO_LIMIT = 100_000  # tokenizers without a limit report ~1e30


def tokenizers_of(pipe) -> list:
    return [getattr(pipe, name) for name in ("tokenizer", "tokenizer_2", "tokenizer_3") if getattr(pipe, name, None)]


def token_limit(tokenizers) -> int:
    """The tightest limit among the pipeline's tokenizers (CLIP's 77 for every family we load)."""
    limits = [int(t.model_max_length) for t in tokenizers if 0 < t.model_max_length < NO_LIMIT]
    return min(limits) if limits else 77


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
