"""The diffusion backend's overhead over calling the same diffusers pipeline directly, on the CPU, in one run.

    python bench/diffusion_overhead.py [--steps 10] [--size 64] [--runs 7] [--channels 32,64]

Budget (issue 6): studio ≤ 3 % slower than the raw pipeline with the same model, seed and steps, and identical pixels
with conditioning off (plain=True, no LoRA, no adapter, no init). The model is the tests' tiny SD (random weights cost
what trained ones do; --channels 64,128 widens its UNet). Two readings: (1) paired — runs alternate raw / studio so
drift on a shared machine hits both, medians compared; (2) in-call — the studio's wall time minus its own pipeline
call (the sidecar's render_s), i.e. what the studio adds (validation, prompt composition, PNG + sidecar writes),
which stays meaningful when other processes make (1) noisy. bench/gpu_image.py times full-size models on a GPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--channels", default="32,64", help="UNet block_out_channels")
    args = parser.parse_args(argv)

    import numpy as np
    import torch
    from diffusers import AutoPipelineForText2Image
    from PIL import Image
    from tiny_diffusion import build_tiny_sd

    from generators.image.diffusion_loading import load_pipeline
    from studio.api import generate

    tmp = Path(tempfile.mkdtemp())
    model = build_tiny_sd(tmp / "sd", channels=tuple(int(c) for c in args.channels.split(",")))
    text, size = "a lighthouse in a storm", f"{args.size}x{args.size}"

    def run_raw(prompt, negative=None, seed=0):
        extra = {"negative_prompt": negative} if negative else {}
        generator = torch.Generator("cpu").manual_seed(seed)
        call = dict(num_inference_steps=args.steps, height=args.size, width=args.size, generator=generator)
        return raw(prompt, **call, **extra).images[0]

    def run_studio(i, plain):
        options = {"plain": True} if plain else {}
        out = tmp / f"s{i}-{plain}.png"
        return generate("image", "awe", text=text, backend="diffusion", model=str(model), steps=args.steps,
                        size=size, out=out, **options)  # fmt: skip

    composed = run_studio("warm", plain=False).provenance["parameters"]
    raw = load_pipeline(str(model))[0].pipe  # the very pipeline object the studio calls, called directly
    fresh = AutoPipelineForText2Image.from_pretrained(model, use_safetensors=True)  # parity check only
    generator = torch.Generator("cpu").manual_seed(0)
    reference = fresh(text, num_inference_steps=args.steps, height=args.size, width=args.size, generator=generator)
    run_studio("warm", plain=True)
    run_raw(text)
    report = []
    for plain in (True, False):
        prompt, negative = (text, None) if plain else (composed["prompt"], composed["negative"])
        raw_s, studio_s, added_s = [], [], []
        for i in range(args.runs):
            order = (0, 1) if i % 2 else (1, 0)
            for which in order:
                start = time.perf_counter()
                if which == 0:
                    image = run_raw(prompt, negative)
                    raw_s.append(time.perf_counter() - start)
                else:
                    art = run_studio(i, plain)
                    studio_s.append(time.perf_counter() - start)
                    added_s.append(studio_s[-1] - art.provenance["timings"]["render_s"])
        studio_pixels = np.asarray(Image.open(art.path).convert("RGB"))
        same = np.array_equal(np.asarray(image), studio_pixels)
        if plain:
            same = same and np.array_equal(np.asarray(reference.images[0]), studio_pixels)
        raw_med, studio_med = statistics.median(raw_s), statistics.median(studio_s)
        paired = (studio_med / raw_med - 1) * 100
        paired_min = (min(studio_s) / min(raw_s) - 1) * 100
        added = statistics.median(added_s) / raw_med * 100
        label = "conditioning off (plain)" if plain else "prompt composition on"
        report.append(
            f"diffusion overhead, {label}: raw {raw_med * 1000:.0f} ms, studio {studio_med * 1000:.0f} ms median of "
            f"{args.runs} ({args.size}px, {args.steps} steps, UNet {args.channels}, CPU x{torch.get_num_threads()}): "
            f"paired {paired:+.1f} % (fastest runs {paired_min:+.1f} %), in-call {added:+.2f} % "
            f"({statistics.median(added_s) * 1000:.1f} ms; budget 3 % -> {'OK' if added <= 3 else 'OVER'}); "
            f"identical pixels to raw diffusers: {same}"
        )
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
