"""The Wan prompt: the user's subject, then the emotion in EmoVid's terms — hue and colourfulness, brightness, motion —
then EmoArt's painterly attributes (composition, line, brushwork), plus a negative prompt.

EmoVid (FACTS §3) found that what separates emotional clips is brightness, colourfulness, hue and motion, so those
phrases come right after the feeling; composition, line and brushwork matter for a still and come last, so they are
the first dropped when the prompt outgrows the text encoder. Wan reads prompts through UMT5 with 512 tokens
(`max_sequence_length`), far more than these phrases need, so in practice nothing is dropped. The vocabulary itself
lives in `conditioning.prompt_fragments` (`.video` = the image phrases + `motion_phrases(MotionStyle)`).
"""

from __future__ import annotations

from conditioning.prompt_fragments import prompt_fragments
from conditioning.spec import EmotionSpec
from generators.prompt_fit import ComposedPrompt, fit

DEFAULT_SUBJECT = "a cinematic scene"
MAX_SEQUENCE_LENGTH = 512  # WanPipeline's default; UMT5 sees at most this many tokens


def video_phrases(spec: EmotionSpec) -> list[str]:
    """Feeling, colour (hue, colourfulness), light (brightness), motion…, then composition, line, brushwork."""
    fragments = prompt_fragments(spec)
    image, motion = list(fragments.image), list(fragments.video[len(fragments.image) :])
    return [*image[:3], *motion, *image[3:]]


def compose_video(
    spec: EmotionSpec, subject: str, tokenizer, negative: str | None = None, plain: bool = False
) -> ComposedPrompt:
    """Subject + emotion phrases and a negative prompt, or with `plain` the user's text alone (as raw diffusers)."""
    if plain:
        return ComposedPrompt(prompt=subject, negative=negative or None, dropped=(), limit=MAX_SEQUENCE_LENGTH)
    parts = [subject.strip() or DEFAULT_SUBJECT, *video_phrases(spec)]
    prompt, dropped = fit(parts, tokenizer, MAX_SEQUENCE_LENGTH)
    negative_text, _ = fit([(negative or "").strip(), *prompt_fragments(spec).negative], tokenizer, MAX_SEQUENCE_LENGTH)
    return ComposedPrompt(prompt=prompt, negative=negative_text, dropped=dropped, limit=MAX_SEQUENCE_LENGTH)
