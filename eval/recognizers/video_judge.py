"""Learned video judge: the learned image judge (image_judge.py, OASIS-trained) on frames sampled twice a second,
plus the motion terms of the heuristic video recognizer (video_features.py: motion energy raises arousal,
irregular motion lowers valence), one estimate per second so an emotion arc can be followed.

The frames of a clip go through the backbone in one batch (a 4-second clip: 8 frames). Motion is measured on all
frames at ANALYSIS_FPS. The image judge's valence/arousal (in [−1, 1]) and the motion terms (in the heuristic's
SD units) are combined on the heuristic's scale: u = tanh(atanh(v) + VAD_GAIN · motion term), so motion moves the
estimate exactly as much as it does in video_features. The motion weights are the heuristic ones, not learned from
people: there is no human-rated video set here. Dominance is not estimated (0).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from eval.recognition import Recognition, from_vad
from eval.recognizers import image_judge
from eval.recognizers.image_features import attributes_of
from eval.recognizers.video_features import (
    ANALYSIS_FPS,
    mean_features,
    motion_attributes,
    motion_series,
    motion_terms,
    read_frames,
)
from eval.recognizers.visual_vad import VAD_GAIN

NAME = "video_judge"
REQUIRES = image_judge.REQUIRES
FALLBACK = "video_features"
PARALLEL = False
OPTION = "head"
HEAD_PATH = image_judge.HEAD_PATH
JUDGED_PER_SECOND = 2
FRAME_SIDE = 224


def unavailable(head: str | None = None) -> str | None:
    reason = image_judge.unavailable(head)
    return reason.replace(image_judge.FALLBACK, FALLBACK) if reason else None


def with_motion(unit: float, term: float) -> float:
    """An image-judge value in [−1, 1] moved by a motion term in SD units, on the heuristic's tanh scale."""
    return math.tanh(math.atanh(max(-0.999, min(0.999, unit))) + VAD_GAIN * term)


def recognize_frames(frames: np.ndarray, fps: float = ANALYSIS_FPS, head: str | None = None) -> Recognition:
    """uint8 frames (n, h, w, 3) at `fps`: judged JUDGED_PER_SECOND times a second, motion on all of them."""
    from eval.recognizers import image_features

    n = len(frames)
    if n == 0:
        from conditioning.errors import StudioError

        raise StudioError("The video has no frames to judge; check that the file plays.")
    duration = n / fps
    step = max(1, int(round(fps / JUDGED_PER_SECOND)))
    picked = list(range(0, n, step))
    images = [image_judge.as_image(frames[i]) for i in picked]
    ratings = image_judge.rate_images(images, head)
    units = np.vectorize(image_judge.to_unit)(ratings)
    series = motion_series(frames, fps)
    per_second = []
    for second in range(max(1, math.ceil(duration - 1e-6))):
        lo, hi = int(round(second * fps)), min(n, int(round((second + 1) * fps)))
        rows = [k for k, i in enumerate(picked) if lo <= i < hi] or [
            min(range(len(picked)), key=lambda k: abs(picked[k] - lo))
        ]
        dv, da = motion_terms(series[lo : max(lo + 1, hi - 1)])
        v, a = units[rows].mean(axis=0)
        per_second.append(
            {"t": (second + min(duration, second + 1)) / 2, "vad": (with_motion(v, dv), with_motion(a, da), 0.0)}
        )
    dv, da = motion_terms(series)
    v, a = units.mean(axis=0)
    shrunk = [image_features.shrink(im, image_features.ANALYSIS_SIDE) for im in images]
    attributes = attributes_of(mean_features([image_features.measure(s) for s in shrunk]))
    mean_rating = ratings.mean(axis=0)
    attributes.update(motion_attributes(series, fps))
    attributes.update(
        valence_rating=float(mean_rating[0]),
        arousal_rating=float(mean_rating[1]),
        duration_s=duration,
        frames_analysed=n,
        frames_judged=len(picked),
    )
    return from_vad(NAME, (with_motion(v, dv), with_motion(a, da), 0.0), attributes, per_second)


def recognize(path: Path, head: str | None = None) -> Recognition:
    return recognize_frames(read_frames(Path(path), ANALYSIS_FPS, FRAME_SIDE), ANALYSIS_FPS, head)


def card(head: str | None = None) -> dict:
    base = image_judge.card(head)
    return {
        **base,
        "name": NAME,
        "modality": "video",
        "model": f"{base.get('model', '')}, on {JUDGED_PER_SECOND} frames a second, plus the heuristic motion terms "
        "of video_features (motion energy → arousal, irregular motion → lower valence)",
        "validated_on": f"per frame: {base.get('validated_on', '')}; the motion terms are not validated",
        "notes": f"{base.get('notes', '')} Motion weights are the heuristic ones (not learned from people; there is "
        "no human-rated video set here); the agreement figures are the image judge's on still photographs.",
    }
