"""Full-size SD 1.5 and SDXL on one CUDA GPU: images/s for raw diffusers and for the studio's diffusion backend.

    python bench/gpu_image.py [--steps 20] [--runs 6] [--only sd15|sdxl] [--batches 1,4,16] [--peak-tflops 989]

The architectures are built from their published configs (written inline below) with random fp16 weights — a real
network costs the same per step whatever its weights — and a tokenizer made locally, so nothing is downloaded. Each
model is saved as safetensors and loaded through the studio (as a user's folder would be); the raw figure calls that
same pipeline object directly with the same prompt, seed and steps. Prints one line per model to paste into a note, then the throughput lines: images/s for raw diffusers at batch 1
(+ PNG save at the studio's compress_level=1) and for `studio batch` runs of 16 jobs at each --batches size,
alternated A/B, with the fraction of the chip's dense fp16 peak that reaches (UNet FLOPs counted by torch's
FlopCounterMode on one denoising step, × steps; text encoders and VAE left out, so the fraction is a floor).
Without CUDA it says so and exits 0 (CPU timings live in bench/diffusion_overhead.py).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

DEVICE = "cuda"
SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1)
VAE = dict(  # SD's AutoencoderKL (kl-f8)
    block_out_channels=[128, 256, 512, 512],
    down_block_types=["DownEncoderBlock2D"] * 4,
    up_block_types=["UpDecoderBlock2D"] * 4,
    latent_channels=4,
    layers_per_block=2,
    norm_num_groups=32,
)
CLIP_L = dict(  # CLIP ViT-L/14 text tower (SD 1.5's encoder, SDXL's first)
    hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12, projection_dim=768,
    hidden_act="quick_gelu", vocab_size=49408, max_position_embeddings=77, bos_token_id=0, eos_token_id=1,
    pad_token_id=1,
)  # fmt: skip
CLIP_BIGG = dict(  # OpenCLIP ViT-bigG/14 text tower (SDXL's second encoder)
    hidden_size=1280, intermediate_size=5120, num_attention_heads=20, num_hidden_layers=32, projection_dim=1280,
    hidden_act="gelu", vocab_size=49408, max_position_embeddings=77, bos_token_id=0, eos_token_id=1,
    pad_token_id=1,
)  # fmt: skip
UNET_SD15 = dict(
    sample_size=64, in_channels=4, out_channels=4, layers_per_block=2, block_out_channels=[320, 640, 1280, 1280],
    down_block_types=["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"],
    up_block_types=["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3,
    cross_attention_dim=768, attention_head_dim=8, norm_num_groups=32,
)  # fmt: skip
UNET_SDXL = dict(
    sample_size=128, in_channels=4, out_channels=4, layers_per_block=2, block_out_channels=[320, 640, 1280],
    down_block_types=["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    transformer_layers_per_block=[1, 2, 10], attention_head_dim=[5, 10, 20], cross_attention_dim=2048,
    use_linear_projection=True, addition_embed_type="text_time", addition_time_embed_dim=256,
    projection_class_embeddings_input_dim=2816, norm_num_groups=32,
)  # fmt: skip


def build(kind: str, folder: Path) -> Path:
    """Random-weight fp16 pipeline of `kind`, made on the GPU and saved as safetensors."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        PNDMScheduler,
        StableDiffusionPipeline,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from tiny_diffusion import tiny_tokenizer
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    with torch.device(DEVICE):
        if kind == "sd15":
            pipe = StableDiffusionPipeline(
                unet=UNet2DConditionModel(**UNET_SD15),
                vae=AutoencoderKL(**VAE, sample_size=512, scaling_factor=0.18215),
                text_encoder=CLIPTextModel(CLIPTextConfig(**CLIP_L)),
                tokenizer=tiny_tokenizer(),
                scheduler=PNDMScheduler(**SCHEDULER, skip_prk_steps=True, set_alpha_to_one=False),
                safety_checker=None,
                feature_extractor=None,
                requires_safety_checker=False,
            )
        else:
            pipe = StableDiffusionXLPipeline(
                unet=UNet2DConditionModel(**UNET_SDXL),
                vae=AutoencoderKL(**VAE, sample_size=1024, scaling_factor=0.13025, force_upcast=True),
                text_encoder=CLIPTextModel(CLIPTextConfig(**CLIP_L)),
                text_encoder_2=CLIPTextModelWithProjection(CLIPTextConfig(**CLIP_BIGG)),
                tokenizer=tiny_tokenizer(),
                tokenizer_2=tiny_tokenizer(),
                scheduler=EulerDiscreteScheduler(**SCHEDULER),
            )
    pipe.to(torch.float16).save_pretrained(folder, safe_serialization=True)
    del pipe
    gc.collect()
    torch.cuda.empty_cache()
    return folder


