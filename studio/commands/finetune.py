"""`studio finetune {image_lora,video_lora,vad_adapter,text_vad,text_categories,image_judge,speech_judge,
voice_envelopes,voice_eval,demo} [flags…]`: a launcher for the training and dataset-evaluation scripts.

The studio imports nothing else from finetune/ (DESIGN.md): the script's module is imported only when the verb runs,
and every remaining flag goes to its `main(argv)` unchanged, so `studio finetune image_lora --help` and
`python -m finetune.image_lora --help` are the same (the verb `demo` runs `finetune.lora_demo`, the module named for
what it demonstrates). Multi-GPU runs use `accelerate launch -m finetune.<name>`.
"""

from __future__ import annotations

import argparse
import importlib

SCRIPTS = (
    "image_lora",
    "video_lora",
    "vad_adapter",
    "text_vad",
    "text_categories",
    "image_judge",
    "speech_judge",
    "voice_envelopes",
    "voice_eval",
    "demo",
)
MODULES = {"demo": "lora_demo"}
"""Verbs whose module has another name; every other verb is its module's name."""


def register(sub) -> None:
    parser = sub.add_parser(
        "finetune",
        help="train emotion LoRAs / adapters and the judges' heads, evaluate on EmoVoice-DB, or run the closed-loop demo",
    )
    parser.add_argument("script", choices=SCRIPTS, help="which training script to run")
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="flags for that script (see its --help)")
    parser.set_defaults(run=run)


def run(args) -> int:
    module = importlib.import_module(f"finetune.{MODULES.get(args.script, args.script)}")
    return int(module.main(list(args.argv)) or 0)
