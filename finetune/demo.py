"""`studio finetune demo`: the closed loop on a CPU — build a tiny diffusion model, teach it to paint, then teach it
emotions with a LoRA, and measure with eval's recognizer whether the pictures land their emotion better.

1. Paint `--per-emotion` procedural paintings for each Mikels-8 emotion (the painter's emotion → style rules).
2. Base model: train the tiny SD's VAE and UNet from scratch on all of them, every caption just "a painting"
   (demo_pretrain.py), so the base paints well but knows no emotion words.
3. Before: render each emotion from "a painting, evoking <emotion>" at the fixed seeds 0..K−1, score.
4. Fine-tune an emotion LoRA with `finetune.image_lora` on the same paintings captioned with their emotion.
5. After: the same prompts and seeds with the LoRA loaded through plain diffusers' `load_lora_weights`, score.
Writes before/, after/ and reference/ (the training paintings themselves: the recognizer's ceiling), each with an
alignment report, and summary.json / summary.md with the numbers side by side. Every seed and step count is fixed
here, before any result is seen; nothing is picked after the fact.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import torch
from PIL import Image

from conditioning import get_taxonomy, resolve
from conditioning.artifact import Artifact, provenance
from conditioning.atomic import write_text_atomic
from finetune.datasets.captions import build_caption
from finetune.demo_pretrain import NEUTRAL_CAPTION, paintings, set_latent_scale, to_tensor, train_unet, train_vae
from finetune.validation import KEYS, render_suite, score

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
    parser.add_argument("--vae-steps", type=int, default=300)
    parser.add_argument("--unet-steps", type=int, default=800)
    parser.add_argument("--lora-steps", type=int, default=400)
    parser.add_argument("--lora-rank", type=int, default=8)
    parser.add_argument("--eval-seeds", type=int, default=4, help="images per emotion before and after")
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args(argv)


def build_base(args, images, folder: Path) -> dict:
    from diffusers import StableDiffusionPipeline

    from finetune.tiny_models import build_tiny_sd

    build_tiny_sd(folder, seed=0, sample_size=args.size // 2)  # the tiny VAE halves the side
    pipe = StableDiffusionPipeline.from_pretrained(folder)
    pixels = to_tensor([img for _, img in images])
    vae_loss = train_vae(pipe.vae, pixels, args.vae_steps, 8, 1e-3, seed=0)
    set_latent_scale(pipe.vae, pixels)
    unet_losses = train_unet(pipe, pixels, args.unet_steps, 16, 1e-3, seed=0)
    pipe.save_pretrained(folder, safe_serialization=True)
    tail = unet_losses[-50:] or [float("nan")]
    return {"vae_loss": round(vae_loss, 5), "unet_loss_last50": round(sum(tail) / len(tail), 5)}


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
    for emotion, img in paintings(emotions, args.eval_seeds, args.size, seed=7):
        i = sum(1 for _ in folder.glob(f"{emotion}-*.png")) if folder.exists() else 0
        path = folder / f"{emotion}-{i}.png"
        folder.mkdir(parents=True, exist_ok=True)
        img.resize((VIEW_SIZE, VIEW_SIZE), Image.BICUBIC).save(path)
        record = provenance(
            modality="image",
            spec=resolve(emotion, taxonomy="mikels8").to_dict(),
            backend="procedural-painter",
            seed=i,
            parameters={"size": args.size},
        )
        Artifact(path=path, modality="image", provenance=record).write_sidecar()


def render(pipe, emotions, args, folder: Path, label: str) -> dict:
    render_suite(
        pipe,
        emotions,
        range(args.eval_seeds),
        folder,
        subject=SUBJECT,
        steps=SAMPLING["steps"],
        guidance=SAMPLING["guidance"],
        resolution=args.size,
        label=label,
        view_size=VIEW_SIZE,
    )
    return score(folder, report=True)


def summary_markdown(summary: dict) -> str:
    rows = ["| metric | before (base) | after (LoRA) | reference paintings |", "|---|---|---|---|"]
    for key in KEYS:
        cells = [summary[k][key] for k in ("before", "after", "reference")]
        rows.append(f"| {key} | " + " | ".join("–" if c is None else f"{c:.3f}" for c in cells) + " |")
    n = summary["images_per_side"]
    return (
        "# Emotion LoRA: closed-loop demo\n\n"
        f"{n} images per side ({summary['eval_seeds']} fixed seeds × 8 Mikels-8 emotions), prompt "
        f'"{SUBJECT}, evoking <emotion>", recognizer `image_features`. Always answering one label scores top-1 0.125.\n\n'
        + "\n".join(rows)
        + f"\n\nTotal time {summary['seconds']:.0f} s on {summary['threads']} threads. Reports: before/report/, "
        "after/report/, reference/report/. Renders are 32 px, scored enlarged to 128 px.\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    out = args.out
    emotions = list(get_taxonomy("mikels8").labels)
    images = paintings(emotions, args.per_emotion, args.size, seed=0)
    log.info("demo: training the base model on %d neutral-captioned paintings", len(images))
    base = build_base(args, images, out / "base-model")
    write_dataset(images, out / "data")

    from diffusers import StableDiffusionPipeline

    from finetune import image_lora

    pipe = StableDiffusionPipeline.from_pretrained(out / "base-model")
    pipe.set_progress_bar_config(disable=True)
    before = render(pipe, emotions, args, out / "before", "before")
    log.info("demo: before %s", before)
    lora_argv = ["--model", str(out / "base-model"), "--data", str(out / "data"), "--out", str(out / "lora")]
    lora_argv += ["--max-steps", str(args.lora_steps), "--rank", str(args.lora_rank), "--lr", "1e-3"]
    lora_argv += ["--batch-size", "16", "--checkpoint-every", "0", "--validation-seeds", "0"]
    if image_lora.main(lora_argv) != 0:
        return 1
    pipe.load_lora_weights(out / "lora")
    after = render(pipe, emotions, args, out / "after", "after")
    log.info("demo: after %s", after)
    write_reference(emotions, args, out / "reference")
    reference = score(out / "reference", report=True)
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
    }
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    write_text_atomic(out / "summary.md", summary_markdown(summary))
    print(summary_markdown(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
