"""Train an emotion LoRA for a Stable Diffusion 1.5 / SDXL pipeline, with the eval loop inside training.

    python -m finetune.image_lora --model <id|folder> --data <folder|file> [--format F] [--resolution N]
        [--max-steps N] [--rank R] [--lr X] [--out DIR] [--resume latest] [--per-emotion] [--validate-every M]
    accelerate launch -m finetune.image_lora …   (multi-GPU / mixed precision; same flags)

peft LoRA on the UNet attention (to_q/k/v/out), optionally on the text encoder(s). One multi-emotion LoRA with the
emotion words in the captions (default), or `--per-emotion`: one LoRA per emotion in `<out>/<emotion>/`, the files
the studio's `--lora fear=<out>/fear/pytorch_lora_weights.safetensors` blends. Every `--checkpoint-every` steps the
full training state is saved; `--resume latest` continues bit-for-bit (batches and noise are functions of the
step, see image_data.py). Every `--validate-every` steps a fixed suite is rendered and scored with eval's
recognizers and logged beside the loss in `<out>/log.jsonl`. Output: `pytorch_lora_weights.safetensors` that plain
diffusers' `pipe.load_lora_weights(<out>)` accepts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import torch
from torch.nn import functional as F

from conditioning import StudioError
from finetune.checkpoints import resume_from, save_checkpoint
from finetune.cli_common import (
    add_common_flags,
    add_validation_flags,
    emotion_groups,
    load_records,
    step_bar,
    write_config,
)
from finetune.image_data import ImageSet, batch_indices, step_generator
from finetune.lora_io import save_lora
from finetune.validation import log_line, render_suite, validate_during_training

log = logging.getLogger(__name__)
UNET_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]
FORMATS = ("emoart", "imagefolder", "emoset")  # the image datasets


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="finetune.image_lora", description=__doc__.splitlines()[0])
    add_common_flags(parser, default_out="lora-output", default_steps=1000, default_lr=1e-4, formats=FORMATS)
    parser.add_argument("--batch-size", type=int, default=1, help="per process")
    parser.add_argument("--per-emotion", action="store_true", help="one LoRA per emotion instead of one for all")
    parser.add_argument("--train-text-encoder", action="store_true")
    parser.add_argument("--mixed-precision", choices=("no", "fp16", "bf16"), default=None)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--lr-scheduler", default="constant", help="diffusers.optimization name")
    parser.add_argument("--warmup-steps", type=int, default=0)
    parser.add_argument("--checkpoint-every", type=int, default=500)
    parser.add_argument("--keep-checkpoints", type=int, default=2)
    add_validation_flags(parser, seeds=2, guidance=7.5, subject="a painting", unit="images")
    return parser.parse_args(argv)


def load_pipeline(model: str):
    from diffusers import AutoPipelineForText2Image

    from generators.model_files import model_source

    source, _ = model_source(model)
    try:
        pipe = AutoPipelineForText2Image.from_pretrained(source, use_safetensors=True)
    except OSError as exc:
        raise StudioError(f"Model {model!r} could not be loaded ({str(exc).splitlines()[0]}).") from None
    if not hasattr(pipe, "unet"):
        raise StudioError(f"{type(pipe).__name__} has no UNet; image_lora trains SD 1.5 / SDXL pipelines.")
    pipe.set_progress_bar_config(disable=True)
    return pipe


def encode(pipe, captions: list[str], device, resolution: int) -> dict:
    """UNet keyword arguments for a batch of captions (SDXL adds pooled text and size/crop time ids)."""
    if hasattr(pipe, "text_encoder_2"):
        embeds, _, pooled, _ = pipe.encode_prompt(
            prompt=captions, device=device, num_images_per_prompt=1, do_classifier_free_guidance=False
        )
        time_ids = torch.tensor([[resolution, resolution, 0, 0, resolution, resolution]], device=device)
        added = {"text_embeds": pooled, "time_ids": time_ids.repeat(len(captions), 1).to(pooled.dtype)}
        return {"encoder_hidden_states": embeds, "added_cond_kwargs": added}
    embeds, _ = pipe.encode_prompt(captions, device, 1, False)
    return {"encoder_hidden_states": embeds}


def add_text_lora(encoder, config) -> None:
    """peft's own injection: transformers 5's `add_adapter` wants peft ≥ 0.22, which this stack may not have; the
    state-dict helpers only need `peft_config` set as add_adapter would."""
    from peft import inject_adapter_in_model

    inject_adapter_in_model(config, encoder, adapter_name="default")
    encoder.peft_config = {"default": config}


def add_adapters(pipe, rank: int, text_encoder: bool) -> list:
    from peft import LoraConfig

    pipe.unet.requires_grad_(False)
    pipe.vae.requires_grad_(False)
    pipe.unet.add_adapter(
        LoraConfig(r=rank, lora_alpha=rank, init_lora_weights="gaussian", target_modules=UNET_TARGETS)
    )
    trained = [pipe.unet]
    for name in ("text_encoder", "text_encoder_2"):
        encoder = getattr(pipe, name, None)
        if encoder is not None:
            encoder.requires_grad_(False)
            if text_encoder:
                add_text_lora(encoder, LoraConfig(r=rank, lora_alpha=rank, target_modules=TEXT_TARGETS))
                trained.append(encoder)
    return trained


class LoraState:
    """A text encoder's LoRA weights as a checkpointable object (accelerate saves its state_dict)."""

    def __init__(self, model):
        self.model = model

    def state_dict(self) -> dict:
        from peft.utils import get_peft_model_state_dict

        return {k: v.detach().clone() for k, v in get_peft_model_state_dict(self.model).items()}

    def load_state_dict(self, state: dict) -> None:
        from peft.utils import set_peft_model_state_dict

        set_peft_model_state_dict(self.model, state)


