"""`studio finetune demo`: the closed loop on a CPU — build a tiny diffusion model, teach it to paint, then teach it
emotions with a LoRA, and measure with eval's recognizer whether the pictures land their emotion better.

1. Paint `--per-emotion` procedural paintings for each Mikels-8 emotion (the painter's emotion → style rules).
2. Base model (lora_demo_base.py): pretrain the tiny SD's text encoder to summarize captions (images-free, as CLIP's
   would), then train its VAE and UNet from scratch on all the paintings, every caption just "a painting", so the
   base paints but knows no emotion words. Its noise schedule has zero terminal SNR (v-prediction, trailing
   timesteps): SD's schedule leaves some of a 16×16 latent's mean colour in x_999 (the image mean's SNR is about
   0.1 there), so training never asks for the palette from the caption alone and sampling takes it from the noise.
3. Before: render each emotion from "a painting, evoking <emotion>" at K fixed seeds, score.
4. Fine-tune an emotion LoRA with `finetune.image_lora` on the same paintings captioned with their emotion.
5. After: the same prompts and seeds with the LoRA loaded through plain diffusers' `load_lora_weights`, score.
Writes before/, after/ and reference/ (fresh paintings by the painter's rules, never trained on: what the
recognizer makes of the target style), each with an alignment report, and summary.json / summary.md with the
numbers side by side. Seeds are fixed here and nothing is picked within a run (the step counts were set on seed 0:
800 LoRA steps, after 400 did less). `--seed S` reruns the whole experiment on other paintings, weights, noise and
evaluation seeds, to see that the result does not hang on one draw.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import time
from pathlib import Path

import torch
from PIL import Image

from conditioning import get_taxonomy
from conditioning.atomic import atomic_path, write_text_atomic
from finetune.datasets.captions import build_caption
from finetune.lora_demo_base import (
    NEUTRAL_CAPTION,
    paintings,
    pretrain_text_encoder,
    set_latent_scale,
    to_tensor,
    train_unet,
    train_vae,
)
from finetune.validation import KEYS, render_suite, score, write_sidecar

log = logging.getLogger(__name__)
SUBJECT = NEUTRAL_CAPTION
SAMPLING = {"steps": 25, "guidance": 1.0}  # plain conditional sampling: no guidance tricks on either side
VIEW_SIZE = 128
"""The feature recognizer measures edges and texture at up to 128 px; on a 32 px picture every painting reads as
tense and negative (even the training paintings). So every side — before, after and the reference paintings — is
scored enlarged to 128 px (bicubic), the same way."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="studio finetune demo", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("finetune-demo"))
    parser.add_argument("--size", type=int, default=32, help="image side in pixels")
    parser.add_argument("--per-emotion", type=int, default=24, help="training paintings per emotion")
    parser.add_argument("--text-steps", type=int, default=300, help="text encoder pretraining steps")
    parser.add_argument("--vae-steps", type=int, default=300)
    parser.add_argument("--unet-steps", type=int, default=800)
    parser.add_argument("--lora-steps", type=int, default=800)
    parser.add_argument("--lora-rank", type=int, default=8)
    parser.add_argument("--eval-seeds", type=int, default=4, help="images per emotion before and after")
    parser.add_argument("--seed", type=int, default=0, help="shifts every seed of the experiment")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--recognizers", default=None, help="judges as for `studio eval` (default: the learned image judge)"
    )
    return parser.parse_args(argv)


def eval_seeds(args) -> range:
    """K noise seeds per emotion, the same before and after: 0..K−1 for `--seed 0`."""
    return range(1000 * args.seed, 1000 * args.seed + args.eval_seeds)


def build_base(args, images, folder: Path) -> dict:
    from diffusers import StableDiffusionPipeline

    from finetune.tiny_models import build_tiny_sd

    latent_side = args.size // 2  # the tiny VAE halves the side
    build_tiny_sd(folder, seed=args.seed, sample_size=latent_side, zero_terminal_snr=True)
    pipe = StableDiffusionPipeline.from_pretrained(folder)
    text_loss = pretrain_text_encoder(pipe.text_encoder, pipe.tokenizer, args.text_steps, 64, 3e-3, seed=args.seed)
    pixels = to_tensor([img for _, img in images])
    vae_loss = train_vae(pipe.vae, pixels, args.vae_steps, 8, 1e-3, seed=args.seed)
    set_latent_scale(pipe.vae, pixels)
    unet_losses = train_unet(pipe, pixels, args.unet_steps, 16, 1e-3, seed=args.seed)
    pipe.save_pretrained(folder, safe_serialization=True)
    tail = unet_losses[-50:] or [float("nan")]
    return {
        "text_encoder_loss": round(text_loss, 4),
        "vae_loss": round(vae_loss, 5),
        "unet_loss_last50": round(sum(tail) / len(tail), 5),
    }


