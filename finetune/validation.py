"""The eval loop inside training: every M steps, generate a fixed validation suite (each emotion × fixed seeds, the
captions the LoRA is trained on) and score it with eval's recognizers, so alignment is logged next to loss.

Images (image_lora) and clips (video_lora) are written with studio-style provenance sidecars (intended spec = the
emotion asked for), so the folder is an ordinary studio output: `studio eval <folder>` re-scores it, and
eval's `score_folder` (every M steps) or `evaluate` (the last time, with the report) reads it here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import torch
from PIL import Image
from tqdm import tqdm

from conditioning import resolve
from conditioning.artifact import Artifact, provenance
from conditioning.atomic import atomic_path
from eval.report import evaluate, score_folder
from finetune.datasets.captions import build_caption

log = logging.getLogger(__name__)
KEYS = ("top1", "quadrant", "valence_sign", "arousal_sign", "alignment", "valence_spearman", "arousal_spearman")


def write_sidecar(
    path: Path, modality: str, emotion: str, taxonomy: str, seed, parameters: dict, backend="finetune-validation"
) -> Path:
    """The studio provenance sidecar of one rendered validation file: the intended spec is the emotion asked for."""
    record = provenance(
        modality=modality,
        spec=resolve(emotion, taxonomy=taxonomy, use_encoder=False).to_dict(),
        backend=backend,
        seed=int(seed),
        parameters=parameters,
    )
    Artifact(path=path, modality=modality, provenance=record).write_sidecar()
    return path


def render_suite(
    pipe,
    emotions,
    seeds,
    out_dir: Path,
    *,
    subject: str,
    steps: int,
    guidance: float,
    resolution: int,
    taxonomy: str = "mikels8",
    label: str = "",
    view_size: int | None = None,
) -> list[Path]:
    """One image per (emotion, seed), batched per seed; the same seeds every time, chosen before training.
    `view_size` enlarges (bicubic) what is written: tiny demo renders are scored as a viewer would see them."""
    out_dir = Path(out_dir)
    paths = []
    prompts = [build_caption(subject, emotion) for emotion in emotions]
    for seed in tqdm(seeds, desc=f"rendering {label or 'validation'}", unit="seed", disable=None, leave=False):
        generators = [torch.Generator("cpu").manual_seed(int(seed)) for _ in emotions]
        with torch.no_grad():
            images = pipe(
                prompt=prompts,
                num_inference_steps=steps,
                guidance_scale=guidance,
                generator=generators,
                height=resolution,
                width=resolution,
            ).images
        for emotion, prompt, image in zip(emotions, prompts, images):
            path = out_dir / f"{emotion}-{seed}.png"
            if view_size:
                image = image.resize((view_size, view_size), Image.BICUBIC)
            with atomic_path(path) as tmp:
                image.save(tmp, format="PNG")
            parameters = {"prompt": prompt, "steps": steps, "guidance": guidance, "stage": label}
            paths.append(write_sidecar(path, "image", emotion, taxonomy, seed, parameters))
    return paths


def render_video_suite(
    pipe,
    emotions,
    seeds,
    out_dir: Path,
    *,
    subject: str,
    steps: int,
    guidance: float,
    resolution: int,
    frames: int,
    fps: int,
    taxonomy: str = "mikels8",
    label: str = "",
) -> list[Path]:
    """One MP4 per (emotion, seed) from a Wan pipeline: the video counterpart of `render_suite`."""
    from generators.media.mp4 import write_mp4
    from generators.video.wan import to_uint8

    out_dir = Path(out_dir)
    paths = []
    jobs = [(seed, emotion) for seed in seeds for emotion in emotions]
    for seed, emotion in tqdm(jobs, desc=f"rendering {label or 'validation'}", unit="clip", disable=None, leave=False):
        prompt = build_caption(subject, emotion)
        with torch.no_grad():
            video = pipe(
                prompt=prompt,
                height=resolution,
                width=resolution,
                num_frames=frames,
                num_inference_steps=steps,
                guidance_scale=guidance,
                generator=torch.Generator("cpu").manual_seed(int(seed)),
                output_type="np",
            ).frames[0]
        path = out_dir / f"{emotion}-{seed}.mp4"
        with atomic_path(path) as tmp:
            write_mp4(tmp, to_uint8(video), (resolution, resolution), fps)
        parameters = {"prompt": prompt, "steps": steps, "guidance": guidance, "frames": frames, "fps": fps}
        paths.append(write_sidecar(path, "video", emotion, taxonomy, seed, {**parameters, "stage": label}))
    return paths


def validate_during_training(accelerator, args, out: Path, step: int, render: Callable[[Path], object], final=False):
    """Render the suite into `<out>/validation/step-N` with `render(folder)` on the main process and score it
    (the full report at the end); other processes wait. Returns the metrics ({} where validation is off)."""
    metrics = {}
    if accelerator.is_main_process and args.validation_seeds > 0:
        folder = out / "validation" / f"step-{step}"
        with accelerator.autocast():  # the frozen model may be fp16/bf16 while the LoRA weights are fp32
            render(folder)
        metrics = score(folder, args.recognizers, report=final)
        log.info("step %d validation %s", step, metrics)
    accelerator.wait_for_everyone()
    return metrics


def score(folder: Path, recognizers: str | None = None, report: bool = False, taxonomy: str = "mikels8") -> dict:
    """Overall metrics of a rendered suite (top-1, quadrant, valence/arousal sign, alignment); optionally the full
    HTML/JSON/Markdown report in `folder/report/`."""
    folder, kwargs = Path(folder), {"recognizers": recognizers, "taxonomy": taxonomy, "workers": 2}
    if report:
        result = evaluate(folder, folder / "report", **kwargs).result
    else:
        result = score_folder(folder, exclude=folder / "report", **kwargs)
    overall = dict(result["metrics"]["overall"])
    overall.update({f"{axis}_spearman": overall["spearman"][axis] for axis in ("valence", "arousal")})
    return {k: (round(overall[k], 4) if isinstance(overall.get(k), float) else overall.get(k)) for k in KEYS}


def log_line(path: Path, record: dict) -> None:
    """Append one JSON line (training logs are append-only; a torn last line is ignored by readers)."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
