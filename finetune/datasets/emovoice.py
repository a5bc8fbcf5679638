"""EmoVoice-DB jsonl (HF dataset card yhaha/EmoVoice-DB; FACTS §5): `key, source_text, target_text, emotion,
emotion_text_prompt, target_wav`. Used as an evaluation set for the voice backends: the record's text is what to
say, its caption the free-text speaking-style description, its emotion the EmoVoice-7 label mapped to the target.
"""

from __future__ import annotations

from pathlib import Path

from conditioning import StudioError
from finetune.datasets.captions import map_emotion
from finetune.datasets.emoart import read_json_records
from finetune.datasets.records import Dataset, Record

FIELDS = ("key", "target_text", "emotion", "target_wav")


def load(root: Path, taxonomy: str = "mikels8") -> Dataset:
    files = [root] if root.is_file() else sorted(root.glob("*.jsonl"))
    data = Dataset("emovoice", root)
    for path in files:
        for where, row in read_json_records(path, data):
            try:
                if not isinstance(row, dict) or any(not row.get(k) for k in FIELDS):
                    raise StudioError(f"needs {', '.join(FIELDS)}")
                wav = Path(str(row["target_wav"]))
                wav = wav if wav.is_absolute() else path.parent / wav
                if not wav.is_file():
                    raise StudioError(f"audio {row['target_wav']} is missing")
                emotion = map_emotion(str(row["emotion"]), taxonomy)
                caption = str(row.get("emotion_text_prompt") or f"speaking with {emotion}")
                text = str(row["target_text"])
                data.records.append(Record(wav, caption, emotion, text=text, source=f"{where} {row['key']}"))
            except StudioError as exc:
                data.skip(where, str(exc))
    return data


def looks_like(root: Path) -> bool:
    files = [root] if root.is_file() else sorted(root.glob("*.jsonl"))[:3]
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            if '"target_wav"' in handle.read(4096):
                return True
    return False