def write_dataset(images, folder: Path) -> None:
    """The emotion-captioned set as an HF imagefolder (metadata.jsonl), read by image_lora's own adapter."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (emotion, img) in enumerate(images):
        img.save(folder / f"{emotion}-{i:04d}.png")
        rows.append({"file_name": f"{emotion}-{i:04d}.png", "text": build_caption(SUBJECT, emotion)})
    write_text_atomic(folder / "metadata.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


def write_reference(emotions, args, folder: Path) -> None:
    """Fresh paintings (genes never trained on) with sidecars: what the recognizer makes of the target style."""
    for n, (emotion, img) in enumerate(paintings(emotions, args.eval_seeds, args.size, seed=args.seed + 7)):
        i = n % args.eval_seeds  # `paintings` lists each emotion's K paintings in turn
        path = folder / f"{emotion}-{i}.png"
        with atomic_path(path) as tmp:
            img.resize((VIEW_SIZE, VIEW_SIZE), Image.BICUBIC).save(tmp, format="PNG")
        write_sidecar(path, "image", emotion, "mikels8", i, {"size": args.size}, backend="procedural-painter")


def render(pipe, emotions, args, folder: Path, label: str) -> dict:
    render_suite(
        pipe,
        emotions,
        eval_seeds(args),
        folder,
        subject=SUBJECT,
        steps=SAMPLING["steps"],
        guidance=SAMPLING["guidance"],
        resolution=args.size,
        label=label,
        view_size=VIEW_SIZE,
    )
    return score(folder, args.recognizers, report=True)


def summary_markdown(summary: dict) -> str:
    rows = ["| metric | before (base) | after (LoRA) | reference paintings |", "|---|---|---|---|"]
    for key in KEYS:
        cells = [summary[k][key] for k in ("before", "after", "reference")]
        rows.append(f"| {key} | " + " | ".join("–" if c is None else f"{c:.3f}" for c in cells) + " |")
    n = summary["images_per_side"]
    return (
        "# Emotion LoRA: closed-loop demo\n\n"
        f"{n} images per side ({summary['eval_seeds']} fixed seeds × 8 Mikels-8 emotions), prompt "
        f'"{SUBJECT}, evoking <emotion>", judged by `{summary["judge"]}`. Always answering one label scores top-1 '
        "0.125.\n\n"
        + "\n".join(rows)
        + f"\n\nTotal time {summary['seconds']:.0f} s on {summary['threads']} threads ("
        + ", ".join(f"{stage} {s:.0f} s" for stage, s in summary["stage_seconds"].items())
        + "). Reports: before/report/, "
        "after/report/, reference/report/. Renders are 32 px, scored enlarged to 128 px.\n"
    )


def image_judge_name(recognizers: str | None) -> str:
    """The judge that scores the renders (the learned one unless --recognizers names another or its head is gone)."""
    from eval.recognizers.registry import get_judge, parse_recognizers

    return get_judge("image", *parse_recognizers(recognizers)["image"]).name


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(args.threads)
    started = tick = time.perf_counter()
    stage_seconds = {}

    def lap(stage: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        stage_seconds[stage], tick = round(now - tick, 1), now

    out = args.out
    for side in ("before", "after", "reference"):  # a rerun with other seeds must not score the last run's files
        shutil.rmtree(out / side, ignore_errors=True)
    emotions = list(get_taxonomy("mikels8").labels)
    images = paintings(emotions, args.per_emotion, args.size, seed=args.seed)
    log.info("demo: training the base model on %d neutral-captioned paintings", len(images))
    base = build_base(args, images, out / "base-model")
    write_dataset(images, out / "data")
    lap("base model")

    from diffusers import StableDiffusionPipeline

    from finetune import image_lora

    pipe = StableDiffusionPipeline.from_pretrained(out / "base-model")
    pipe.set_progress_bar_config(disable=True)
    before = render(pipe, emotions, args, out / "before", "before")
    log.info("demo: before %s", before)
    lap("before")
    lora_argv = ["--model", str(out / "base-model"), "--data", str(out / "data"), "--out", str(out / "lora")]
    lora_argv += ["--max-steps", str(args.lora_steps), "--rank", str(args.lora_rank), "--lr", "1e-3"]
    lora_argv += ["--seed", str(args.seed), "--batch-size", "16", "--checkpoint-every", "0", "--validation-seeds", "0"]
    if image_lora.main(lora_argv) != 0:
        return 1
    lap("lora")
    pipe.load_lora_weights(out / "lora")
    after = render(pipe, emotions, args, out / "after", "after")
    log.info("demo: after %s", after)
    lap("after")
    write_reference(emotions, args, out / "reference")
    reference = score(out / "reference", args.recognizers, report=True)
    lap("reference")
    summary = {
        "before": before,
        "after": after,
        "reference": reference,
        "base_model": base,
        "eval_seeds": args.eval_seeds,
        "images_per_side": args.eval_seeds * len(emotions),
        "sampling": SAMPLING,
        "settings": {k: str(v) for k, v in vars(args).items()},
        "threads": args.threads,
        "seconds": round(time.perf_counter() - started, 1),
        "stage_seconds": stage_seconds,
        "judge": image_judge_name(args.recognizers),
    }
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    write_text_atomic(out / "summary.md", summary_markdown(summary))
    print(summary_markdown(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
