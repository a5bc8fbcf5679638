"""Embedded image and video backends against their budgets, with peak memory, in one run.

    python bench/embedded_generators.py

Budgets (issue 3): a 512×512 image ≤ 150 ms; 4 s of 256×256 video at 24 fps ≤ 3 s including encoding. Ratios:
the studio call (style + paint + PNG + sidecar) against painting alone; video with encoding against rendering alone
— the same emotion, seed and size on both sides of each ratio, runs alternated.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EMOTIONS = ("joy", "fear", "sadness", "calm", "furious", "awe")


def timed(fn, repeats: int) -> list[float]:
    out = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    from conditioning import resolve
    from conditioning.visual_style import visual_style
    from generators.image.painter import make_genes, paint
    from studio import generate_image, generate_video

    specs = [resolve(e) for e in EMOTIONS]  # resolve once: this measures generation, not the text encoder
    tmp = Path(tempfile.mkdtemp())
    generate_image(specs[0], out=tmp / "warm.png")

    paint_only = timed(lambda i: paint(visual_style(specs[i % 6]), (512, 512), make_genes(i)), 12)
    studio = timed(lambda i: generate_image(specs[i % 6], seed=i, out=tmp / f"i{i}.png"), 12)
    tracemalloc.start()
    generate_image(specs[1], seed=99, out=tmp / "mem.png")
    image_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    from generators.video.procedural import render_frames
    from studio.api import build_request

    video, render_only = [], []
    for i in range(3):  # the same emotion, seed and size on both sides, alternated
        call = dict(seed=i, size="256x256", duration=4, fps=24, out=tmp / f"v{i}.mp4")
        request = build_request("video", specs[i % 6], **call)[1]
        for side in ("render", "video") if i % 2 else ("video", "render"):
            start = time.perf_counter()
            if side == "video":
                generate_video(specs[i % 6], **call)
            else:
                for _ in render_frames(request, (256, 256), 4.0, 24):
                    pass
            (video if side == "video" else render_only).append(time.perf_counter() - start)

    img_med, paint_med, vid_med = statistics.median(studio), statistics.median(paint_only), statistics.median(video)
    print(
        f"image 512x512: {img_med * 1000:.0f} ms median (budget 150 ms -> {'OK' if img_med <= 0.15 else 'OVER'}); "
        f"paint alone {paint_med * 1000:.0f} ms; studio/paint ratio {img_med / paint_med:.2f}x; "
        f"traced peak {image_peak:.1f} MiB"
    )
    print(
        f"video 4 s 256x256 @24 fps: {vid_med:.2f} s median incl. H.264 encoding (budget 3 s -> "
        f"{'OK' if vid_med <= 3 else 'OVER'}); rendering alone {statistics.median(render_only):.2f} s; "
        f"with encoding / rendering alone {vid_med / statistics.median(render_only):.2f}x (ffmpeg encodes in its "
        f"own process, overlapping the rendering)"
    )
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
