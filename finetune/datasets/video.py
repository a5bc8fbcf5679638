"""Video LoRA folders as DiffSynth-Studio and finetrainers read them (FACTS §5): `metadata.csv` with columns
`video,prompt[,emotion]`, or paired `clip.mp4` / `clip.txt`. The prompt is the caption; the emotion comes from its
column, else from the first target-taxonomy label the prompt names.
"""

from __future__ import annotations

import csv
from pathlib import Path

from conditioning import StudioError
from finetune.datasets.captions import find_emotion, map_emotion
from finetune.datasets.records import Dataset, Record

VIDEO_SUFFIXES = {".mp4", ".webm", ".mov", ".mkv", ".gif"}


def record(folder: Path, name: str, prompt: str, emotion: str | None, where: str, taxonomy: str) -> Record:
    rel = Path(name)
    if not name or rel.is_absolute() or ".." in rel.parts or not (folder / rel).is_file():
        raise StudioError(f"video {name!r} is missing")
    if not prompt.strip():
        raise StudioError("empty prompt")
    label = map_emotion(emotion, taxonomy) if emotion else find_emotion(prompt, taxonomy)
    return Record(media=folder / rel, caption=prompt.strip(), emotion=label, source=where)


def load_csv(folder: Path, taxonomy: str, data: Dataset) -> None:
    with open(folder / "metadata.csv", newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        if not {"video", "prompt"} <= set(reader.fieldnames or ()):
            data.skip("metadata.csv", "needs the columns video,prompt")
            return
        for number, row in enumerate(reader, 2):
            try:
                rec = record(folder, row["video"] or "", row["prompt"] or "", row.get("emotion"), "", taxonomy)
                data.records.append(Record(rec.media, rec.caption, rec.emotion, source=f"metadata.csv:{number}"))
            except StudioError as exc:
                data.skip(f"metadata.csv:{number}", str(exc))


def load(root: Path, taxonomy: str = "mikels8") -> Dataset:
    folder = root.parent if root.is_file() else root
    data = Dataset("video", folder)
    if (folder / "metadata.csv").is_file():
        load_csv(folder, taxonomy, data)
        return data
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES):
        text = path.with_suffix(".txt")
        try:
            if not text.is_file():
                raise StudioError(f"no caption file {text.name}")
            prompt = text.read_text(encoding="utf-8", errors="replace")
            data.records.append(record(folder, path.name, prompt, None, path.name, taxonomy))
        except StudioError as exc:
            data.skip(path.name, str(exc))
    return data


def looks_like(root: Path) -> bool:
    if (root / "metadata.csv").is_file():
        return True
    return root.is_dir() and any(p.suffix.lower() in VIDEO_SUFFIXES for p in root.iterdir())