def lora_hooks(accelerator, trained: list):
    """Checkpoints hold the LoRA weights only (not a 3 GB copy of the frozen UNet)."""
    from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict
    from safetensors.torch import load_file, save_file

    def save_hook(models, weights, output_dir):
        if accelerator.is_main_process:
            for i, model in enumerate(models):
                state = get_peft_model_state_dict(accelerator.unwrap_model(model))
                save_file(
                    {k: v.contiguous() for k, v in state.items()}, str(Path(output_dir) / f"lora_{i}.safetensors")
                )
        while weights:
            weights.pop()

    def load_hook(models, input_dir):
        while models:
            i = len(models) - 1
            model = accelerator.unwrap_model(models.pop())
            set_peft_model_state_dict(model, load_file(str(Path(input_dir) / f"lora_{i}.safetensors")))

    accelerator.register_save_state_pre_hook(save_hook)
    accelerator.register_load_state_pre_hook(load_hook)


def diffusion_loss(pipe, noise_scheduler, pixels, conditioning: dict, generator, dtype):
    """The standard denoising objective: noise a VAE latent at a random timestep, predict the noise (or velocity)."""
    from diffusers.utils.torch_utils import randn_tensor

    device = pipe.unet.device
    with torch.no_grad():
        dist = pipe.vae.encode(pixels.to(device, pipe.vae.dtype)).latent_dist
        latents = (dist.sample(generator=generator) * pipe.vae.config.scaling_factor).to(dtype)
    noise = randn_tensor(latents.shape, generator=generator, device=device, dtype=latents.dtype)
    steps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (latents.shape[0],), generator=generator)
    steps = steps.to(device)
    noisy = noise_scheduler.add_noise(latents, noise, steps)
    if noise_scheduler.config.prediction_type == "v_prediction":
        target = noise_scheduler.get_velocity(latents, noise, steps)
    else:
        target = noise
    pred = pipe.unet(noisy, steps, **conditioning).sample
    return F.mse_loss(pred.float(), target.float())


def validate(pipe, accelerator, args, emotions, out: Path, step: int, final: bool = False) -> dict:
    """Render and score the suite with the LoRA as it stands (see validation.py)."""

    def render(folder: Path) -> None:
        pipe.unet.eval()
        render_suite(
            pipe,
            emotions,
            range(args.validation_seeds),
            folder,
            subject=args.validation_subject,
            steps=args.validation_steps,
            guidance=args.validation_guidance,
            resolution=args.resolution,
            taxonomy=args.taxonomy,
            label=f"step {step}",
        )
        pipe.unet.train()

    return validate_during_training(accelerator, args, out, step, render, final) if emotions else {}


def multi_cpu() -> bool:
    """Several processes and no GPU: accelerate only sets up gloo DDP when asked for the CPU explicitly (its
    `--multi_gpu` launch on a CPU-only machine would otherwise run N unconnected copies)."""
    return not torch.cuda.is_available() and int(os.environ.get("WORLD_SIZE", "1")) > 1


def finish_training(accelerator) -> None:
    """End training and forget accelerate's process-wide mixed-precision choice, so that a next run in this process
    (the demo, `--per-emotion`, the API) may choose its own; the distributed setup (PartialState) stays."""
    from accelerate.state import AcceleratorState

    accelerator.end_training()
    AcceleratorState._reset_state()


