"""The embedded video backend: the procedural painter animated by `MotionStyle`, following an `EmotionArc`.

Every frame re-reads the same painting genes through the style of that moment, so an arc (calm → dread) changes
colour, light, line and brushwork continuously. Motion:
- speed       how far and how fast strokes sway (their phase advances at tempo_bpm, scaled by speed)
- smoothness  sinusoidal sway when smooth; held positions with abrupt jumps when jerky
- regularity  all strokes share one tempo when regular; each has its own when not
- shake       a per-frame jitter (fear, fury); drift moves the whole field down (sadness) or up (joy)
- pulse_depth the light breathes on the tempo
Written as H.264 yuv420p MP4 (`generators.media.mp4`) or as GIF (`generators.media.gif`): streamed into the encoder
as the frames are rendered, or, inside a batch run's `background_writes`, rendered to memory and encoded on the
writer thread while the next clip renders (the same frames into the same encoder, so the same bytes).
"""

from __future__ import annotations

import math
import time

import numpy as np
from PIL import ImageEnhance

from conditioning.artifact import Artifact, provenance
from conditioning.atomic import atomic_path
from conditioning.background_writes import deferring, run_or_defer
from conditioning.errors import StudioError
from conditioning.motion_style import motion_style
from conditioning.visual_style import visual_style
from generators.image.painter import MAX_STROKES, make_genes, paint
from generators.media.gif import write_gif
from generators.media.mp4 import write_mp4
from generators.request import GenerationRequest, check_duration, check_fps, check_output, parse_size
from generators.video.narration import check_voice, mux_voice

SUFFIXES = (".mp4", ".gif")
DEFAULT_SIZE = (256, 256)
DEFAULT_DURATION_S = 4.0
DEFAULT_FPS = 24
BACKEND = "procedural"
OPTIONS = ("voice", "language")  # narration only; model, steps and LoRA belong to model backends


def render_frames(request: GenerationRequest, size: tuple[int, int], duration: float, fps: int):
    """Yield (frame as uint8 array, spec at that time) for every frame."""
    genes = make_genes(request.seed)
    rng = np.random.default_rng(request.seed + 1)
    own_tempo = rng.uniform(0.5, 1.6, MAX_STROKES)
    own_phase = rng.uniform(0, 2 * math.pi, MAX_STROKES)
    jitter = rng.normal(0, 1, (int(round(duration * fps)) + 1, MAX_STROKES, 1, 2))
    scale = min(size)
    beat_phase, sway_phase, drift = 0.0, np.zeros(MAX_STROKES), 0.0
    for index in range(int(round(duration * fps))):
        t = index / fps
        spec = request.spec_at(t)
        style, motion = visual_style(spec), motion_style(spec)
        beat_hz = motion.tempo_bpm / 60.0
        tempo = 1.0 + (own_tempo - 1.0) * (1.0 - motion.regularity)
        sway_phase = sway_phase + 2 * math.pi * beat_hz * 0.5 * (0.2 + motion.speed) * tempo / fps
        beat_phase += 2 * math.pi * beat_hz / fps
        smooth_sway = np.sin(sway_phase + own_phase)
        stepped = np.round(np.sin(2.5 * sway_phase + own_phase) * 1.5) / 1.5  # held positions, abrupt jumps
        sway = motion.smoothness * smooth_sway + (1 - motion.smoothness) * stepped
        phase = sway * (0.05 + 0.45 * motion.speed)
        drift -= motion.drift * motion.speed * 0.04 / fps
        offset = jitter[index] * motion.shake * scale * 0.03
        offset = offset + np.array([0.0, -drift * size[1]])
        frame = paint(style, size, genes, request.text, phase=phase, offset=offset, drift=-drift * 0.5)
        pulse = 1.0 + motion.pulse_depth * 0.12 * math.sin(beat_phase)
        frame = ImageEnhance.Brightness(frame).enhance(pulse)
        yield np.asarray(frame), spec


def generate(request: GenerationRequest) -> Artifact:
    """Render the clip and write MP4 (or GIF) + sidecar atomically."""
    out = check_output(request.out, SUFFIXES)
    is_gif = out.suffix.lower() == ".gif"
    size = parse_size(request.size or DEFAULT_SIZE, even=not is_gif)
    if request.duration is not None:
        duration = check_duration(request.duration)
    else:
        duration = request.arc.end if request.arc is not None and request.arc.end > 0 else DEFAULT_DURATION_S
    fps = check_fps(DEFAULT_FPS if request.fps is None else request.fps)
    if duration * fps < 2:
        raise StudioError(f"{duration:g} s at {fps} fps is fewer than 2 frames; lengthen --duration.")
    voice = check_voice(request.options.get("voice"), request.options.get("language"), out)
    start = time.perf_counter()
    keyframe_styles = []

    def frames():
        for index, (frame, spec) in enumerate(render_frames(request, size, duration, fps)):
            if index % fps == 0:
                keyframe_styles.append({"t": index / fps, "vad": list(spec.vad)})
            yield frame

    record = provenance(
        request=request.to_record(),
        modality="video",
        spec=request.spec.to_dict(),
        backend=BACKEND,
        seed=request.seed,
        arc=request.arc.to_dict() if request.arc else None,
        styles={
            "visual": visual_style(request.spec).to_dict(),
            "motion": motion_style(request.spec).to_dict(),
            "per_second": keyframe_styles,  # filled as the frames are rendered
        },
        parameters={
            "size": list(size),
            "duration": duration,
            "fps": fps,
            "frames": int(round(duration * fps)),
            "format": out.suffix.lstrip("."),
            "text": request.text,
            "voice": None,
        },
        timings={},
    )
    artifact = Artifact(path=out, modality="video", provenance=record)

    def encode_and_write(clip_frames, render_s: float = 0.0) -> None:
        encode_start = time.perf_counter()
        with atomic_path(out) as tmp:
            if is_gif:
                write_gif(tmp, clip_frames, fps)
            else:
                write_mp4(tmp, clip_frames, size, fps)
            if voice is not None:
                emotion = request.arc if request.arc is not None else request.spec
                frame_count = int(round(duration * fps))
                record["parameters"]["voice"] = mux_voice(
                    tmp, emotion, voice[0], frame_count / fps, voice[1], request.seed
                )
        record["timings"]["render_and_encode_s"] = round(render_s + time.perf_counter() - encode_start, 3)
        artifact.write_sidecar()

    if deferring(size[0] * size[1] * 3 * int(round(duration * fps))):
        # a batch run: render to memory now, encode on the writer thread while the next job renders
        rendered = list(frames())
        render_s = time.perf_counter() - start
        run_or_defer(out, lambda: encode_and_write(rendered, render_s), nbytes=sum(f.nbytes for f in rendered))
    else:  # frames stream into the encoder as they are rendered: a long clip never sits in memory
        encode_and_write(frames())
    return artifact
