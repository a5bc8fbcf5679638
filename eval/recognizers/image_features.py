"""Image recognizer without weights: measure the picture (light, colour, hue, contrast, line, complexity) and read
valence–arousal–dominance off the measurements by published relations (visual_vad.py).

Everything is measured on a copy whose longer side is ANALYSIS_SIDE pixels (PIL's box `reduce`, plus JPEG draft
decoding): the features are averages and shares, so they barely move with resolution, and a 512×512 image costs a
sixteenth of the pixels. Hasler–Süsstrunk colourfulness falls a little on the smaller copy (box filtering removes
some pixel-level colour noise); bench/eval_recognizers.py prints both.

Angularity (Bar & Neta: sharp angles read as threat) is measured with the structure tensor: at every edge pixel
the gradient orientations in a small Gaussian window either agree (a straight or gently curved contour: one large
eigenvalue) or disagree (a corner, a zig-zag, a spike: two comparable eigenvalues). Angularity is the share of edge
pixels whose smaller/larger eigenvalue ratio exceeds CORNER_RATIO — a corner density per unit of edge length. A
circle of radius r turns by only ~3σ/r radians inside the window, so curves stay coherent; jagged polygons do not.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from eval.prefetch import prefetched
from eval.recognition import Recognition, from_vad
from eval.recognizers.visual_vad import visual_vad

NAME = "image_features"
PARALLEL = True  # numpy only: safe in the report's thread pool
ANALYSIS_SIDE = 128
EDGE_THRESHOLD = 0.08  # gradient magnitude (luma 0–1 per pixel) that counts as an edge
CORNER_RATIO = 0.25  # λ_small/λ_large above this: orientations disagree within the window → a corner
TENSOR_SIGMA = 1.5  # pixels at ANALYSIS_SIDE
# Agreement with people measured by `python -m finetune.image_judge` (Pearson r of vad[0], vad[1] against the
# OASIS mean ratings of the 600 photographs in ../shared/data/oasis; no training involved).
CARD = {
    "name": NAME,
    "modality": "image",
    "kind": "heuristic",
    "model": "measured light, colour, hue, line and complexity → VAD by published relations (visual_vad.py)",
    "trained_on": "",
    "validated_on": "OASIS 600 photos, mean ratings (no training)",
    "agreement": {"valence_r": 0.21, "arousal_r": 0.091},
    "licence": "Apache-2.0 (rules from published findings, no data)",
    "notes": "Rules from colour and shape findings (FACTS §3), not fitted to ratings; weak on photographs, whose "
    "content carries most of their emotion.",
}


def load_rgb(path: Path, max_side: int | None = ANALYSIS_SIDE) -> np.ndarray:
    """Decode to uint8 RGB (H, W, 3), shrunk so the longer side is at most `max_side` (None: full size).
    A truncated or unreadable file raises OSError from PIL."""
    with Image.open(path) as image:
        if max_side:
            image.draft("RGB", (max_side, max_side))  # JPEG decodes at 1/2, 1/4, 1/8 scale for free
        return shrink(image.convert("RGB"), max_side)


def shrink(image: Image.Image, max_side: int | None) -> np.ndarray:
    if max_side and max(image.size) > max_side:
        factor = max(image.size) // max_side
        if factor > 1:
            image = image.reduce(factor)
        if max(image.size) > max_side:
            scale = max_side / max(image.size)
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return np.asarray(image)


def blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur with edge padding (numpy only: the base install has no scipy)."""
    radius = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2).astype(np.float32)
    k /= k.sum()
    for axis in (0, 1):
        moved = np.moveaxis(a, axis, 0)
        padded = np.concatenate([np.repeat(moved[:1], radius, 0), moved, np.repeat(moved[-1:], radius, 0)])
        n = moved.shape[0]
        a = np.moveaxis(sum(w * padded[i : i + n] for i, w in enumerate(k)), 0, axis)
    return a


