"""EmoSet / FI-style folders: one sub-folder per Mikels-8 emotion (`amusement/`, `awe/`, …; EmoSet also nests them
under `image/`), images inside. No description comes with them, so the caption is the subject given (default "a
photo") plus the emotion mapped into the target taxonomy.
"""

from __future__ import annotations

from pathlib import Path

from conditioning import StudioError, get_taxonomy
from finetune.datasets.captions import build_caption, map_emotion
from finetune.datasets.records import Dataset, Record

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}
SUBJECT = "a photo"


def emotion_root(root: Path) -> Path:
    return root / "image" if (root / "image").is_dir() else root


def load(root: Path, taxonomy: str = "mikels8", subject: str = SUBJECT) -> Dataset:
    data = Dataset("emoset", root)
    for folder in sorted(p for p in emotion_root(root).iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            emotion = map_emotion(folder.name, taxonomy)
        except StudioError as exc:
            data.skip(folder.name + "/", str(exc))
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                data.skip(f"{folder.name}/{path.name}", "not an image file")
            elif path.stat().st_size == 0:
                data.skip(f"{folder.name}/{path.name}", "empty file")
            else:
                caption = build_caption(subject, emotion)
                data.records.append(Record(media=path, caption=caption, emotion=emotion, source=path.name))
    return data


def looks_like(root: Path) -> bool:
    base = emotion_root(root)
    return root.is_dir() and any((base / label).is_dir() for label in get_taxonomy("mikels8").labels)
