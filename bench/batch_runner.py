"""Batch runner overhead and scale-out, measured in one run.

    python bench/batch_runner.py [--pairs 7] [--jobs 160] [--size 256x256]

1. Per-job overhead: N procedural-image jobs through `studio batch` (in-process) versus the same N generator calls
   made directly; (batch − direct) / N, budget ≤ 5 ms.
2. Scale-out: 160 small image jobs on 1 process and on 2 sharded processes (RANK/WORLD_SIZE, as `accelerate
   launch` sets them), alternated A/B/B/A for `--pairs` pairs so load from elsewhere hits both sides; the median of
   the pairs' ratios, budget ≥ 1.7× on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EMOTIONS = ("joy", "fear", "calm", "anger", "awe", "sadness")


def manifest(folder: Path, n: int, size: str) -> Path:
    path = folder / "m.jsonl"
    rows = [
        {"id": f"j{i:04d}", "modality": "image", "emotion": EMOTIONS[i % 6], "options": {"size": size}}
        for i in range(n)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def run_processes(path: Path, out: Path, world: int) -> float:
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "studio", "batch", str(path), "--out", str(out), "--no-progress"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            env={
                **os.environ,
                "RANK": str(r),
                "LOCAL_RANK": str(r),
                "WORLD_SIZE": str(world),
                "MASTER_PORT": f"bench-{world}",
                "OMP_NUM_THREADS": "1",
            },
        )
        for r in range(world)
    ]
    for proc in procs:
        proc.wait()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=160)
    parser.add_argument("--size", default="256x256")
    args = parser.parse_args(argv)
    from studio.api import generate
    from studio.batch import run_batch
    from studio.manifest import default_seed

    tmp = Path(tempfile.mkdtemp())
    n = 120
    path = manifest(tmp, n, "64x64")
    generate("image", "joy", size="64x64", out=tmp / "warm.png")
    start = time.perf_counter()
    for i in range(n):
        generate(
            "image", EMOTIONS[i % 6], size="64x64", seed=default_seed(f"j{i:04d}"), out=tmp / "direct" / f"{i}.png"
        )
    direct = time.perf_counter() - start
    start = time.perf_counter()
    run_batch(path, tmp / "batch", progress=False)
    batch = time.perf_counter() - start
    overhead_ms = (batch - direct) / n * 1000
    print(
        f"per-job overhead: {overhead_ms:.2f} ms (batch {batch / n * 1000:.2f} ms/job vs direct "
        f"{direct / n * 1000:.2f} ms/job; ratio {batch / direct:.2f}x) budget 5 ms -> "
        f"{'OK' if overhead_ms <= 5 else 'OVER'}"
    )

    big = manifest(tmp, args.jobs, args.size)
    ratios = []
    for k in range(args.pairs):
        order = (1, 2) if k % 2 == 0 else (2, 1)
        seconds = {world: run_processes(big, tmp / f"w{world}-{k}", world) for world in order}
        ratios.append(seconds[1] / seconds[2])
        print(f"  pair {k + 1}: 1 process {seconds[1]:.1f} s, 2 processes {seconds[2]:.1f} s -> {ratios[-1]:.2f}x")
    ratio = statistics.median(ratios)
    print(
        f"scale-out, {args.jobs} jobs of {args.size}: 2 processes give {ratio:.2f}x the throughput of 1 "
        f"(median of {args.pairs} alternated pairs; budget >= 1.7x on 2 cores -> {'OK' if ratio >= 1.7 else 'UNDER'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