def bench(kind: str, side: int, steps: int, runs: int, tmp: Path) -> str:
    import numpy as np
    import torch
    from PIL import Image

    from generators.image.diffusion_loading import clear_cache, load_pipeline
    from studio.api import generate

    start = time.perf_counter()
    folder = build(kind, tmp / kind)
    built_s = time.perf_counter() - start
    common = dict(text="a lighthouse in a storm", backend="diffusion", model=str(folder), steps=steps)
    common.update(size=f"{side}x{side}", device=DEVICE, dtype="float16")

    def studio(i, **options):
        return generate("image", "awe", out=tmp / f"{kind}-{i}.png", **common, **options)

    start = time.perf_counter()
    studio("load", plain=True)
    load_s = time.perf_counter() - start
    pipe = load_pipeline(str(folder), device=DEVICE, dtype="float16")[0].pipe

    def raw():
        generator = torch.Generator("cpu").manual_seed(0)
        return pipe(common["text"], num_inference_steps=steps, height=side, width=side, generator=generator).images[0]

    for _ in range(3):  # warm-up: kernel choice, allocator, GPU clocks
        raw()
        studio("warm", plain=True)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times, added, writes = {"raw": [], "raw+save": [], "plain": [], "emotion": []}, [], []
    for i in range(runs):
        for name in ("raw", "raw+save", "plain", "emotion") if i % 2 else ("emotion", "plain", "raw+save", "raw"):
            t0 = time.perf_counter()
            if name == "raw":
                image = raw()
            elif name == "raw+save":  # what a script calling diffusers does to get a file
                raw().save(tmp / f"{kind}-raw.png", compress_level=1)  # the studio's level: same zlib work
            else:
                art = studio(f"{name}{i}", plain=name == "plain")
                if name == "plain":
                    plain_path = art.path
            times[name].append(time.perf_counter() - t0)
            if name in ("plain", "emotion"):  # what the studio adds around its own pipeline call
                added.append(times[name][-1] - art.provenance["timings"]["render_s"])
                writes.append(art.provenance["timings"]["write_s"])
    peak = torch.cuda.max_memory_allocated() / 2**30
    same = np.array_equal(np.asarray(image), np.asarray(Image.open(plain_path).convert("RGB")))
    med = {k: statistics.median(v) for k, v in times.items()}
    clear_cache()  # `pipe` goes with this frame; the next model needs the memory
    gc.collect()
    torch.cuda.empty_cache()
    return (
        f"{kind} {side}px {steps} steps fp16 on {torch.cuda.get_device_name()}: raw diffusers {1 / med['raw']:.2f} img/s "
        f"({med['raw'] * 1000:.0f} ms), studio plain {1 / med['plain']:.2f} img/s "
        f"({(med['plain'] / med['raw'] - 1) * 100:+.1f} %), studio with emotion prompt {1 / med['emotion']:.2f} img/s "
        f"({(med['emotion'] / med['raw'] - 1) * 100:+.1f} %); raw + PIL PNG save {1 / med['raw+save']:.2f} img/s; "
        f"studio adds {statistics.median(added) * 1000:.0f} ms per image in-call "
        f"({statistics.median(added) / med['raw'] * 100:.1f} % of raw; of it PNG write {statistics.median(writes) * 1000:.0f} ms; "
        f"vs raw + PNG save {(statistics.median(added) + med['raw'] - med['raw+save']) / med['raw+save'] * 100:+.1f} %); "
        f"identical pixels plain vs raw: {same}; peak "
        f"{peak:.1f} GiB; build+save {built_s:.0f} s, studio load {load_s:.0f} s; median of {runs}"
    )


PEAK_TFLOPS = {"H200": 989, "H100": 989, "A100": 312, "L40S": 362, "A10": 125, "4090": 165}
"""Dense fp16 tensor-core peaks (TFLOP/s) by device name; --peak-tflops overrides."""


