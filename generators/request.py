"""`GenerationRequest`: what every backend's `generate(request) -> Artifact` receives, and its validation.

Validation happens here, before any backend work, so a bad size or an unwritable output fails at once with one
sentence — never after a minute of rendering.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from conditioning.arc import EmotionArc
from conditioning.atomic import check_writable_folder
from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec

MAX_SIDE = 4096
MAX_DURATION_S = 600.0
MAX_FPS = 60


@dataclass(frozen=True)
class GenerationRequest:
    """spec: the emotion (for an arc, the spec at its start). arc: optional emotion over time (video, voice).
    text: subject hint for image/video, words to speak for voice. size: (width, height). options: backend-specific
    settings (model, steps, guidance, format, language, …)."""

    spec: EmotionSpec
    out: Path
    text: str = ""
    seed: int = 0
    arc: EmotionArc | None = None
    size: tuple[int, int] | None = None
    duration: float | None = None
    fps: int | None = None
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.arc is not None:
            check_arc(self.arc)

    def to_record(self) -> dict:
        """The request's own inputs (not what the backend derived from them), JSON-ready: what a re-run needs."""
        inputs = {"text": self.text, "size": self.size, "duration": self.duration, "fps": self.fps}
        return json.loads(json.dumps({**inputs, "options": self.options}, default=str))

    def spec_at(self, time_s: float) -> EmotionSpec:
        """The emotion at a moment: the arc's when there is one, else the constant spec."""
        return self.arc.at(time_s) if self.arc is not None else self.spec


def parse_size(value, even: bool = False) -> tuple[int, int]:
    """'512x512' / (512, 512) / 512 → (w, h); refuses zero, negative, > 4096, and odd sides when `even`."""
    if isinstance(value, int):
        width = height = value
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        width, height = value
    else:
        match = re.fullmatch(r"\s*(\d+)\s*[x×X*,]\s*(\d+)\s*", str(value))
        if not match:
            raise StudioError(f"Size {value!r} is not WIDTHxHEIGHT; write it like 512x512.")
        width, height = int(match.group(1)), int(match.group(2))
    for name, side in (("width", width), ("height", height)):
        if not isinstance(side, int) or side <= 0:
            raise StudioError(f"Size {width}x{height}: the {name} must be a positive whole number of pixels.")
        if side > MAX_SIDE:
            raise StudioError(f"Size {width}x{height}: the {name} exceeds the limit of {MAX_SIDE} pixels.")
        if even and side % 2:
            raise StudioError(
                f"Size {width}x{height}: video needs even sides (H.264 yuv420p); use {width + width % 2}x{height + height % 2}."
            )
    return int(width), int(height)


def check_duration(duration: float) -> float:
    if not isinstance(duration, (int, float)) or math.isnan(duration) or duration <= 0:
        raise StudioError(f"Duration {duration!r} must be a positive number of seconds.")
    if duration > MAX_DURATION_S:
        raise StudioError(f"Duration {duration:g} s exceeds the limit of {MAX_DURATION_S:g} s.")
    return float(duration)


def check_arc(arc: EmotionArc) -> EmotionArc:
    """An arc is rendered to its last key, so it has --duration's limit: 'calm:0,dread:1e9' would need TiBs."""
    if arc.end > MAX_DURATION_S:
        raise StudioError(
            f"The arc ends at {arc.end:g} s, past the limit of {MAX_DURATION_S:g} s; put its last key at "
            f"{MAX_DURATION_S:g} s or earlier."
        )
    return arc


def check_fps(fps: int) -> int:
    if not isinstance(fps, int) or not 1 <= fps <= MAX_FPS:
        raise StudioError(f"Frame rate {fps!r} must be a whole number from 1 to {MAX_FPS}.")
    return fps


def check_seed(seed) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise StudioError(f"Seed {seed!r} must be a whole number from 0 to 4294967295.")
    return seed


def check_output(out: Path, allowed_suffixes: tuple[str, ...]) -> Path:
    """The output path must have a suffix the backend writes and a folder we can write to."""
    out = Path(out)
    if out.suffix.lower() not in allowed_suffixes:
        raise StudioError(f"Output {out.name!r} must end in {' or '.join(allowed_suffixes)}.")
    check_writable_folder(out)
    return out


def number_option(options: dict, key: str, kind, low: float, high: float):
    """A numeric backend option (`--steps`, `--guidance` …) checked for type and range; None when not given."""
    value = options.get(key)
    if value is None:
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and low <= number <= high) or number != float(value):
        what = "whole number" if kind is int else "number"
        raise StudioError(f"--{key} {value!r} must be a {what} from {low:g} to {high:g}.")
    return number
