"""The anchor lexicon: emotion words with VAD positions and the source of each number.

Data: conditioning/data/anchor_lexicon.csv, one row per (word, source), each on its published scale. NRC-VAD v1
(Mohammad 2018; research use) and Warriner et al. 2013 (CC BY-NC-ND) appear only as the 30-word table of
../shared/reference/FACTS.md §2; Russell 1980 gives V and A; the rest are the studio's own circumplex estimates,
marked as such. Where sources disagree they are averaged and all are recorded on the entry.
"""

from __future__ import annotations

import csv
import difflib
import functools
from dataclasses import dataclass
from pathlib import Path

from conditioning.vad import to_unit_vad
from conditioning.word_forms import lemma_candidates

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

    def closest(self, word: str, n: int = 3) -> list[str]:
        """Spelling neighbours, for "did you mean" messages."""
        return difflib.get_close_matches(word.lower(), list(self.entries), n=n, cutoff=0.6)


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
