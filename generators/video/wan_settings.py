"""The Wan backend's settings, checked before any model loads: the model card's defaults (480×832, 81 frames at
16 fps, 50 steps, guidance 5.0) and its rules (frames 4k+1, sides divisible by 16), each refused in one sentence.

Why the rules: the Wan VAE compresses time 4× keeping the first frame (so 4k+1 frames make k+1 latent frames) and
space 8×, and the transformer patches latents 2×2 — 16 pixels per token side. diffusers would silently round
either; we say so instead, naming the nearest valid values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from conditioning.errors import StudioError
from generators.lora_blend import parse_loras
from generators.options import value_of
from generators.request import GenerationRequest, check_duration, check_fps, number_option, parse_size
from generators.video.narration import check_voice

DEFAULT_SIZE = (832, 480)  # width × height: Wan2.1's 480p
DEFAULT_FRAMES = 81
DEFAULT_FPS = 16
DEFAULT_STEPS = 50
DEFAULT_GUIDANCE = 5.0
SIDE_MULTIPLE = 16  # VAE 8× × transformer patch 2
TEMPORAL = 4  # VAE time compression


@dataclass(frozen=True)
class WanSettings:
    """Everything a Wan run needs besides the spec, validated."""

    model: str | None
    size: tuple[int, int]
    frames: int
    fps: int
    steps: int
    guidance: float
    flow_shift: float | None
    """The user's scheduler shift; None: by the size (`wan_loading.flow_shift_for`)."""
    negative: str | None
    plain: bool
    loras: dict
    i2v_from: str | None
    image_model: str | None
    voice: tuple[str, str] | None
    device: str | None
    dtype: str | None
    offload: bool
    allow_pickle: bool


def check_frames(frames) -> int:
    """Frames must be 4k+1 and at least 5 (one latent frame is a still, not a clip)."""
    if not isinstance(frames, int) or isinstance(frames, bool) or frames < 1:
        raise StudioError(f"--frames {frames!r} must be a whole number of the form 4k+1, such as 81.")
    if frames % TEMPORAL != 1:
        low = frames - (frames - 1) % TEMPORAL
        raise StudioError(f"--frames {frames} must be 4k+1 ({low} or {low + TEMPORAL}).")
    if frames < 5:
        raise StudioError(f"--frames {frames} is a single image; a Wan clip needs at least 5 frames.")
    return frames


def check_size(size) -> tuple[int, int]:
    width, height = parse_size(size)
    if width % SIDE_MULTIPLE or height % SIDE_MULTIPLE:
        down = [max(SIDE_MULTIPLE, s // SIDE_MULTIPLE * SIDE_MULTIPLE) for s in (width, height)]
        up = [math.ceil(s / SIDE_MULTIPLE) * SIDE_MULTIPLE for s in (width, height)]
        raise StudioError(
            f"Size {width}x{height}: sides must be divisible by {SIDE_MULTIPLE}; use {down[0]}x{down[1]} or "
            f"{up[0]}x{up[1]}."
        )
    return width, height


def clip_frames(request: GenerationRequest, fps: int) -> int:
    """--frames, else --duration at `fps` rounded to 4k+1, else the arc's length, else 81."""
    frames = request.options.get("frames")
    if frames is not None and request.duration is not None:
        raise StudioError("Give --frames or --duration for a Wan clip, not both.")
    if frames is not None:
        return check_frames(frames)
    seconds = request.duration
    if seconds is None and request.arc is not None and request.arc.end > 0:
        seconds = request.arc.end
    if seconds is None:
        return DEFAULT_FRAMES
    return max(5, TEMPORAL * round(check_duration(seconds) * fps / TEMPORAL) + 1)


def read_settings(request: GenerationRequest, out: Path) -> WanSettings:
    options = request.options
    fps = check_fps(DEFAULT_FPS if request.fps is None else request.fps)
    frames = clip_frames(request, fps)
    check_duration(frames / fps)
    allow_pickle = bool(options.get("allow_pickle"))
    steps = number_option(options, "steps", int, 1, 1000)
    guidance = number_option(options, "guidance", float, 0, 100)
    return WanSettings(
        model=options.get("model"),
        size=check_size(request.size or DEFAULT_SIZE),
        frames=frames,
        fps=fps,
        steps=DEFAULT_STEPS if steps is None else steps,
        guidance=DEFAULT_GUIDANCE if guidance is None else guidance,
        flow_shift=value_of(options, "flow_shift"),
        negative=options.get("negative") or None,
        plain=bool(options.get("plain")),
        loras=parse_loras(options.get("lora"), allow_pickle),
        i2v_from=options.get("i2v_from") or None,
        image_model=options.get("image_model") or None,
        voice=check_voice(options.get("voice"), options.get("language"), out),
        device=options.get("device"),
        dtype=options.get("dtype"),
        offload=bool(options.get("offload")),
        allow_pickle=allow_pickle,
    )
