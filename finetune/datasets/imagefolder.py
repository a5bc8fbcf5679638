"""Hugging Face imagefolder (FACTS §5): a folder of images plus `metadata.jsonl` lines `{"file_name": ..., "text":
...}` (an `emotion` column is used when present, else the first target-taxonomy label named in the text).

The caption is the row's text as written: a user who wrote their own captions meant them.
"""

from __future__ import annotations

from pathlib import Path

from conditioning import StudioError
from finetune.datasets.captions import find_emotion, map_emotion
from finetune.datasets.emoart import read_json_records
from finetune.datasets.records import Dataset, Record

METADATA = "metadata.jsonl"


def load(root: Path, taxonomy: str = "mikels8") -> Dataset:
    folder = root.parent if root.is_file() else root
    data = Dataset("imagefolder", folder)
    for where, row in read_json_records(folder / METADATA, data):
        try:
            if not isinstance(row, dict) or not row.get("file_name"):
                raise StudioError("no file_name")
            rel = Path(str(row["file_name"]))
            if rel.is_absolute() or ".." in rel.parts or not (folder / rel).is_file():
                raise StudioError(f"image {rel} is missing")
            text = str(row.get("text") or row.get("caption") or "").strip()
            if not text:
                raise StudioError("empty text")
            emotion = map_emotion(row["emotion"], taxonomy) if row.get("emotion") else find_emotion(text, taxonomy)
            data.records.append(Record(media=folder / rel, caption=text, emotion=emotion, source=where))
        except StudioError as exc:
            data.skip(where, str(exc))
    return data


def looks_like(root: Path) -> bool:
    return (root / METADATA).is_file() or root.name == METADATA
