"""Dataset adapters that read the public formats as they are; `load_dataset` detects which one a path holds.

Detection order matters where formats overlap: an imagefolder's `metadata.jsonl` and EmoVoice-DB's jsonl are both
JSON lines, and an EmoArt folder holds images in sub-folders like an EmoSet one; the most specific test runs first.
"""

from __future__ import annotations

from pathlib import Path

from conditioning import StudioError
from finetune.datasets import emoart, emoset, emovoice, imagefolder, video
from finetune.datasets.records import Bad, Dataset, Record

ADAPTERS = {"imagefolder": imagefolder, "emovoice": emovoice, "emoart": emoart, "video": video, "emoset": emoset}

__all__ = ["ADAPTERS", "Bad", "Dataset", "Record", "detect_format", "load_dataset"]


def detect_format(path: Path) -> str:
    for name, module in ADAPTERS.items():
        if module.looks_like(path):
            return name
    raise StudioError(f"Cannot tell which dataset format {path} holds; pass --format one of {', '.join(ADAPTERS)}.")


def load_dataset(path, format: str | None = None, taxonomy: str = "mikels8") -> Dataset:
    """Read `path` (folder or file) with the named adapter or the detected one; bad records are kept in `.bad`."""
    path = Path(path).expanduser()
    if not path.exists():
        raise StudioError(f"Dataset {path} does not exist; give a folder or annotation file with --data.")
    if format and format not in ADAPTERS:
        raise StudioError(f"Unknown dataset format {format!r}; use one of {', '.join(ADAPTERS)}.")
    data = ADAPTERS[format or detect_format(path)].load(path, taxonomy=taxonomy)
    data.log_summary()
    return data