def train(args, records, out: Path, emotions: list[str]) -> dict:
    """One LoRA on `records`; returns the final loss and validation metrics."""
    from accelerate import Accelerator
    from diffusers import DDPMScheduler
    from diffusers.optimization import get_scheduler

    accelerator = Accelerator(mixed_precision=args.mixed_precision, project_dir=str(out), cpu=multi_cpu())
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(accelerator.mixed_precision, torch.float32)
    pipe = load_pipeline(args.model)
    args.resolution = args.resolution or pipe.unet.config.sample_size * pipe.vae_scale_factor
    write_config(out, args)
    noise_scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    pipe.to(accelerator.device, dtype=dtype)
    pipe.vae.to(
        dtype=torch.float32
    )  # SD/SDXL VAEs overflow to NaN in fp16; encoding stays fp32, as diffusers' scripts do
    torch.manual_seed(args.seed)  # LoRA init: the same on every process and every rerun
    trained = add_adapters(pipe, args.rank, args.train_text_encoder)
    params = [p for model in trained for p in model.parameters() if p.requires_grad]
    for p in params:
        p.data = p.data.float()  # trainable weights stay fp32 under mixed precision
    if args.gradient_checkpointing:
        pipe.unet.enable_gradient_checkpointing()
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=1e-2)
    schedule = get_scheduler(args.lr_scheduler, optimizer, args.warmup_steps, args.max_steps)
    lora_hooks(accelerator, trained[:1])
    for encoder in trained[1:]:  # not DDP-wrapped (encode_prompt needs the bare module): synced by hand below
        accelerator.register_for_checkpointing(LoraState(encoder))
    wrapped_unet, optimizer, schedule = accelerator.prepare(pipe.unet, optimizer, schedule)
    text_params = [p for model in trained[1:] for p in model.parameters() if p.requires_grad]
    images = ImageSet(records, args.resolution)
    start = resume_from(accelerator, out, args.resume)
    if start:
        log.info("resumed at step %d", start)
    out.mkdir(parents=True, exist_ok=True)
    logfile, loss_value, metrics = out / "log.jsonl", None, {}
    bar = step_bar(accelerator, start, args.max_steps, desc=f"image_lora {out.name}")
    for step in bar:
        index = batch_indices(
            len(images), step, args.batch_size, args.seed, accelerator.process_index, accelerator.num_processes
        )
        pixels, captions = images.batch(index)
        generator = step_generator(args.seed, step, accelerator.process_index)
        with accelerator.autocast():
            with torch.set_grad_enabled(args.train_text_encoder):
                conditioning = encode(pipe, captions, accelerator.device, args.resolution)
            unet, pipe.unet = pipe.unet, wrapped_unet  # the DDP wrapper syncs gradients across processes
            try:
                loss = diffusion_loss(pipe, noise_scheduler, pixels, conditioning, generator, dtype)
            finally:
                pipe.unet = unet
        accelerator.backward(loss)
        if accelerator.num_processes > 1:
            for p in text_params:
                p.grad = accelerator.reduce(p.grad, reduction="mean")
        accelerator.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = accelerator.gather(loss.detach().reshape(1)).mean().item()
        bar.set_postfix(loss=f"{loss_value:.4f}", refresh=False)
        done = step + 1
        record = {"step": done, "loss": round(loss_value, 6), "lr": schedule.get_last_lr()[0]}
        if args.validate_every and done % args.validate_every == 0 and done < args.max_steps:
            record["validation"] = metrics = validate(pipe, accelerator, args, emotions, out, done)
        if accelerator.is_main_process:
            log_line(logfile, record)
        if args.checkpoint_every and done % args.checkpoint_every == 0:
            save_checkpoint(accelerator, out, done, args.keep_checkpoints)
    bar.close()
    accelerator.wait_for_everyone()
    if args.max_steps > start or not (out / "pytorch_lora_weights.safetensors").exists():
        metrics = validate(pipe, accelerator, args, emotions, out, args.max_steps, final=True) or metrics
    if accelerator.is_main_process:
        unet = accelerator.unwrap_model(wrapped_unet)
        save_lora(type(pipe), out, unet, pipe.text_encoder, getattr(pipe, "text_encoder_2", None))
        if metrics:
            log_line(logfile, {"step": args.max_steps, "validation": metrics, "final": True})
    accelerator.wait_for_everyone()
    finish_training(accelerator)
    return {"loss": loss_value, "validation": metrics, "out": str(out)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        data = load_records(args, kinds=FORMATS)
        groups = emotion_groups(data.records, args.per_emotion)
        results = {}
        for emotion, records in groups.items():
            out = args.out / emotion if emotion else args.out
            out.mkdir(parents=True, exist_ok=True)
            wanted = [emotion] if emotion else (args.validation_emotions or data.emotions())
            results[emotion or "all"] = train(args, records, out, wanted)
    except StudioError as exc:
        print(f"finetune.image_lora: error: {exc}", file=sys.stderr)
        return 1
    log.info("done: %s", json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
