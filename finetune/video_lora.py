"""Train an emotion LoRA for Wan2.1 text-to-video on the transformer's attention.

    python -m finetune.video_lora --model <Wan2.1-T2V folder|id> --data <folder with metadata.csv or mp4/txt pairs>
        [--frames 81] [--fps 16] [--resolution N] [--max-steps N] [--rank R] [--lr X] [--out DIR] [--resume latest]
        [--cache-latents] [--mixed-precision bf16] [--gradient-checkpointing] [--validate-every M]

Flow matching as Wan is trained: x_σ = (1−σ)·x + σ·ε with σ drawn uniformly then shifted by the scheduler's
flow_shift, and the transformer predicts ε − x at timestep 1000·σ. Clips are sampled to 4k+1 frames (video_data.py);
`--cache-latents` keeps their VAE latents on disk. Under `--mixed-precision` the transformer and text encoder run in
fp16/bf16 while the LoRA weights and the VAE stay fp32 (Wan's VAE is fp32 by design). Batches, noise, checkpoints
and `--resume latest` work as in image_lora. Every `--validate-every` steps (and at the end) one clip per emotion
and seed is rendered with the LoRA as it stands and scored with eval's video recognizers, logged beside the loss.
Output: `pytorch_lora_weights.safetensors` that `WanPipeline.load_lora_weights(<out>)` accepts. Not done:
per-emotion mode.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

import torch
from torch.nn import functional as F

from conditioning import StudioError
from finetune.checkpoints import resume_from, save_checkpoint
from finetune.cli_common import add_common_flags, add_validation_flags, load_records, step_bar, write_config
from finetune.image_data import batch_indices, step_generator
from finetune.lora_io import adapter_metadata, lora_layers, write_lora
from finetune.validation import log_line, render_video_suite, validate_during_training
from finetune.video_data import LatentSet, four_k_plus_one

log = logging.getLogger(__name__)
TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="finetune.video_lora", description=__doc__.splitlines()[0])
    add_common_flags(parser, default_out="video-lora-output", default_steps=1000, default_lr=1e-4, formats=("video",))
    parser.add_argument("--frames", type=int, default=81, help="frames per clip; cut to 4k+1")
    parser.add_argument("--fps", type=int, default=16, help="sampling rate (Wan was trained at 16 fps)")
    parser.add_argument("--cache-latents", action="store_true", help="store VAE latents in <out>/latent-cache")
    parser.add_argument("--mixed-precision", choices=("no", "fp16", "bf16"), default=None)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--checkpoint-every", type=int, default=500)
    parser.add_argument("--keep-checkpoints", type=int, default=2)
    add_validation_flags(parser, seeds=1, guidance=5.0, subject="a scene", unit="clips")
    parser.add_argument("--validation-frames", type=int, default=33, help="frames of validation clips; cut to 4k+1")
    args = parser.parse_args(argv)
    args.frames = four_k_plus_one(args.frames)
    args.validation_frames = four_k_plus_one(args.validation_frames)
    return args


def load_wan(model: str, dtype: torch.dtype = torch.float32):
    """Transformer and text encoder in `dtype` (diffusers keeps Wan's norms, RoPE and time embedding fp32 when the
    dtype is given at load time, not cast afterwards); the VAE always fp32."""
    from diffusers import WanPipeline

    from generators.model_files import model_source
    from generators.video.wan_loading import pipeline_kind

    if pipeline_kind(model) != "t2v":  # from model_index.json alone, before minutes of loading
        raise StudioError(f"Model {model!r} is a Wan2.1 image-to-video pipeline; video_lora trains text-to-video.")
    source, _ = model_source(model)
    dtypes = {"transformer": dtype, "text_encoder": dtype, "default": torch.float32}
    try:
        # torch_dtype, not dtype=: the pyproject allows diffusers 0.35, which only knows the old name
        pipe = WanPipeline.from_pretrained(source, use_safetensors=True, torch_dtype=dtypes)
    except (OSError, ValueError) as exc:
        raise StudioError(f"Model {model!r} is not a Wan2.1 T2V pipeline ({str(exc).splitlines()[0]}).") from None
    pipe.set_progress_bar_config(disable=True)
    return pipe


def flow_loss(transformer, latents, embeds, generator, shift: float, dtype=torch.float32) -> torch.Tensor:
    """Noise, σ and the target stay fp32; only the transformer's input is cast to its (mixed-precision) dtype."""
    latents = latents.float()
    noise = torch.randn(latents.shape, generator=generator).to(latents.device)
    sigma = torch.rand(latents.shape[0], generator=generator)
    sigma = (shift * sigma / (1 + (shift - 1) * sigma)).to(latents.device)
    s = sigma.view(-1, 1, 1, 1, 1)
    noisy = ((1 - s) * latents + s * noise).to(dtype)
    pred = transformer(hidden_states=noisy, timestep=sigma * 1000, encoder_hidden_states=embeds, return_dict=False)[0]
    return F.mse_loss(pred.float(), noise - latents)


