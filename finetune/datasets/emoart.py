"""EmoArt annotation records (arXiv 2506.03652; FACTS §5): `{request_id, image_path: "images/<style>/<file>",
description: {first_section: {description}, second_section: {visual_attributes: {brushstroke, color, composition,
light_and_shadow, line_quality}, emotional_impact}, third_section: {emotional_arousal_level, emotional_valence,
dominant_emotion, ...}}}`, in a .json list or .jsonl file.

Images come as one `<style>.tar.gz` per style; when `images/<style>/<file>` is not on disk but its archive is, the
archive is unpacked once into `<root>/.emoart-extracted/` (tarfile's "data" filter: no absolute paths, no links out).
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from conditioning import StudioError
from finetune.datasets.captions import build_caption, map_emotion
from finetune.datasets.records import Dataset, Record

ATTRIBUTES = ("color", "light_and_shadow", "composition", "line_quality", "brushstroke")  # the prompt's order
EXTRACTED = ".emoart-extracted"


def read_json_records(path: Path, data: Dataset) -> list[tuple[str, object]]:
    """(where, record) pairs from a JSON list / object, or one per JSONL line; unparsable lines become bad."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json":
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            data.skip(path.name, f"not valid JSON ({exc.msg})")
            return []
        items = loaded if isinstance(loaded, list) else list(loaded.values()) if isinstance(loaded, dict) else []
        return [(f"{path.name}[{i}]", item) for i, item in enumerate(items)]
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append((f"{path.name}:{number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                data.skip(f"{path.name}:{number}", f"not valid JSON ({exc.msg})")
    return out


def annotation_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.glob("*") if p.suffix in (".json", ".jsonl") and p.name != "metadata.jsonl")


def locate_image(root: Path, image_path: str) -> Path | None:
    """The image on disk, unpacking its style archive when only the archive is there."""
    rel = Path(image_path)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    for candidate in (root / rel, root / EXTRACTED / rel):
        if candidate.is_file():
            return candidate
    style = rel.parent.name
    for archive in (root / rel.parent.parent / f"{style}.tar.gz", root / f"{style}.tar.gz"):
        if archive.is_file():
            marker = root / EXTRACTED / f".{style}.done"
            if not marker.exists():
                with tarfile.open(archive) as tar:
                    tar.extractall(root / EXTRACTED / rel.parent.parent, filter="data")
                marker.touch()
            for candidate in (root / EXTRACTED / rel, root / EXTRACTED / rel.parent.parent / rel.name):
                if candidate.is_file():
                    return candidate
    return None


def parse(where: str, item, root: Path, taxonomy: str) -> Record:
    if not isinstance(item, dict) or "image_path" not in item:
        raise StudioError("no image_path")
    desc = item.get("description") or {}
    first, second, third = (desc.get(k) or {} for k in ("first_section", "second_section", "third_section"))
    image = locate_image(root, str(item["image_path"]))
    if image is None:
        raise StudioError(f"image {item['image_path']} is missing")
    emotion = map_emotion(
        third.get("dominant_emotion"),
        taxonomy,
        str(third.get("emotional_valence", "")),
        str(third.get("emotional_arousal_level", "")),
    )
    attrs = second.get("visual_attributes") or {}
    caption = build_caption(first.get("description") or "", emotion, [attrs.get(k, "") for k in ATTRIBUTES])
    return Record(media=image, caption=caption, emotion=emotion, source=str(item.get("request_id") or where))


def load(root: Path, taxonomy: str = "mikels8") -> Dataset:
    data = Dataset("emoart", root)
    base = root.parent if root.is_file() else root
    for path in annotation_files(root):
        for where, item in read_json_records(path, data):
            try:
                data.records.append(parse(where, item, base, taxonomy))
            except (StudioError, AttributeError, TypeError, tarfile.TarError, OSError) as exc:
                data.skip(where, str(exc) or exc.__class__.__name__)
    return data


def looks_like(root: Path) -> bool:
    for path in annotation_files(root)[:3]:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
        if '"image_path"' in head and '"description"' in head:
            return True
    return False
