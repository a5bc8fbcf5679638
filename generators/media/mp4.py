"""H.264 MP4 from RGB frames, streamed into the bundled ffmpeg as they come (a long clip never sits in memory).

yuv420p so every player opens it, one encoder thread so the same frames give the same bytes, faststart so it plays
while it downloads. The caller writes to a temporary path (`atomic_path`) and renames it into place.
"""

from __future__ import annotations

import subprocess

import numpy as np

from conditioning.errors import StudioError
from generators.media.ffmpeg_process import popen


def write_mp4(path, frames, size: tuple[int, int], fps: int) -> None:
    """H.264, yuv420p, deterministic (one encoder thread), through the ffmpeg in imageio-ffmpeg, fed raw RGB."""
    width, height = size
    process = popen(
        [
            "-v",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{width}x{height}",
            "-r",
            str(fps),
            "-i",
            "-",
            "-an",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            "-threads",
            "1",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for frame in frames:
            process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        if process.stdin and not process.stdin.closed:
            process.stdin.close()
    error = process.stderr.read().decode(errors="replace") if process.wait() else ""
    process.stderr.close()
    if process.returncode:
        raise StudioError(f"ffmpeg could not encode the video ({error.strip().splitlines()[-1:]}).")