def gradients(luma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel derivatives, scaled to luma units per pixel."""
    p = np.pad(luma, 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:] - p[:-2, :-2] - 2 * p[1:-1, :-2] - p[2:, :-2]) / 8
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:] - p[:-2, :-2] - 2 * p[:-2, 1:-1] - p[:-2, 2:]) / 8
    return gx, gy


def line_features(luma: np.ndarray) -> dict[str, float]:
    """Edge density, angularity (corner share of edge pixels) and curvature share, from the structure tensor."""
    gx, gy = gradients(luma)
    edge = np.hypot(gx, gy) > EDGE_THRESHOLD
    n_edge = int(edge.sum())
    if n_edge < 8:
        return {"edge_density": n_edge / luma.size, "angularity": 0.0}
    jxx, jyy, jxy = (blur(x, TENSOR_SIGMA) for x in (gx * gx, gy * gy, gx * gy))
    half_trace = (jxx + jyy) / 2
    root = np.sqrt(((jxx - jyy) / 2) ** 2 + jxy**2)
    ratio = (half_trace - root) / np.maximum(half_trace + root, 1e-9)
    return {"edge_density": n_edge / luma.size, "angularity": float((ratio[edge] > CORNER_RATIO).mean())}


def colour_features(x: np.ndarray) -> dict:
    """x: float RGB in [0, 1]. Brightness (mean luma), saturation (mean HSV S), Hasler–Süsstrunk colourfulness
    (on 0–255, FACTS §4), a chroma-weighted 12-bin hue histogram, dominant hue (chroma-weighted circular mean),
    warmth (chroma-weighted cos(hue − 30°): orange +1, cyan-blue −1), RMS contrast."""
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    mx, mn = x.max(axis=-1), x.min(axis=-1)
    chroma = mx - mn
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    saturation = np.where(mx > 1e-3, chroma / np.maximum(mx, 1e-3), 0.0)
    rg, yb = 255 * (r - g), 255 * (0.5 * (r + g) - b)
    colourfulness = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    safe = np.maximum(chroma, 1e-6)
    hue = np.where(mx == r, ((g - b) / safe) % 6, np.where(mx == g, (b - r) / safe + 2, (r - g) / safe + 4)) * 60
    total = float(chroma.sum())
    if total > 1e-3 * chroma.size:
        hist = np.bincount((hue // 30).astype(int).ravel() % 12, weights=chroma.ravel(), minlength=12) / total
        rad = np.radians(hue)
        cx, cy = float((chroma * np.cos(rad)).sum()), float((chroma * np.sin(rad)).sum())
        dominant = float(np.degrees(np.arctan2(cy, cx)) % 360)
        warmth = float((chroma * np.cos(rad - np.radians(30))).sum() / total)
    else:  # grey: no hue to speak of
        hist, dominant, warmth = np.zeros(12), 0.0, 0.0
    return {
        "brightness": float(luma.mean()),
        "saturation": float(saturation.mean()),
        "colourfulness": float(colourfulness),
        "chroma": float(chroma.mean()),
        "hue_histogram": [round(float(h), 4) for h in hist],
        "dominant_hue": dominant,
        "warmth": warmth,
        "contrast": float(luma.std()),
        "luma": luma,
    }


def measure(rgb: np.ndarray) -> dict:
    """All features of one RGB frame (uint8 or float in [0, 1]), already at analysis size."""
    x = rgb.astype(np.float32) / 255 if rgb.dtype == np.uint8 else rgb.astype(np.float32)
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, axis=-1)
    features = colour_features(x[..., :3])
    luma = features.pop("luma")
    features.update(line_features(luma))
    grey = (luma * 255).astype(np.uint8)
    features["compressed_ratio"] = len(zlib.compress(grey.tobytes(), 1)) / max(1, grey.size)
    return features


def attributes_of(features: dict) -> dict:
    """Flatten for the Recognition: the histogram becomes hue_00 … hue_11 (one per 30° bin)."""
    out = {k: v for k, v in features.items() if k != "hue_histogram"}
    out.update({f"hue_{i:02d}": h for i, h in enumerate(features.get("hue_histogram", []))})
    return out


def recognize_array(rgb: np.ndarray, max_side: int | None = ANALYSIS_SIDE) -> Recognition:
    """Recognize an in-memory RGB image (tests, video frames); shrinks it first like `recognize`."""
    if max_side and max(rgb.shape[:2]) > max_side:
        rgb = shrink(Image.fromarray(np.ascontiguousarray(rgb if rgb.dtype == np.uint8 else _to_uint8(rgb))), max_side)
    features = measure(rgb)
    return from_vad(NAME, visual_vad(features), attributes_of(features))


def recognize(path: Path, max_side: int | None = ANALYSIS_SIDE) -> Recognition:
    features = measure(prefetched(load_rgb, Path(path), max_side))
    return from_vad(NAME, visual_vad(features), attributes_of(features))


def card() -> dict:
    return dict(CARD)


def _to_uint8(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, 0, 1) * 255 + 0.5).astype(np.uint8)
