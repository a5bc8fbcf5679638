"""`studio demo [--out DIR] [--seed N] [--no-eval]`: the README's main job."""

from __future__ import annotations

from pathlib import Path

from studio.demo import run_demo


def register(sub) -> None:
    parser = sub.add_parser("demo", help="generate image, video and voice for contrasting emotions, with a report")
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-eval", action="store_true", help="skip the alignment report")
    parser.set_defaults(run=run)


def run(args) -> int:
    result = run_demo(args.out, seed=args.seed, evaluate=not args.no_eval)
    print(f"{len(result['artifacts'])} artifacts in {args.out}/  index: {result['index']}")
    if result["report"]:
        print(f"alignment report: {result['report'].paths['html']}")
    return 0
