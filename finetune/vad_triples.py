"""(neutral prompt, emotional prompt, VAD) triples for the VAD adapter, made from the anchor lexicon.

EmotiCrafter (ICCV 2025; FACTS §4) learns from pairs of a neutral description and its emotional rewrite with the
rewrite's V and A. We have no paired corpus, so the rewrite is the studio's own composed prompt: the subject plus
"evoking <word>" and the EmoArt attribute phrases that `prompt_fragments` derives from the word's VAD — every
lexicon word (sourced VAD ratings) times a handful of emotion-free subjects. Words are split into train and dev by
word, never by prompt, so the dev loss measures VAD points the adapter has not seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from conditioning import resolve
from conditioning.lexicon import get_lexicon
from conditioning.prompt_fragments import prompt_fragments

SUBJECTS = (
    "a lighthouse on the sea",
    "a city street at night",
    "a portrait of a woman",
    "a forest in the storm",
    "a garden with a field",
    "a boat in the harbour",
)


@dataclass(frozen=True)
class Triple:
    neutral: str
    emotional: str
    vad: tuple[float, float, float]
    word: str


def make_triples(subjects=SUBJECTS, dev_every: int = 5) -> tuple[list[Triple], list[Triple]]:
    """(train, dev): every `dev_every`-th lexicon word (alphabetical) goes to dev."""
    train, dev = [], []
    for i, word in enumerate(sorted(get_lexicon().entries)):
        spec = resolve(word, use_encoder=False)
        phrases = prompt_fragments(spec).image
        triples = [Triple(s, ", ".join([s, *phrases]), spec.vad, word) for s in subjects]
        (dev if dev_every and i % dev_every == dev_every - 1 else train).extend(triples)
    return train, dev
