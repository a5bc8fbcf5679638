"""Seconds per denoising step and peak GPU memory of the full-size Wan2.1-T2V-1.3B transformer at 480×832×81
frames, a raw diffusers transformer loop against the studio's Wan backend, in one run on one GPU.

    python bench/gpu_video.py [--steps 6] [--frames 81] [--size 832x480]
    python bench/gpu_video.py --dry-run      # a shrunken model on the CPU, to check the script itself

No weights are downloaded: the transformer is built from the 1.3B config (30 layers, 12 × 128 heads, FFN 8960, text
width 4096) with random bf16 weights, which cost the same time and memory as trained ones. The raw side runs the
loop WanPipeline runs — two transformer calls per step (classifier-free guidance 5.0) on random prompt embeddings
of the real shape (512 × 4096), then UniPC with flow_shift 3.0 — on latents of the real shape (16 × 21 × 60 × 104,
32 760 tokens). The studio side saves a WanPipeline around that same transformer with stand-ins for the parts that
would need downloads — a tiny UMT5 encoder of width 4096 (so its output has the real shape, not the 5.7 B-parameter
umt5-xxl) and the tests' tiny Wan VAE — loads it through `generators.video.wan_loading` as a user's folder would be
(transformer bf16, VAE float32) and calls `generators.video.wan.render` with emotion conditioning on. The raw side
loads the same saved transformer with `from_pretrained(torch_dtype=bfloat16)`, so both keep the float32 modules
diffusers keeps (norms, time embedding, RoPE).

Per-step time is read between the starts of consecutive conditional transformer calls (CUDA events), so text
encoding and VAE decoding are not in it; the first interval (warm-up) is dropped. Peak memory is
torch.cuda.max_memory_allocated over each side's whole run (the studio's includes its stand-in encoder and VAE).
Prints lines ready to paste into a note; exits cleanly with a message where there is no CUDA device.
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

WAN_1_3B = dict(
    patch_size=(1, 2, 2),
    num_attention_heads=12,
    attention_head_dim=128,
    in_channels=16,
    out_channels=16,
    text_dim=4096,
    freq_dim=256,
    ffn_dim=8960,
    num_layers=30,
    cross_attn_norm=True,
    qk_norm="rms_norm_across_heads",
    eps=1e-6,
    rope_max_seq_len=1024,
)
DRY_RUN = dict(num_attention_heads=2, attention_head_dim=16, ffn_dim=64, num_layers=1)
GUIDANCE, FLOW_SHIFT, TEXT_TOKENS = 5.0, 3.0, 512


class StepClock:
    """Marks the start of every transformer call; every other call is a new step (cond, then uncond)."""

    def __init__(self, device):
        import torch

        self.cuda = device.type == "cuda"
        self.marks = []
        self.torch = torch

    def __call__(self, module, args, kwargs=None):
        if self.cuda:
            event = self.torch.cuda.Event(enable_timing=True)
            event.record()
            self.marks.append(event)
        else:
            self.marks.append(time.perf_counter())

    def step_seconds(self) -> list[float]:
        starts = self.marks[::2]
        if self.cuda:
            self.torch.cuda.synchronize()
            gaps = [a.elapsed_time(b) / 1000 for a, b in zip(starts, starts[1:])]
        else:
            gaps = [b - a for a, b in zip(starts, starts[1:])]
        return gaps[1:]  # the first interval holds the warm-up


def peak_gib(torch, device) -> float | None:
    return torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None


def reset_peak(torch, device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def raw_loop(torch, transformer, device, dtype, latent_shape, steps: int):
    """WanPipeline's denoising loop, written out: CFG over random prompt embeddings, UniPC flow steps."""
    from diffusers import UniPCMultistepScheduler

    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000, flow_shift=FLOW_SHIFT
    )
    generator = torch.Generator("cpu").manual_seed(0)
    latents = torch.randn(latent_shape, generator=generator).to(device)
    cond = torch.randn((1, TEXT_TOKENS, transformer.config.text_dim), generator=generator).to(device, dtype)
    uncond = torch.randn((1, TEXT_TOKENS, transformer.config.text_dim), generator=generator).to(device, dtype)
    scheduler.set_timesteps(steps, device=device)
    clock = StepClock(device)
    handle = transformer.register_forward_pre_hook(clock, with_kwargs=True)
    with torch.no_grad():
        for t in scheduler.timesteps:
            x, timestep = latents.to(dtype), t.expand(1)
            noise = transformer(hidden_states=x, timestep=timestep, encoder_hidden_states=cond, return_dict=False)[0]
            noise_u = transformer(hidden_states=x, timestep=timestep, encoder_hidden_states=uncond, return_dict=False)[
                0
            ]
            noise = noise_u + GUIDANCE * (noise - noise_u)
            latents = scheduler.step(noise, t, latents, return_dict=False)[0]
    handle.remove()
    return clock.step_seconds()


