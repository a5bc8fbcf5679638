"""The closed-loop fine-tuning demo against its budget, in one run: wall time as a fraction of 15 minutes on this
machine, and the recognized alignment before vs after the emotion LoRA, for each `--seed` asked for.

    python bench/finetune_demo.py [--seeds 0,1] [--out /tmp/finetune-demo-bench]

Budget (issue 9): `studio finetune demo` finishes in under 15 minutes on a 2-core CPU, and the LoRA's improvement
is real — so every seed is reported, not the best one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]
BUDGET_S = 15 * 60


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0", help="comma-separated demo seeds")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "finetune-demo-bench")
    args = parser.parse_args(argv)

    from finetune import lora_demo

    print(f"{'seed':>4} {'seconds':>8} {'of budget':>9}   {'quadrant':>15} {'top-1':>15} {'alignment':>15}")
    for seed in (int(s) for s in args.seeds.split(",")):
        out = args.out / f"seed-{seed}"
        start = time.perf_counter()
        if lora_demo.main(["--out", str(out), "--seed", str(seed)]) != 0:
            return 1
        seconds = time.perf_counter() - start
        summary = json.loads((out / "summary.json").read_text())
        cells = [f"{summary['before'][k]:.3f} → {summary['after'][k]:.3f}" for k in ("quadrant", "top1", "alignment")]
        print(f"{seed:>4} {seconds:>8.0f} {seconds / BUDGET_S:>9.2f}   " + " ".join(f"{c:>15}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
