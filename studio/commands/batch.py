"""`studio batch MANIFEST --out DIR [--strict] [--retry-failed] [--batch-size N] [--eval]` (also under `accelerate launch -m studio`).

Exit codes: 0 every job succeeded, 1 some failed (invalid rows count as failed), 2 the manifest itself is unusable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from studio.batch import run_batch
from studio.distributed import process_info
from studio.manifest import ManifestUnusable


def register(sub) -> None:
    parser = sub.add_parser("batch", help="run a CSV/JSONL/YAML manifest of jobs, resumably, on 1..N processes")
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--out", "-o", type=Path, default=Path("studio-output/batch"))
    parser.add_argument("--strict", action="store_true", help="refuse the whole manifest if any row is invalid")
    parser.add_argument("--retry-failed", action="store_true", help="run jobs that failed in an earlier run again")
    parser.add_argument("--eval", action="store_true", help="score the outputs and write the alignment report")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="jobs with the same backend, model and settings per generation call (diffusion denoises them together; "
        "same bytes as one by one); default 1 off CUDA, on CUDA one per 5 GiB free memory up to 16",
    )
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(run=run)


def run(args) -> int:
    info = process_info()
    try:
        result = run_batch(
            args.manifest,
            args.out,
            strict=args.strict,
            retry_failed=args.retry_failed,
            info=info,
            progress=not args.no_progress,
            batch_size=args.batch_size,
        )
    except ManifestUnusable as exc:
        print(f"studio: error: {exc}", file=sys.stderr)
        return 2

    for error in result.invalid:
        print(f"studio: invalid row at line {error.line} ({error.id or 'no id'}): {error.reason}", file=sys.stderr)
    for name, reason in result.failed.items():
        print(f"studio: job {name} failed: {reason}", file=sys.stderr)
    if info.is_main:
        counts = result.to_dict()["counts"]
        print(
            f"batch: {counts['done']} done, {counts['skipped']} already done, {counts['failed']} failed, "
            f"{counts['invalid']} invalid rows, {counts['busy']} held by another process "
            f"in {result.seconds:.1f} s -> {args.out / 'summary.json'}"
        )
        if args.eval:
            from studio.api import evaluate

            print(f"alignment report: {evaluate(args.out, args.out / 'report').paths['html']}")
    return result.exit_code
