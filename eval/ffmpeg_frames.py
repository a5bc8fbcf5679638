"""Decode video frames with the ffmpeg binary that imageio-ffmpeg ships, resampled by ffmpeg itself.

ffmpeg writes the frames as a PPM stream, whose per-frame header carries the size, so there is no need to parse its
log for the output size (imageio_ffmpeg.read_frames does that, polling in 10 ms sleeps and leaving pipes for the
garbage collector — a third of the cost of a short clip). MP4, GIF, WebM all take this one path. Inside an open
`eval.prefetch.prefetching` plan (`studio eval`), the next clips are decoded while the judge scores this one.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from conditioning.errors import StudioError
from eval.prefetch import prefetched


def ffmpeg_frames(path: Path, filters: str, max_frames: int | None = None) -> list[np.ndarray]:
    """uint8 RGB frames after the ffmpeg filter chain `filters` (e.g. 'fps=12,scale=…'). Unreadable → StudioError."""
    return prefetched(decode_frames, path, filters, max_frames)


def decode_frames(path: Path, filters: str, max_frames: int | None = None) -> list[np.ndarray]:
    """`ffmpeg_frames` without the prefetch plan: run ffmpeg now."""
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-vf", filters]
    cmd += ["-frames:v", str(max_frames)] if max_frames else []
    cmd += ["-f", "image2pipe", "-vcodec", "ppm", "-"]
    frames = []
    log = tempfile.TemporaryFile()  # a file, not a pipe: a flood of decode errors can never block ffmpeg
    with log, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log) as proc:
        while True:
            magic = proc.stdout.readline()
            if not magic:
                break
            width, height = (int(x) for x in proc.stdout.readline().split())
            proc.stdout.readline()  # maxval 255
            data = proc.stdout.read(width * height * 3)
            if len(data) < width * height * 3:
                break
            frames.append(np.frombuffer(data, np.uint8).reshape(height, width, 3))
        proc.wait()
        log.seek(0)
        errors = log.read(20000).decode("utf-8", "replace").strip()
    if proc.returncode != 0 and not frames:
        first = re.sub(r"^\[[^\]]*\]\s*", "", errors.splitlines()[0]) if errors else f"ffmpeg code {proc.returncode}"
        raise StudioError(f"Cannot decode video {Path(path).name} (truncated or not a video): {first}")
    if not frames:
        raise StudioError(f"Video {Path(path).name} has no decodable frames (empty or truncated).")
    return frames
