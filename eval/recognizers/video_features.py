"""Video recognizer without weights: image features on sampled frames, motion energy and its rhythm, and one VAD
estimate per second so an emotion arc can be followed.

Frames are decoded by the ffmpeg inside imageio-ffmpeg (eval/ffmpeg_frames.py), which also resamples time and space
for us (`fps=ANALYSIS_FPS,scale=…`): MP4 and GIF take the same path and a 512-px clip costs little more than a
128-px one.

Motion (FACTS §3, Husain et al. 2002: tempo moves arousal; the motion analogue of Bar & Neta's angular threat):
motion energy is the mean absolute luma change per second; more of it raises arousal; irregular (jerky) motion,
measured as the coefficient of variation of the motion-energy series, lowers valence. The rhythm is the dominant
frequency of that series — note a back-and-forth pulse at f Hz shows up near 2f, since energy peaks twice a cycle.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from eval.ffmpeg_frames import ffmpeg_frames
from eval.recognition import Recognition, from_vad
from eval.recognizers.image_features import CARD as IMAGE_CARD
from eval.recognizers.image_features import attributes_of, measure
from eval.recognizers.visual_vad import to_unit, visual_sd_scores

NAME = "video_features"
PARALLEL = True  # numpy only: safe in the report's thread pool
ANALYSIS_FPS = 12
ANALYSIS_SIDE = 128
FEATURE_STRIDE = 3  # image features on every 3rd analysed frame (4 per second); motion uses all of them
MOTION_NORM = (0.30, 0.30)  # mean |Δluma| per second: (mean, SD) for z-scores (studio choice)
MOTION_AROUSAL = 0.5  # SD units of arousal per SD of motion energy
IRREGULARITY_NORM = (0.5, 0.4)  # coefficient of variation of motion energy (studio choice)
IRREGULARITY_VALENCE = -0.2
CARD = {
    "name": NAME,
    "modality": "video",
    "kind": "heuristic",
    "model": "image_features on frames + motion energy, irregularity and rhythm → VAD by published relations",
    "trained_on": "",
    "validated_on": "per frame: OASIS 600 photos, mean ratings (no training); the motion terms are not validated",
    # the image features' OASIS figures, measured by `python -m finetune.image_judge` (see image_features.CARD)
    "agreement": dict(IMAGE_CARD["agreement"]),
    "licence": "Apache-2.0 (rules from published findings, no data)",
    "notes": "Agreement figures are the image features' on still photographs; the motion weights are studio "
    "choices from published directions (FACTS §3), unvalidated: there is no human-rated video set here.",
}
AVERAGED = (
    "brightness",
    "saturation",
    "colourfulness",
    "chroma",
    "angularity",
    "contrast",
    "warmth",
    "edge_density",
    "compressed_ratio",
)


def read_frames(path: Path, fps: float = ANALYSIS_FPS, side: int = ANALYSIS_SIDE) -> np.ndarray:
    """uint8 frames (n, h, w, 3) at `fps`, longer side ≤ `side`. Unreadable or empty video → StudioError."""
    scale = f"scale={side}:{side}:force_original_aspect_ratio=decrease"
    return np.stack(ffmpeg_frames(Path(path), f"fps={fps},{scale}"))


def motion_series(frames: np.ndarray, fps: float) -> np.ndarray:
    """Mean |Δluma| between consecutive frames, in luma units (0–1) per second."""
    luma = frames.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32) / 255
    if len(luma) < 2:
        return np.zeros(0, np.float32)
    return np.abs(np.diff(luma, axis=0)).mean(axis=(1, 2)) * fps


def rhythm(series: np.ndarray, fps: float) -> tuple[float, float]:
    """(dominant frequency in Hz, share of non-DC power at that peak); (0, 0) for < 2 s or no variation."""
    if len(series) < 2 * fps or float(series.std()) < 1e-6:
        return 0.0, 0.0
    power = np.abs(np.fft.rfft((series - series.mean()) * np.hanning(len(series)))) ** 2
    power[0] = 0.0
    peak = int(power.argmax())
    return float(peak * fps / len(series)), float(power[peak] / max(power.sum(), 1e-12))


def motion_terms(series: np.ndarray) -> tuple[float, float]:
    """(valence, arousal) in SD units from motion energy and its irregularity."""
    if len(series) == 0:
        return 0.0, 0.0
    energy = float(series.mean())
    irregularity = float(series.std() / max(energy, 1e-6)) if energy > 1e-4 else 0.0
    z_energy = max(-3.0, min(3.0, (energy - MOTION_NORM[0]) / MOTION_NORM[1]))
    z_irregular = max(-3.0, min(3.0, (irregularity - IRREGULARITY_NORM[0]) / IRREGULARITY_NORM[1]))
    return IRREGULARITY_VALENCE * z_irregular, MOTION_AROUSAL * z_energy


def mean_features(measured: list[dict]) -> dict:
    out = {k: float(np.mean([m[k] for m in measured])) for k in AVERAGED}
    out["hue_histogram"] = list(np.mean([m["hue_histogram"] for m in measured], axis=0))
    return out


def motion_attributes(series: np.ndarray, fps: float) -> dict:
    """What a report shows of the motion: energy, irregularity, rhythm frequency and its strength."""
    hz, strength = rhythm(series, fps)
    energy = float(series.mean()) if len(series) else 0.0
    return {
        "motion_energy": energy,
        "motion_irregularity": float(series.std() / max(energy, 1e-6)) if energy > 1e-4 else 0.0,
        "motion_rhythm_hz": hz,
        "motion_rhythm_strength": strength,
    }


def window_vad(measured: list[dict], series: np.ndarray) -> tuple[float, float, float]:
    p, a, d = visual_sd_scores(mean_features(measured))
    dv, da = motion_terms(series)
    return to_unit((p + dv, a + da, d))


def recognize_frames(frames: np.ndarray, fps: float = ANALYSIS_FPS) -> Recognition:
    """Recognize frames already at analysis size and rate (tests build them in memory)."""
    n = len(frames)
    duration = n / fps
    stride_idx = list(range(0, n, FEATURE_STRIDE))
    measured = {i: measure(frames[i]) for i in stride_idx}
    series = motion_series(frames, fps)
    per_second = []
    for second in range(max(1, math.ceil(duration - 1e-6))):
        lo, hi = int(round(second * fps)), min(n, int(round((second + 1) * fps)))
        picked = [measured[i] for i in stride_idx if lo <= i < hi] or [measure(frames[min(lo, n - 1)])]
        t = (second + min(duration, second + 1)) / 2
        per_second.append({"t": t, "vad": window_vad(picked, series[lo : max(lo + 1, hi - 1)])})
    overall = mean_features([measured[i] for i in stride_idx])
    attributes = {**attributes_of(overall), **motion_attributes(series, fps), "duration_s": duration}
    attributes["frames_analysed"] = n
    vad = window_vad([measured[i] for i in stride_idx], series)
    return from_vad(NAME, vad, attributes, per_second)


def recognize(path: Path) -> Recognition:
    return recognize_frames(read_frames(Path(path)), ANALYSIS_FPS)


def card() -> dict:
    return {**CARD, "agreement": dict(CARD["agreement"])}