def save_studio_folder(transformer, folder: Path) -> Path:
    """A WanPipeline folder: the random transformer, a width-4096 tiny UMT5 stand-in, the tests' tiny VAE."""
    from diffusers import WanPipeline
    from tiny_wan import scheduler, tiny_text_encoder, tiny_tokenizer, tiny_vae

    tokenizer = tiny_tokenizer()
    encoder = tiny_text_encoder(len(tokenizer), d_model=transformer.config.text_dim)
    pipe = WanPipeline(
        transformer=transformer, vae=tiny_vae(), text_encoder=encoder, tokenizer=tokenizer, scheduler=scheduler()
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def studio_render(torch, folder: Path, device, dtype_name: str, size, frames: int, steps: int):
    from conditioning import resolve
    from generators.request import GenerationRequest
    from generators.video import wan
    from generators.video.wan_loading import load_wan

    start = time.perf_counter()
    loaded, _, _ = load_wan(str(folder), str(device), dtype_name)
    load_s = time.perf_counter() - start
    loaded.pipe.set_progress_bar_config(disable=True)
    options = {"model": str(folder), "steps": steps, "frames": frames, "device": str(device), "dtype": dtype_name}
    request = GenerationRequest(resolve("awe"), folder / "clip.mp4", "a lighthouse in a storm", size=size,
                                options=options)  # fmt: skip
    clock = StepClock(device)
    handle = loaded.pipe.transformer.register_forward_pre_hook(clock, with_kwargs=True)
    reset_peak(torch, device)
    start = time.perf_counter()
    clip = wan.render(request)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    total_s = time.perf_counter() - start
    handle.remove()
    return clock.step_seconds(), load_s, total_s, clip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6, help="denoising steps per side (the first is warm-up)")
    parser.add_argument("--frames", type=int, default=81)
    parser.add_argument("--size", default="832x480", help="WIDTHxHEIGHT")
    parser.add_argument("--dry-run", action="store_true", help="a shrunken model on the CPU: checks the script only")
    args = parser.parse_args(argv)

    import torch
    from diffusers import WanTransformer3DModel

    if not args.dry_run and not torch.cuda.is_available():
        print(
            "gpu_video: no CUDA device here; this bench measures the full-size Wan2.1 transformer on a GPU (skipped)."
        )
        return 0
    device = torch.device("cpu" if args.dry_run else "cuda")
    dtype, dtype_name = (torch.float32, "float32") if args.dry_run else (torch.bfloat16, "bfloat16")
    width, height = (64, 64) if args.dry_run else map(int, args.size.lower().split("x"))
    frames = 9 if args.dry_run else args.frames
    config = {**WAN_1_3B, **(DRY_RUN if args.dry_run else {})}
    latent_shape = (1, 16, (frames - 1) // 4 + 1, height // 8, width // 8)
    tokens = latent_shape[2] * latent_shape[3] * latent_shape[4] // 4
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (dry run, shrunken model)"

    folder = Path(tempfile.mkdtemp(prefix="wan-bench-"))
    start = time.perf_counter()
    torch.manual_seed(0)
    with torch.device(device):
        transformer = WanTransformer3DModel(**config).to(dtype).eval()
    params = sum(p.numel() for p in transformer.parameters()) / 1e9
    save_studio_folder(transformer, folder)
    build_s = time.perf_counter() - start
    del transformer

    # Both sides load the transformer as from_pretrained does (bf16, with the model's float32 modules kept).
    reset_peak(torch, device)
    transformer = WanTransformer3DModel.from_pretrained(folder, subfolder="transformer", torch_dtype=dtype).to(device)
    raw_steps = raw_loop(torch, transformer, device, dtype, latent_shape, args.steps)
    raw_peak = peak_gib(torch, device)
    del transformer
    reset_peak(torch, device)
    studio_steps, load_s, total_s, clip = studio_render(
        torch, folder, device, dtype_name, (width, height), frames, args.steps
    )
    studio_peak = peak_gib(torch, device)

    raw_med, studio_med = statistics.median(raw_steps), statistics.median(studio_steps)
    fixed_s = total_s - studio_med * args.steps  # text encoding, VAE decode, uint8 frames
    mem = lambda gib: "n/a" if gib is None else f"{gib:.1f} GiB"  # noqa: E731
    shape = "x".join(map(str, latent_shape[1:]))
    print(
        f"gpu_video: Wan2.1-T2V-1.3B transformer, {params:.2f} B params, random {dtype_name} weights, on {name}; "
        f"{height}x{width}x{frames} frames (latents {shape}, {tokens} tokens), CFG {GUIDANCE}, UniPC flow_shift "
        f"{FLOW_SHIFT}, {args.steps} steps per side (first dropped as warm-up); torch {torch.__version__}\n"
        f"gpu_video: raw transformer loop : {raw_med:.3f} s/step (median of {len(raw_steps)}), peak {mem(raw_peak)}\n"
        f"gpu_video: studio wan.render    : {studio_med:.3f} s/step (median of {len(studio_steps)}), peak "
        f"{mem(studio_peak)} (with a tiny width-4096 UMT5 and tiny VAE standing in for umt5-xxl and the Wan VAE)\n"
        f"gpu_video: studio vs raw per step: {(studio_med / raw_med - 1) * 100:+.1f} %; studio outside the steps "
        f"(prompt, text encoding, tiny-VAE decode, frames): {fixed_s:.1f} s; clip {tuple(clip.frames.shape)}\n"
        f"gpu_video: setup: build + save_pretrained {build_s:.1f} s, studio load {load_s:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