def validate(pipe, accelerator, args, emotions, step: int, final: bool = False) -> dict:
    """Render one clip per emotion and seed with the LoRA as it stands and score it (see validation.py)."""

    def render(folder):
        pipe.transformer.eval()
        render_video_suite(
            pipe,
            emotions,
            range(args.validation_seeds),
            folder,
            subject=args.validation_subject,
            steps=args.validation_steps,
            guidance=args.validation_guidance,
            resolution=args.resolution,
            frames=args.validation_frames,
            fps=args.fps,
            taxonomy=args.taxonomy,
            label=f"step {step}",
        )
        pipe.transformer.train()

    return validate_during_training(accelerator, args, args.out, step, render, final) if emotions else {}


def train(args, records, emotions: list[str]) -> dict:
    from accelerate import Accelerator
    from peft import LoraConfig

    from finetune.image_lora import finish_training, lora_hooks, multi_cpu

    out = args.out
    accelerator = Accelerator(mixed_precision=args.mixed_precision, project_dir=str(out), cpu=multi_cpu())
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(accelerator.mixed_precision, torch.float32)
    pipe = load_wan(args.model, dtype)
    args.resolution = args.resolution or 480
    write_config(out, args)
    pipe.to(accelerator.device)
    for module in (pipe.transformer, pipe.vae, pipe.text_encoder):
        module.requires_grad_(False)
    torch.manual_seed(args.seed)
    pipe.transformer.add_adapter(
        LoraConfig(r=args.rank, lora_alpha=args.rank, init_lora_weights="gaussian", target_modules=TARGETS)
    )
    params = [p for p in pipe.transformer.parameters() if p.requires_grad]
    for p in params:
        p.data = p.data.float()  # trainable weights stay fp32 under mixed precision
    if args.gradient_checkpointing:
        pipe.transformer.enable_gradient_checkpointing()
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-2)
    lora_hooks(accelerator, [pipe.transformer])
    transformer, optimizer = accelerator.prepare(pipe.transformer, optimizer)
    cache = out / "latent-cache" if args.cache_latents else None
    clips = LatentSet(records, pipe.vae, args.frames, args.resolution, args.fps, cache)
    shift = float(pipe.scheduler.config.get("flow_shift") or 1.0)
    start = resume_from(accelerator, out, args.resume)
    loss_value, metrics, caption_embeds = None, {}, {}
    bar = step_bar(accelerator, start, args.max_steps, desc="video_lora")
    for step in bar:
        index = batch_indices(len(clips), step, 1, args.seed, accelerator.process_index, accelerator.num_processes)
        latents = clips.latents(index[0])[None].to(accelerator.device)
        caption = records[index[0]].caption
        if caption not in caption_embeds:  # UMT5-XXL once per caption, not once per step; kept on the CPU
            with torch.no_grad():
                encoded, _ = pipe.encode_prompt([caption], do_classifier_free_guidance=False, device=accelerator.device)
            caption_embeds[caption] = encoded.cpu()
        embeds = caption_embeds[caption].to(accelerator.device)
        generator = step_generator(args.seed, step, accelerator.process_index)
        with accelerator.autocast():
            loss = flow_loss(transformer, latents, embeds, generator, shift, dtype)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = accelerator.gather(loss.detach().reshape(1)).mean().item()
        bar.set_postfix(loss=f"{loss_value:.4f}", refresh=False)
        done = step + 1
        record = {"step": done, "loss": round(loss_value, 6)}
        if args.validate_every and done % args.validate_every == 0 and done < args.max_steps:
            record["validation"] = metrics = validate(pipe, accelerator, args, emotions, done)
        if accelerator.is_main_process:
            log_line(out / "log.jsonl", record)
        if args.checkpoint_every and done % args.checkpoint_every == 0:
            save_checkpoint(accelerator, out, done, args.keep_checkpoints)
    bar.close()
    accelerator.wait_for_everyone()
    if args.max_steps > start or not (out / "pytorch_lora_weights.safetensors").exists():
        metrics = validate(pipe, accelerator, args, emotions, args.max_steps, final=True) or metrics
    if accelerator.is_main_process:
        model = accelerator.unwrap_model(transformer)
        layers = {"transformer_lora_layers": lora_layers(model)}
        write_lora(type(pipe), out, **layers, transformer_lora_adapter_metadata=adapter_metadata(model))
        if metrics:
            log_line(out / "log.jsonl", {"step": args.max_steps, "validation": metrics, "final": True})
    finish_training(accelerator)
    return {"loss": loss_value, "validation": metrics, "out": str(out)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        data = load_records(args, kinds=("video",))
        args.out.mkdir(parents=True, exist_ok=True)
        result = train(args, data.records, args.validation_emotions or data.emotions())
    except StudioError as exc:
        print(f"finetune.video_lora: error: {exc}", file=sys.stderr)
        return 1
    log.info("done: %s", json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