def unet_tflop_per_image(pipe, side: int, steps: int) -> float:
    """FLOPs of one image's denoising: one UNet call on the two guidance halves, counted, × steps."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    unet = pipe.unet
    latent = side // pipe.vae_scale_factor
    sample = torch.randn(2, unet.config.in_channels, latent, latent, device=DEVICE, dtype=unet.dtype)
    text = torch.randn(2, 77, unet.config.cross_attention_dim, device=DEVICE, dtype=unet.dtype)
    extra = {}
    if unet.config.addition_embed_type == "text_time":
        extra["added_cond_kwargs"] = {
            "text_embeds": torch.randn(2, 1280, device=DEVICE, dtype=unet.dtype),
            "time_ids": torch.randn(2, 6, device=DEVICE, dtype=unet.dtype),
        }
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        unet(sample, torch.tensor(500, device=DEVICE), text, **extra)
    return counter.get_total_flops() * steps / 1e12


def throughput(kind: str, side: int, steps: int, batches: list[int], peak: float | None, tmp: Path) -> list[str]:
    """images/s: raw diffusers at batch 1 with the same PNG save, vs `studio batch` at each batch size (A/B)."""
    import json

    import torch

    from generators.image.diffusion_loading import clear_cache, load_pipeline
    from studio.batch import run_batch

    folder = tmp / kind if (tmp / kind).exists() else build(kind, tmp / kind)
    jobs = max(16, max(batches))
    manifest = tmp / f"{kind}-jobs.jsonl"
    rows = [
        {"id": f"{kind}{i:02d}", "modality": "image", "backend": "diffusion", "model": str(folder),
         "emotion": ("awe", "joy", "fear", "calm")[i % 4], "text": "a lighthouse in a storm",
         "options": {"steps": steps, "size": f"{side}x{side}", "device": DEVICE, "dtype": "float16"}}
        for i in range(jobs)
    ]  # fmt: skip
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    run_batch(manifest, tmp / f"{kind}-warm", batch_size=max(batches), progress=False)
    pipe = load_pipeline(str(folder), device=DEVICE, dtype="float16")[0].pipe
    tflop = unet_tflop_per_image(pipe, side, steps)

    def raw_one(i):
        generator = torch.Generator("cpu").manual_seed(i)
        image = pipe("a lighthouse in a storm", num_inference_steps=steps, height=side, width=side,
                     generator=generator).images[0]  # fmt: skip
        image.save(tmp / f"{kind}-raw.png", compress_level=1)

    rates: dict[str, list[float]] = {"raw": []} | {f"studio@{b}": [] for b in batches}
    for rep in range(2):
        names = list(rates) if rep % 2 == 0 else list(rates)[::-1]
        for name in names:
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            if name == "raw":
                for i in range(4):
                    raw_one(i)
                n = 4
            else:
                run_batch(manifest, tmp / f"{kind}-{name}-{rep}", batch_size=int(name.split("@")[1]), progress=False)
                n = jobs
            torch.cuda.synchronize()
            rates[name].append(n / (time.perf_counter() - t0))
    clear_cache()
    gc.collect()
    torch.cuda.empty_cache()
    lines = []
    for name, values in rates.items():
        rate = statistics.median(values)
        share = f", {rate * tflop / peak * 100:.1f} % of {peak:.0f} TFLOP/s fp16 peak" if peak else ""
        lines.append(f"{kind} {side}px {steps} steps: {name} {rate:.2f} img/s (UNet {tflop:.1f} TFLOP/image{share})")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--only", choices=("sd15", "sdxl"))
    parser.add_argument("--batches", default="1,4,16", help="studio batch sizes to time")
    parser.add_argument("--peak-tflops", type=float, help="the device's dense fp16 peak (default: by its name)")
    args = parser.parse_args(argv)
    import torch

    if not torch.cuda.is_available():
        print("gpu_image: no CUDA device here; run it on a GPU machine (CPU figures: bench/diffusion_overhead.py).")
        return 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for kind, side in (("sd15", 512), ("sdxl", 1024)):
            if args.only in (None, kind):
                print(bench(kind, side, args.steps, args.runs, Path(tmp)), flush=True)
                name = torch.cuda.get_device_name()
                peak = args.peak_tflops or next((v for k, v in PEAK_TFLOPS.items() if k in name), None)
                batches = [int(b) for b in args.batches.split(",")]
                for line in throughput(kind, side, args.steps, batches, peak, Path(tmp)):
                    print(line, flush=True)
    print(f"gpu_image: total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
