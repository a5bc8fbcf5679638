"""`studio alignment-suite [--taxonomy T] [--seeds K] [--modalities image,video,voice] [--backends …] [--out DIR]`."""

from __future__ import annotations

import json
from pathlib import Path

from studio.alignment_suite import run_suite


def register(sub) -> None:
    parser = sub.add_parser("alignment-suite", help="generate every emotion of a taxonomy and report how it landed")
    parser.add_argument("--taxonomy", default="mikels8")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--modalities", default="image,video,voice")
    parser.add_argument("--backends", help="e.g. 'procedural,espeak' or 'image:diffusion' (default: embedded)")
    parser.add_argument("--recognizers", help="as for `studio eval` (default: the learned judges)")
    parser.add_argument("--out", type=Path, default=Path("studio-output/alignment-suite"))
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(run=run)


def run(args) -> int:
    result = run_suite(
        args.out,
        taxonomy=args.taxonomy,
        seeds=args.seeds,
        modalities=args.modalities.split(","),
        backends=args.backends,
        recognizers=args.recognizers,
        progress=not args.no_progress,
    )
    overall = result["report"].overall
    print(
        json.dumps(
            {k: overall[k] for k in overall if not isinstance(overall[k], (list, dict)) or k == "n"}, default=str
        )
    )
    print(f"alignment report: {result['report'].paths['html']}")
    return result["batch"].exit_code
