"""The flags every training script shares, and reading the dataset they name: one place, so `image_lora`,
`video_lora` and `vad_adapter` read alike (`--model --data [--format] [--resolution] [--max-steps] [--rank] [--lr]
[--out] [--resume latest]`)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from conditioning import StudioError
from conditioning.atomic import write_text_atomic
from finetune.datasets import ADAPTERS, load_dataset


def add_common_flags(
    parser, *, default_out: str, default_steps: int, default_lr: float, data: bool = True, formats=tuple(ADAPTERS)
) -> None:
    """`formats`: the dataset formats this script trains on (what --format offers)."""
    parser.add_argument("--model", required=True, help="hub id or local diffusers folder")
    if data:
        parser.add_argument("--data", type=Path, required=True, help="dataset folder or annotation file")
        parser.add_argument("--format", choices=sorted(formats), default=None, help="default: detected")
    parser.add_argument("--taxonomy", default="mikels8", help="emotion labels the captions use")
    if data:  # the VAD adapter trains on text embeddings only: no images, no LoRA rank
        parser.add_argument("--resolution", type=int, default=None, help="default: the model's native size")
        parser.add_argument("--rank", type=int, default=4)
    parser.add_argument("--max-steps", type=int, default=default_steps)
    parser.add_argument("--lr", type=float, default=default_lr)
    parser.add_argument("--out", type=Path, default=Path(default_out))
    parser.add_argument("--resume", default=None, help="'latest' or a checkpoint folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--emotions", default=None, help="comma-separated: train on these emotions only")
    parser.add_argument(
        "--validation-emotions",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=None,
        help="default: the dataset's emotions",
    )


def load_records(args, kinds: tuple[str, ...]):
    """The dataset, checked to be of a kind this script trains on and non-empty after `--emotions`."""
    data = load_dataset(args.data, args.format, args.taxonomy)
    if data.format not in kinds:
        raise StudioError(f"{args.data} is a {data.format} dataset; this script reads {', '.join(kinds)}.")
    if args.emotions:
        keep = {e.strip() for e in args.emotions.split(",")}
        data.records = [r for r in data.records if r.emotion in keep]
    if not data.records:
        raise StudioError(f"{args.data}: no usable records ({data.summary()}).")
    return data


def emotion_groups(records, per_emotion: bool) -> dict:
    """{emotion: records} for per-emotion LoRAs, else {"": all records}."""
    if not per_emotion:
        return {"": list(records)}
    groups = defaultdict(list)
    for record in records:
        if record.emotion:
            groups[record.emotion].append(record)
    if not groups:
        raise StudioError("--per-emotion needs records with an emotion; none of them has one.")
    return dict(sorted(groups.items()))


def add_validation_flags(parser, *, seeds: int, guidance: float, subject: str, unit: str) -> None:
    """The eval loop's flags, alike in image_lora and video_lora."""
    parser.add_argument("--validate-every", type=int, default=0, help="0: only at the end (when --validation-seeds)")
    parser.add_argument("--validation-seeds", type=int, default=seeds, help=f"{unit} per emotion; 0: no validation")
    parser.add_argument("--validation-steps", type=int, default=20, help=f"denoising steps of validation {unit}")
    parser.add_argument("--validation-guidance", type=float, default=guidance)
    parser.add_argument("--validation-subject", default=subject)
    parser.add_argument("--recognizers", default=None, help="as `studio eval --recognizers`")


def write_config(out: Path, args) -> None:
    """`<out>/train_config.json`: every flag as the run used it (after defaults such as the resolution are filled)."""
    write_text_atomic(Path(out) / "train_config.json", json.dumps(vars(args), default=str, indent=2) + "\n")


def step_bar(accelerator, start: int, total: int, desc: str):
    """The training loop's steps `start..total-1` with a progress bar (DESIGN: tqdm on anything over a second): on
    the main process only, and only on a terminal (tqdm's disable=None), so logs and tests stay clean."""
    from tqdm import tqdm

    disable = None if accelerator.is_main_process else True
    return tqdm(range(start, total), desc=desc, initial=start, total=total, unit="step", disable=disable)
