"""What every dataset adapter returns: training records plus the bad ones, counted with their reasons.

Real datasets always hold a few broken rows (a missing image, a truncated JSON line, an emotion word nobody knows);
one of them must never stop a run of thousands, but silently dropping them hides a broken download. So adapters
append a `Bad` for each and the training script reports the count and the first reasons.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """media: the image, video or audio file. caption: what the generator is trained on. emotion: the label in the
    target taxonomy (None when the source has none). text: words spoken (voice sets only). source: where it came
    from (file and line / key), for error messages."""

    media: Path
    caption: str
    emotion: str | None = None
    text: str | None = None
    source: str = ""


@dataclass(frozen=True)
class Bad:
    source: str
    reason: str


@dataclass
class Dataset:
    """format: the adapter that read it. root: the folder or file given."""

    format: str
    root: Path
    records: list[Record] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)

    def skip(self, source: str, reason: str) -> None:
        self.bad.append(Bad(source, reason))

    def emotions(self) -> list[str]:
        return sorted({r.emotion for r in self.records if r.emotion})

    def summary(self) -> str:
        text = f"{self.format} dataset {self.root}: {len(self.records)} records, {len(self.bad)} bad"
        if self.bad:
            text += " (" + "; ".join(f"{b.source}: {b.reason}" for b in self.bad[:3])
            text += ", …)" if len(self.bad) > 3 else ")"
        return text

    def log_summary(self) -> None:
        (log.warning if self.bad else log.info)("%s", self.summary())
