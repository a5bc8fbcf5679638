"""Small previews for the HTML gallery: JPEG thumbnails as data URIs, and audio either embedded or linked.

Reports must stay small and fast for thousands of outputs: thumbnails are THUMB_SIDE pixels, videos contribute one
frame (never the clip), and audio is embedded only while a total byte budget lasts — after that, and for any
large file, the player links to the file relative to the report.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import numpy as np
from PIL import Image

from eval.ffmpeg_frames import ffmpeg_frames

THUMB_SIDE = 96
MAX_EMBED_BYTES = 1 << 20  # one audio file larger than this is linked, not embedded


def first_frame(path: Path, side: int = THUMB_SIDE) -> np.ndarray:
    """One frame of a video (GIFs through PIL, anything else through ffmpeg)."""
    if path.suffix.lower() == ".gif":
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    scale = f"scale={side}:{side}:force_original_aspect_ratio=decrease"
    return ffmpeg_frames(path, scale, max_frames=1)[0]


def thumbnail_uri(path: Path, modality: str, side: int = THUMB_SIDE) -> str | None:
    """data:image/jpeg URI of a small preview; None for audio or when the file cannot be decoded."""
    try:
        if modality == "image":
            with Image.open(path) as image:
                image.draft("RGB", (side, side))
                thumb = image.convert("RGB")
        elif modality == "video":
            thumb = Image.fromarray(first_frame(path, side))
        else:
            return None
        thumb.thumbnail((side, side))
        buffer = io.BytesIO()
        thumb.save(buffer, format="JPEG", quality=70)
    except Exception:  # a preview is a nicety; a broken one must not cost the report
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class AudioEmbedder:
    """Gives each audio file a `src`: a data URI while the budget lasts, else a link relative to the report."""

    def __init__(self, out_dir: Path, budget_bytes: int):
        self.out_dir, self.left = Path(out_dir).resolve(), budget_bytes

    def source(self, path: Path) -> str:
        path = Path(path)
        size = path.stat().st_size if path.exists() else 0
        if 0 < size <= min(self.left, MAX_EMBED_BYTES):
            self.left -= size
            mime = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg"}.get(
                path.suffix.lower(), "audio/wav"
            )
            return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        return Path(os.path.relpath(path.resolve(), self.out_dir)).as_posix()
