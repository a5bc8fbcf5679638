"""The Wan2.1 video backend: text-to-video and image-to-video through diffusers, steered by emotion.

Conditioning, all combinable:
1. prompt composition in EmoVid's terms — hue and colourfulness, brightness, motion — from `VisualStyle` and
   `MotionStyle` (`wan_prompt`); option `plain` sends the user's text verbatim instead;
2. LoRAs on the transformer: emotion LoRAs blended by the spec's categories and scaled by intensity, style LoRAs at
   a fixed weight (`lora_blend`; diffusers' `set_adapters` works the same on Wan);
3. image-to-video from a user image, the procedural painter or the diffusion image backend (`wan_start`);
4. emotion arcs: one segment per key, each continuing from the one before, crossfaded (`wan_arc`);
plus narration (`--voice`), muxed in by `narration`. With plain on and no LoRA, a text-to-video call is exactly the
plain diffusers call with the same components, prompt, seed and steps (bench/wan_overhead.py checks the frames).
Speed options, off by default and recorded: `compile` (torch.compile of the transformer; true or a mode) and
`channels_last` (the transformer's patch embedding and the VAE's 3-D convolutions in channels_last_3d layout).

Each I2V segment's first frame is set to its conditioning image: Wan reproduces that image as frame 0 only up to the
VAE round trip, and the exact pixels make seams (and the still beside the clip) match frame for frame.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from conditioning.artifact import Artifact, package_version, provenance
from conditioning.atomic import atomic_path
from conditioning.background_writes import immediate_writes, run_or_defer
from conditioning.errors import StudioError
from conditioning.motion_style import motion_style
from conditioning.visual_style import visual_style
from generators.lora_blend import apply_loras, lora_weights
from generators.media.gif import write_gif
from generators.media.mp4 import write_mp4
from generators.options import DIFFUSERS_OPTIONS
from generators.prompt_fit import ComposedPrompt
from generators.request import GenerationRequest, check_output
from generators.speed_flags import apply_speed, compile_mode
from generators.video.narration import mux_track, speak_ahead
from generators.video.wan_arc import SegmentPlan, assemble, plan_segments
from generators.video.wan_loading import LoadedWan, flow_shift_for, load_wan, pipeline_kind, set_flow_shift
from generators.video.wan_prompt import compose_video
from generators.video.wan_settings import WanSettings, read_settings
from generators.video.wan_start import start_image

SUFFIXES = (".mp4", ".gif")
BACKEND = "wan"
OPTIONS = (*DIFFUSERS_OPTIONS, "frames", "flow_shift", "i2v_from", "image_model", "image_steps", "voice", "language")


@dataclass
class Segment:
    """One generated piece: its plan, the prompt it saw, its LoRA weights, the image it started from (I2V) and its
    frames (uint8, T×H×W×3)."""

    plan: SegmentPlan
    prompt: ComposedPrompt
    lora_weights: dict
    condition: np.ndarray | None
    frames: np.ndarray


@dataclass
class Clip:
    """The assembled frames, the segments they came from and what provenance needs to know."""

    frames: np.ndarray
    segments: list[Segment]
    settings: WanSettings
    info: dict


def to_uint8(video: np.ndarray) -> np.ndarray:
    """diffusers' float frames in [0, 1] → uint8 (rounded, not truncated)."""
    return np.clip(np.round(video * 255.0), 0, 255).astype(np.uint8)


def call_pipeline(loaded: LoadedWan, settings: WanSettings, plan: SegmentPlan, prompt, seed: int, image=None):
    """One diffusers call; the seed drives a CPU generator, so a seed gives the same noise on every device."""
    width, height = settings.size
    kwargs = {
        "prompt": prompt.prompt,
        "negative_prompt": prompt.negative,
        "height": height,
        "width": width,
        "num_frames": plan.frames,
        "num_inference_steps": settings.steps,
        "guidance_scale": settings.guidance,
        "generator": torch.Generator("cpu").manual_seed(seed % 2**32),
        "output_type": "np",
    }
    if image is not None:
        kwargs["image"] = image
    return to_uint8(loaded.pipe(**kwargs).frames[0])


def needs_i2v(request: GenerationRequest, settings: WanSettings) -> bool:
    return settings.i2v_from is not None or (request.arc is not None and len(request.arc.keys) > 1)


def check_kind(kind: str, request: GenerationRequest, settings: WanSettings) -> str | None:
    """The I2V start ('procedural' by default for an I2V model), or None for text-to-video."""
    if kind == "t2v" and needs_i2v(request, settings):
        why = "--i2v-from" if settings.i2v_from else "an --arc (each segment continues from the last frame)"
        raise StudioError(
            f"{why} needs an image-to-video Wan model, but {settings.model!r} is text-to-video; give one such as "
            "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers with --model."
        )
    if kind == "i2v":
        return settings.i2v_from or "procedural"
    return None


