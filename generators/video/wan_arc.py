"""An `EmotionArc` as Wan segments: one segment per key, generated in order, each continuing from a frame of the one
before (image-to-video), joined by a short crossfade.

Timing. Key times are seconds on the clip's clock (frame f is at f / fps). Segment k speaks key k's emotion; the
seam between keys k and k+1 is centred on the midpoint of their times, so every key owns the stretch of the clip that
is nearer to it than to its neighbours. Segment k+1 starts from segment k's frame at the seam's first frame, and the
two share `overlap` frames there, over which the picture fades from k into k+1.

Why the numbers line up. Wan generates 4k+1 frames. Seams start on multiples of 4 and overlaps are 4j+1 frames
(5 = a 4-frame crossfade, or 1 = a cut at the shared frame), so every segment is 4k+1 frames and the assembled clip
is exactly the requested 4K+1. The crossfade shrinks to a plain cut when segments are too short to hold it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from conditioning.arc import EmotionArc
from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec

log = logging.getLogger(__name__)

CROSSFADE_FRAMES = 4
"""Frames over which one segment fades into the next (0.25 s at Wan's 16 fps); overlap = CROSSFADE_FRAMES + 1."""
TRAINED_FRAMES = 81  # Wan2.1 was trained on 81-frame clips; longer segments work but drift


@dataclass(frozen=True)
class SegmentPlan:
    """index: order. spec: the emotion it speaks. start: its first frame in the clip. frames: how many it generates
    (4k+1). overlap: frames shared with the next segment (0 for the last)."""

    index: int
    spec: EmotionSpec
    start: int
    frames: int
    overlap: int

    @property
    def handoff(self) -> int:
        """Index (in this segment's frames) of the frame the next segment starts from."""
        return self.frames - self.overlap


def plan_segments(emotion: EmotionSpec | EmotionArc, frames: int, fps: int) -> list[SegmentPlan]:
    """Segments for a clip of `frames` (4K+1) frames; one segment without an arc or with a one-key arc."""
    if not isinstance(emotion, EmotionArc) or len(emotion.keys) == 1:
        spec = emotion.keys[0][1] if isinstance(emotion, EmotionArc) else emotion
        return [SegmentPlan(0, spec, 0, frames, 0)]
    times = [t for t, _ in emotion.keys]
    last_time = (frames - 1) / fps
    if times[-1] > last_time:
        raise StudioError(
            f"--arc reaches {times[-1]:g} s but the clip ends at {last_time:.2f} s ({frames} frames at {fps} fps); "
            "give more --frames, or leave --frames out to follow the arc."
        )
    for crossfade in (CROSSFADE_FRAMES, 0):
        starts = [0] + [4 * round(((t0 + t1) / 2 * fps - crossfade / 2) / 4) for t0, t1 in zip(times, times[1:])]
        if _fits(starts, frames, crossfade):
            break
    else:
        gap = min(t1 - t0 for t0, t1 in zip(times, times[1:]))
        raise StudioError(
            f"--arc keys {gap:g} s apart leave a segment fewer than 5 frames at {fps} fps; space the keys at least "
            f"{8 / fps:.2f} s apart or give more --frames."
        )
    overlap = crossfade + 1
    plans = []
    for index, ((_, spec), start) in enumerate(zip(emotion.keys, starts)):
        last = index == len(starts) - 1
        end = frames if last else starts[index + 1] + overlap
        plans.append(SegmentPlan(index, spec, start, end - start, 0 if last else overlap))
    if any(p.frames > TRAINED_FRAMES for p in plans):
        log.warning(
            "a segment is longer than the %d frames Wan2.1 was trained on; add keys to split it", TRAINED_FRAMES
        )
    return plans


def _fits(starts: list[int], frames: int, crossfade: int) -> bool:
    """Each segment keeps 4 + crossfade frames of its own; the last also holds its shared frames."""
    ends = starts[1:] + [frames - 1 - crossfade]
    return all(end - start >= 4 + crossfade for start, end in zip(starts, ends))


def assemble(plans: list[SegmentPlan], segments: list[np.ndarray], frames: int) -> np.ndarray:
    """Lay the segments (uint8, T×H×W×3) on the clip's frames, crossfading linearly over each overlap."""
    clip = np.zeros((frames, *segments[0].shape[1:]), dtype=np.float32)
    for plan, video in zip(plans, segments):
        clip[plan.start : plan.start + plan.frames] = video
    for plan, video, after in zip(plans, segments, segments[1:]):
        if plan.overlap > 1:
            weight = np.linspace(0.0, 1.0, plan.overlap, dtype=np.float32)[:, None, None, None]
            tail = video[plan.handoff :].astype(np.float32)
            head = after[: plan.overlap].astype(np.float32)
            clip[plan.start + plan.handoff : plan.start + plan.frames] = (1 - weight) * tail + weight * head
    return np.clip(np.round(clip), 0, 255).astype(np.uint8)
