"""`studio generate image|video|voice|all --emotion "<label, VAD or text>" [--text …] [--seed N] [--size WxH]
[--duration S] [--out PATH] …` — one artifact (plus its provenance sidecar) per call, or the matched three.

Every option flag comes from the declarations in generators/options.py; none is written out here."""

from __future__ import annotations

import argparse
import json

from generators.options import CATALOGUE, Option
from studio.api import generate


def register(sub) -> None:
    parser = sub.add_parser("generate", help="generate an image, video or voice clip that carries an emotion")
    parser.add_argument("modality", choices=("image", "video", "voice", "all"), help="all: the matched three")
    parser.add_argument("--emotion", "-e", help="label, VAD point ('0.6,-0.3,0.1') or free text")
    parser.add_argument("--arc", help="emotion over time for video/voice, e.g. 'calm:0,dread:4'")
    parser.add_argument("--text", "-t", default="", help="subject hint (image/video) or the words to speak (voice)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", "-o", help="output file (.png; .mp4 or .gif; .wav), or a folder for `all`")
    parser.add_argument(
        "--backend", help="backend name (default: the embedded one); for `all`, e.g. image=diffusion,video=wan"
    )
    parser.add_argument("--json", action="store_true", help="print the provenance record as JSON")
    models = parser.add_argument_group("model backends (diffusion, wan, neural)")
    for declared in CATALOGUE:
        if not declared.no_cli:
            add_flag(parser if declared.scope == "generate" else models, declared)
    parser.set_defaults(run=run)


def add_flag(group, declared: Option) -> None:
    """The declaration as an argparse flag: numbers typed, flags store_true, switches --x/--no-x, LoRAs repeatable."""
    kwargs = {"help": declared.help, "dest": declared.name}
    if declared.metavar:
        kwargs["metavar"] = declared.metavar
    if declared.kind in ("int", "float"):
        kwargs["type"] = int if declared.kind == "int" else float
    if declared.kind == "flag":
        kwargs = {"help": declared.help, "dest": declared.name, "action": "store_true"}
    elif declared.kind == "switch":
        kwargs.update(action=argparse.BooleanOptionalAction, default=None)
    elif declared.kind == "loras":
        kwargs["action"] = "append"
    elif declared.kind == "compile":
        kwargs.update(nargs="?", const=True)
    if declared.default is not None:
        kwargs["default"] = declared.default
    group.add_argument(declared.flag, **kwargs)


def given_options(args) -> dict:
    """Every declared option the command line set (flags only when on; --no-x switches as False), as generate()'s
    keyword arguments."""
    options = {}
    for declared in CATALOGUE:
        value = getattr(args, declared.name, None)
        if value is not None and not (declared.kind == "flag" and value is False):
            options[declared.name] = value
    return options


def run(args) -> int:
    options = given_options(args)
    if args.modality == "all":
        return _run_all(args, options)
    artifact = generate(
        args.modality,
        args.emotion,
        text=args.text,
        seed=args.seed,
        out=args.out,
        backend=args.backend,
        arc=args.arc,
        **options,
    )
    if args.json:
        print(json.dumps({"path": str(artifact.path), **artifact.provenance}, ensure_ascii=False))
    else:
        print(_line(artifact))
    return 0


def _run_all(args, options: dict) -> int:
    from studio.matched_set import generate_all, parse_backends

    if options.get("best_of", 1) == 1:
        options.pop("best_of", None)
    made = generate_all(
        args.emotion,
        text=args.text,
        seed=args.seed,
        out=args.out,
        arc=args.arc,
        backends=parse_backends(args.backend),
        **options,
    )
    if args.json:
        print(json.dumps(json.loads(made.record.read_text()), ensure_ascii=False))
    else:
        for artifact in made.artifacts:
            print(_line(artifact))
        print(made.record)
    return 0


def _line(artifact) -> str:
    spec = artifact.provenance["spec"]
    v, a, d = spec["vad"]
    best = artifact.provenance.get("best_of")
    chosen = f", best of {best['n']}: score {max(s['score'] for s in best['scores']):.3f}" if best else ""
    return (
        f"{artifact.path}  ({artifact.modality}, V {v:+.2f} A {a:+.2f} D {d:+.2f}, "
        f"seed {artifact.provenance['seed']}{chosen})"
    )
