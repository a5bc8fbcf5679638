"""Read the emotion words in a phrase together with what modifies them: negation ("not at all happy"),
intensifiers and softeners ("utterly", "slightly"), and mixtures ("joy tinged with fear", "calm but uneasy").

This is the lexical half of free-text resolution; it needs no torch, so it is also the fallback when the sentence
encoder is not installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conditioning.lexicon import LexiconEntry, get_lexicon
from conditioning.vad import clip_vad

NEGATORS = frozenset({"not", "no", "never", "hardly", "without", "nor", "neither", "nothing", "lacking", "free"})
DEGREE: dict[str, float] = {
    "very": 1.3,
    "really": 1.25,
    "so": 1.25,
    "extremely": 1.5,
    "utterly": 1.6,
    "completely": 1.5,
    "totally": 1.5,
    "incredibly": 1.5,
    "deeply": 1.4,
    "terribly": 1.45,
    "absolutely": 1.5,
    "overwhelmingly": 1.6,
    "intensely": 1.5,
    "profoundly": 1.5,
    "truly": 1.3,
    "super": 1.3,
    "quite": 1.1,
    "immensely": 1.5,
    "wildly": 1.5,
    "pure": 1.4,
    "sheer": 1.5,
    "overwhelming": 1.5,
    "intense": 1.4,
    "deep": 1.3,
    "great": 1.2,
    "most": 1.3,
    "slightly": 0.5,
    "somewhat": 0.65,
    "mildly": 0.55,
    "faintly": 0.45,
    "barely": 0.4,
    "vaguely": 0.5,
    "lightly": 0.6,
    "gently": 0.7,
    "rather": 0.8,
    "fairly": 0.8,
    "mild": 0.55,
    "faint": 0.45,
    "slight": 0.5,
    "subtle": 0.55,
    "subtly": 0.55,
    "quiet": 0.75,
    "quietly": 0.75,
    "little": 0.55,
    "bit": 0.55,
    "touch": 0.5,
}
"""Multipliers on an emotion's strength (degree adverbs; values are the studio's own, graded by the usual
ordering of English degree modifiers: barely < slightly < somewhat < rather < very < extremely < utterly)."""

SECONDARY_MARKERS = (
    "tinged with",
    "hint of",
    "touch of",
    "trace of",
    "undercurrent of",
    "laced with",
    "touched by",
    "tinge of",
    "shot through with",
    "edge of",
    "note of",
    "flicker of",
)
"""Phrases after which an emotion is a minor part of the mix."""
SECONDARY_WEIGHT = 0.35
SECONDARY_ALONE_DEGREE = 0.5
"""When every emotion in the text follows a marker ("a hint of sadness"), there is no main emotion for it to be a
minor part of: it is the whole feeling, felt faintly (as "slightly sad")."""
CONTRAST_WORDS = frozenset({"but", "yet", "though", "although", "however"})
CONTRAST_EARLIER_WEIGHT = 0.6  # "calm but uneasy": the part after "but" carries more
NEGATION_VALENCE = -0.45  # "not happy" is mildly negative, not the opposite of happy
NEGATION_AROUSAL = -0.3  # "not calm" is somewhat agitated; "not afraid" somewhat relaxed

FILLERS = frozenset(
    {
        "a",
        "an",
        "at",
        "all",
        "of",
        "feel",
        "feeling",
        "feels",
        "felt",
        "be",
        "is",
        "am",
        "are",
        "was",
        "were",
        "too",
        "i",
        "im",
        "it",
        "its",
        "m",
        "s",
        "this",
        "that",
        "the",
        "kind",
        "sort",
        "bit",
    }
)
"""Words that may stand between a modifier and its emotion word ("not at all happy", "a bit of a sad")."""

TOKEN_PATTERN = re.compile(r"[a-z]+(?:'[a-z]+)?|[.,;:!?]")
CLAUSE_BREAKS = frozenset({".", ",", ";", ":", "!", "?"}) | CONTRAST_WORDS | {"and", "or", "while", "with"}


@dataclass(frozen=True)
class Component:
    """One emotion word found in the text and how the text modifies it."""

    entry: LexiconEntry
    weight: float
    degree: float
    negated: bool

    @property
    def vad(self) -> tuple[float, float, float]:
        v, a, d = self.entry.vad
        if self.negated:
            v, a, d = NEGATION_VALENCE * v, NEGATION_AROUSAL * a, NEGATION_AROUSAL * d
        return clip_vad((v * self.degree, a * self.degree, d * self.degree))

    @property
    def intensity(self) -> float:
        base = self.entry.intensity * (0.5 if self.negated else 1.0)
        return min(1.0, base * self.degree)


def tokenize(text: str) -> list[str]:
    """Lower-case word and punctuation tokens; "n't" becomes "not", hyphenated words split."""
    text = text.lower().replace("n't", " not").replace("-", " ")
    return TOKEN_PATTERN.findall(text)


def _mark_secondary(tokens: list[str]) -> list[bool]:
    """True for tokens that follow a secondary marker, up to the next clause break."""
    flags = [False] * len(tokens)
    joined = " ".join(tokens)
    for marker in SECONDARY_MARKERS:
        for match in re.finditer(rf"\b{marker}\b", joined):
            start = joined[: match.end()].count(" ") + 1
            for i in range(start, len(tokens)):
                if tokens[i] in CLAUSE_BREAKS - {"with"}:
                    break
                flags[i] = True
    return flags


def _modifiers(tokens: list[str], index: int) -> tuple[float, bool]:
    """Degree and negation from the contiguous run of modifier words before `index`.

    Walking back stops at the first word that is not a modifier or a filler, so in "barely held-back fear" the
    "barely" belongs to "held back", not to "fear"; in "not feeling at all happy" every word up to "not" counts.
    """
    degree, negated = 1.0, False
    for j in range(index - 1, -1, -1):
        token = tokens[j]
        if token in NEGATORS:
            negated = True
            if "all" in tokens[j + 1 : index]:
                degree *= 1.2
        elif token in DEGREE:
            degree *= DEGREE[token]
        elif token not in FILLERS:
            break
    return degree, negated


def find_components(text: str) -> list[Component]:
    """Every lexicon emotion word in `text`, with its degree, negation and mixture weight."""
    lexicon = get_lexicon()
    tokens = tokenize(text)
    secondary = _mark_secondary(tokens)
    components: list[tuple[int, Component]] = []
    for i, token in enumerate(tokens):
        if token in DEGREE or token in NEGATORS:
            continue
        entry = lexicon.lookup(token)
        if entry is None:
            continue
        degree, negated = _modifiers(tokens, i)
        weight = SECONDARY_WEIGHT if secondary[i] else 1.0
        components.append((i, Component(entry, weight, degree, negated)))
    if components and all(secondary[i] for i, _ in components):
        components = [(i, Component(c.entry, 1.0, c.degree * SECONDARY_ALONE_DEGREE, c.negated)) for i, c in components]
    contrast_at = [i for i, t in enumerate(tokens) if t in CONTRAST_WORDS]
    if contrast_at:
        last = contrast_at[-1]
        components = [
            (i, Component(c.entry, c.weight * (CONTRAST_EARLIER_WEIGHT if i < last else 1.0), c.degree, c.negated))
            for i, c in components
        ]
    return [c for _, c in components]


def exclamation_boost(text: str) -> float:
    """Exclamation marks add a little arousal (0.08 each, at most 0.2)."""
    return min(0.2, 0.08 * text.count("!"))
