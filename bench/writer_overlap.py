"""Encoding and writing off the critical path in `studio batch`: small video jobs with the writer threads against
the same jobs written in the generating thread, measured in one run.

    python bench/writer_overlap.py [--jobs 20] [--pairs 3] [--size 128x128] [--duration 2] [--voice]

Both sides are `run_batch` over the same manifest into fresh folders: `writer_threads=2` (the default: frames are
rendered to memory and H.264-encoded, muxed and fsynced on a writer thread while the next clip renders) against
`writer_threads=0` (each clip streamed into ffmpeg as it renders and finished before the next starts). Runs alternate
A/B/B/A for `--pairs` pairs so load from elsewhere hits both sides; printed: the median of the pairs' ratios, and
whether every MP4 is the same bytes on both sides (it must be).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EMOTIONS = ("joy", "fear", "calm", "anger", "awe", "sadness")


def manifest(folder: Path, n: int, size: str, duration: float, voice: bool) -> Path:
    path = folder / "videos.jsonl"
    options = {"size": size, "duration": duration, **({"voice": "The tide comes in, slowly."} if voice else {})}
    rows = [{"id": f"v{i:03d}", "modality": "video", "emotion": EMOTIONS[i % 6], "options": options} for i in range(n)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def timed_batch(jobs: Path, out: Path, writer_threads: int) -> float:
    from studio.batch import run_batch

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = run_batch(jobs, out, progress=False, writer_threads=writer_threads)
    seconds = time.perf_counter() - start
    if result.exit_code or result.failed:
        raise SystemExit(f"batch failed: {result.failed}")
    return seconds


def clips(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.rglob("*.mp4"))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--size", default="128x128")
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--voice", action="store_true", help="narrate every clip (eSpeak + AAC mux in the write)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        jobs = manifest(tmp, args.jobs, args.size, args.duration, args.voice)
        timed_batch(jobs, tmp / "warm", 2)  # imports, ffmpeg and font caches outside the timing
        ratios, inline_s, background_s = [], [], []
        for pair in range(args.pairs):
            order = (0, 2) if pair % 2 == 0 else (2, 0)
            seconds = {threads: timed_batch(jobs, tmp / f"out{threads}", threads) for threads in order}
            inline_s.append(seconds[0])
            background_s.append(seconds[2])
            ratios.append(seconds[0] / seconds[2])
        same = clips(tmp / "out0") == clips(tmp / "out2") and len(clips(tmp / "out0")) == args.jobs
    print(
        f"{args.jobs} video jobs ({args.size}, {args.duration:g} s{', narrated' if args.voice else ''}): "
        f"writer threads {statistics.median(background_s):5.2f} s | written inline {statistics.median(inline_s):5.2f} s"
        f"  -> {statistics.median(ratios):.2f}x (median of {args.pairs} A/B pairs: "
        f"{', '.join(f'{r:.2f}' for r in ratios)}); same bytes: {same}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