def render(request: GenerationRequest, settings: WanSettings | None = None) -> Clip:
    """Check, make the I2V start, load (or reuse) the pipeline and generate every segment in order. Nothing is
    written here except a still made for the start (`<name>-still.png`)."""
    settings = settings or read_settings(request, request.out)
    source = check_kind(pipeline_kind(settings.model), request, settings)
    plans = plan_segments(request.arc if request.arc is not None else request.spec, settings.frames, settings.fps)
    image, start_info = (None, None)
    speed = {
        "compile": compile_mode(request.options.get("compile")),
        "channels_last": bool(request.options.get("channels_last")),
    }
    if source is not None:  # before loading Wan, so a bad path or a missing image model fails at once
        with immediate_writes():  # the still is read straight back, even inside a batch run's background writes
            image, start_info = start_image(request, source, settings.size, request.out)
    start = time.perf_counter()
    loaded, device, dtype = load_wan(
        settings.model, settings.device, settings.dtype, settings.offload, settings.allow_pickle
    )
    load_s = time.perf_counter() - start
    flow_shift = set_flow_shift(loaded.pipe, settings.flow_shift or flow_shift_for(*settings.size))
    apply_speed(loaded, loaded.pipe, "transformer", **speed)
    render_start = time.perf_counter()
    segments: list[Segment] = []
    for plan in plans:
        if segments:
            image = Image.fromarray(segments[-1].frames[segments[-1].plan.handoff])
        prompt = compose_video(plan.spec, request.text, loaded.pipe.tokenizer, settings.negative, settings.plain)
        weights = lora_weights(plan.spec, settings.loras)
        apply_loras(loaded, settings.loras, weights)
        frames = call_pipeline(loaded, settings, plan, prompt, request.seed + plan.index, image)
        condition = None if image is None else np.asarray(image)
        if condition is not None:
            frames[0] = condition
        segments.append(Segment(plan, prompt, weights, condition, frames))
    info = {
        "pipeline": type(loaded.pipe).__name__,
        "device": str(device),
        "dtype": str(dtype).removeprefix("torch."),
        "flow_shift": flow_shift,
        "speed": speed,
        "start_image": start_info,
        "timings": {"load_s": round(load_s, 4), "render_s": round(time.perf_counter() - render_start, 4)},
    }
    return Clip(assemble(plans, [s.frames for s in segments], settings.frames), segments, settings, info)


def generate(request: GenerationRequest) -> Artifact:
    """Render the clip, write MP4 (narrated when asked) or GIF + sidecar atomically. The narration is spoken on a
    thread while the clip denoises; inside a batch run's `background_writes` the encoding, muxing and fsync happen
    on the writer thread while the next job denoises."""
    out = check_output(request.out, SUFFIXES)
    settings = read_settings(request, out)
    speech = None
    if settings.voice is not None:
        words, language = settings.voice
        emotion = request.arc if request.arc is not None else request.spec
        speech = speak_ahead(emotion, words, settings.frames / settings.fps, language, request.seed)
    clip = render(request, settings)
    artifact = Artifact(path=out, modality="video", provenance=_record(request, clip, None))

    def encode_and_write() -> None:
        encode_start = time.perf_counter()
        with atomic_path(out) as tmp:
            if out.suffix.lower() == ".gif":
                write_gif(tmp, clip.frames, settings.fps)
            else:
                write_mp4(tmp, clip.frames, settings.size, settings.fps)
            if speech is not None:
                artifact.provenance["parameters"]["voice"] = mux_track(tmp, speech.result())
        artifact.provenance["timings"]["encode_s"] = round(time.perf_counter() - encode_start, 4)
        artifact.write_sidecar()

    run_or_defer(out, encode_and_write, nbytes=clip.frames.nbytes)
    return artifact


def _record(request: GenerationRequest, clip: Clip, voice: dict | None) -> dict:
    s = clip.settings
    parameters = {
        "size": list(s.size),
        "frames": s.frames,
        "fps": s.fps,
        "duration": round(s.frames / s.fps, 4),
        "steps": s.steps,
        "guidance": s.guidance,
        "flow_shift": clip.info["flow_shift"],
        "text": request.text,
        "negative": s.negative,
        "plain": s.plain,
        "loras": {name: lora.to_record() for name, lora in s.loras.items()},  # applied weights: per segment
        "i2v_from": s.i2v_from,
        "start_image": clip.info["start_image"],
        "segments": [
            {
                "index": seg.plan.index,
                "emotion": seg.plan.spec.source,
                "vad": list(seg.plan.spec.vad),
                "start_frame": seg.plan.start,
                "frames": seg.plan.frames,
                "overlap": seg.plan.overlap,
                "seed": (request.seed + seg.plan.index) % 2**32,
                **seg.prompt.to_dict(),
                "lora_weights": {k: round(w, 4) for k, w in seg.lora_weights.items()},
            }
            for seg in clip.segments
        ],
        "voice": voice,
        "pipeline": clip.info["pipeline"],
        "device": clip.info["device"],
        "dtype": clip.info["dtype"],
        "vae_dtype": "float32",
        "offload": s.offload,
        **clip.info["speed"],
        "format": request.out.suffix.lstrip(".").lower(),
    }
    record = provenance(
        request=request.to_record(),
        modality="video",
        spec=request.spec.to_dict(),
        arc=request.arc.to_dict() if request.arc is not None else None,
        backend=BACKEND,
        model=str(s.model),
        seed=request.seed,
        styles={"visual": visual_style(request.spec).to_dict(), "motion": motion_style(request.spec).to_dict()},
        parameters=parameters,
        timings=clip.info["timings"],
    )
    record["versions"].update(diffusers=package_version("diffusers"), torch=torch.__version__)
    return record
