"""The procedural painter: expressive abstract art rendered from a `VisualStyle`.

A painting is fixed random "genes" (drawn once from the seed) read through the style: every visual quantity is a
continuous function of (genes, style), so the same seed always gives the same picture, and the video animator can
move the style along an emotion arc without strokes popping in and out.

How each of EmoArt's five attributes shows (all continuous):
- colour      palette hue, spread of hues and saturation (HSV around `hue`, `hue_spread`, `saturation`)
- light       background gradient and a glow around the focal point (`brightness`, `contrast`, `softness`)
- composition  where strokes gather: centred and mirrored when balanced, pushed to one side when not; how many
              (`density`), how tightly around the focal point (`focal_strength`), how high (`vertical_center`)
- line        stroke paths turn smoothly (round) or zig-zag with sharp corners (`angularity`); contour lines'
              weight (`line_weight`)
- brushwork   stroke length and turbulence (`stroke_energy`), width (`stroke_size`), bristles and grain (`texture`)
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from conditioning.visual_style import VisualStyle

MAX_STROKES = 220
POINTS_PER_STROKE = 10
MAX_LINES = 40
PALETTE_SIZE = 5


@dataclass(frozen=True)
class Genes:
    """Uniform random numbers that fix one painting; the style decides what they mean."""

    strokes: np.ndarray  # (MAX_STROKES, 10)
    turns: np.ndarray  # (MAX_STROKES, POINTS_PER_STROKE) in [-1, 1]
    lines: np.ndarray  # (MAX_LINES, 6)
    line_turns: np.ndarray  # (MAX_LINES, POINTS_PER_STROKE * 2)
    palette: np.ndarray  # (PALETTE_SIZE, 3)
    layout: np.ndarray  # (4,)
    grain: np.ndarray  # (64, 64) in [-1, 1]


def make_genes(seed: int) -> Genes:
    rng = np.random.default_rng(seed)
    return Genes(
        strokes=rng.random((MAX_STROKES, 10)),
        turns=rng.uniform(-1, 1, (MAX_STROKES, POINTS_PER_STROKE)),
        lines=rng.random((MAX_LINES, 6)),
        line_turns=rng.uniform(-1, 1, (MAX_LINES, POINTS_PER_STROKE * 2)),
        palette=rng.random((PALETTE_SIZE, 3)),
        layout=rng.random(4),
        grain=rng.uniform(-1, 1, (64, 64)),
    )


def hsv(h_deg: float, s: float, v: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb((h_deg % 360) / 360.0, min(1.0, max(0.0, s)), min(1.0, max(0.0, v)))
    return int(r * 255), int(g * 255), int(b * 255)


def palette(style: VisualStyle, genes: Genes) -> list[tuple[int, int, int]]:
    """Hues fan out around the style's hue by up to ±70° (hue_spread); values spread around the brightness by the
    contrast, mostly lighter than the ground so strokes read even in dark, low-key pictures."""
    colours = []
    for g in genes.palette:
        hue = style.hue + (g[0] - 0.5) * 140 * style.hue_spread
        sat = style.saturation * (0.8 + 0.45 * g[1])
        val = style.brightness + (g[2] - 0.3) * 0.7 * (0.4 + style.contrast)
        colours.append(hsv(hue, sat, val))
    return colours


def focal_point(style: VisualStyle, genes: Genes) -> tuple[float, float]:
    """Balanced compositions centre the focus; unbalanced ones push it toward a third or an edge."""
    side = 1 if genes.layout[0] > 0.5 else -1
    x = 0.5 + side * (1 - style.balance) * (0.18 + 0.22 * genes.layout[1])
    y = 1.0 - (0.2 + 0.6 * style.vertical_center)
    return x, y


def background(style: VisualStyle, genes: Genes, size: tuple[int, int], colours) -> Image.Image:
    """A vertical gradient between two palette colours, lighter toward the light; contrast sets the spread."""
    width, height = size
    top = np.array(
        hsv(
            style.hue + 20 * (genes.layout[2] - 0.5),
            style.saturation * 0.6,
            min(1.0, style.brightness * (1 + 0.5 * style.contrast)),
        ),
        dtype=np.float32,
    )
    bottom = np.array(
        hsv(style.hue - 25 * style.hue_spread, style.saturation * 0.8, style.brightness * (1 - 0.7 * style.contrast)),
        dtype=np.float32,
    )
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    if style.vertical_center < 0.4:  # sinking feelings weigh at the top, light comes from below
        ramp = ramp[::-1]
    rows = top * (1 - ramp) + bottom * ramp
    return Image.fromarray(np.broadcast_to(rows, (height, width, 3)).astype(np.uint8))


def zigzag(turns: np.ndarray) -> np.ndarray:
    """Sharp turns of 0.5–1.9 rad that mostly alternate in direction (lightning, not a regular hexagon)."""
    magnitude = 0.5 + 1.4 * np.abs(turns)
    flip = np.where(np.abs(turns * 7.3) % 1 < 0.75, -1.0, 1.0)
    sign = np.cumprod(flip, axis=-1)
    return sign * magnitude


def stroke_paths(style: VisualStyle, genes: Genes, size: tuple[int, int], phase: np.ndarray | None = None):
    """Point arrays for every stroke: anchors from the composition, turns mixing smooth arcs and sharp zig-zags."""
    width, height = size
    scale = min(width, height)
    g = genes.strokes
    fx, fy = focal_point(style, genes)
    spread = 0.5 - 0.38 * style.focal_strength
    ax = np.where(g[:, 0] < style.focal_strength, fx + (g[:, 1] - 0.5) * 2 * spread, g[:, 1])
    ay = np.where(g[:, 0] < style.focal_strength, fy + (g[:, 2] - 0.5) * 2 * spread, g[:, 2])
    if style.balance > 0.5:  # mirror half the strokes for symmetry, more of them the more balanced
        mirror = g[:, 3] < (style.balance - 0.5) * 1.6
        ax = np.where(mirror, 1 - ax, ax)
    flow = (g[:, 4] - 0.5) * math.pi * (0.6 + 1.4 * style.stroke_energy) + (style.vertical_center - 0.5) * 1.2
    length = scale * (0.06 + 0.38 * style.stroke_energy) * (0.5 + g[:, 5])
    step = length / POINTS_PER_STROKE
    smooth = (g[:, 6] - 0.5)[:, None] * 0.5 + genes.turns * 0.12 * style.stroke_energy
    zig = zigzag(genes.turns)
    turns = (1 - style.angularity) * smooth + style.angularity**1.5 * zig
    heading = flow[:, None] + np.cumsum(turns, axis=1)
    if phase is not None:
        heading = heading + phase[:, None]
    xs = ax[:, None] * width + np.cumsum(np.cos(heading) * step[:, None], axis=1)
    ys = ay[:, None] * height + np.cumsum(np.sin(heading) * step[:, None], axis=1)
    return np.stack([xs, ys], axis=-1)


def brush_polygon(points: np.ndarray, width: float, taper: np.ndarray) -> list[tuple[float, float]]:
    """Outline of a brushstroke along `points`: full width in the middle, tapering to the ends."""
    tangent = np.gradient(points, axis=0)
    norm = np.hypot(tangent[:, 0], tangent[:, 1])[:, None] + 1e-6
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1) / norm
    half = (width / 2) * taper[:, None]
    left, right = points + normal * half, points - normal * half
    return [tuple(p) for p in np.concatenate([left, right[::-1]]).tolist()]


LAYERS = 3


def draw_strokes(
    img: Image.Image, style: VisualStyle, genes: Genes, paths: np.ndarray, colours, offset: np.ndarray | None = None
) -> Image.Image:
    """Layered, tapered brushstrokes. Each layer is painted opaque and laid over the last translucently, so
    strokes overlap like glazes without seams at their joints; density sets how many strokes show."""
    scale = min(img.size)
    count = int(MAX_STROKES * (0.18 + 0.82 * style.density))
    taper = np.sin(np.linspace(0.08, 0.92, POINTS_PER_STROKE) * math.pi) ** 0.6
    bristles = int(round(3 * style.texture))
    for layer_index in range(LAYERS):
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for i in range(layer_index, count, LAYERS):
            g = genes.strokes[i]
            colour = colours[int(g[7] * PALETTE_SIZE) % PALETTE_SIZE]
            stroke_width = max(2.0, scale * (0.01 + 0.06 * style.stroke_size) * (0.4 + g[9]))
            points = paths[i] if offset is None else paths[i] + offset[i]
            draw.polygon(brush_polygon(points, stroke_width, taper), fill=colour + (255,))
            for b in range(bristles):
                shift = (b + 0.5 - bristles / 2) * stroke_width / (bristles + 1)
                shade = tuple(min(255, int(c * (0.7 + 0.25 * b))) for c in colour)
                draw.line([(x + shift, y + shift) for x, y in points.tolist()], fill=shade + (255,), width=1)
        alpha = 0.45 + 0.4 * style.stroke_energy - 0.1 * layer_index
        layer.putalpha(layer.getchannel("A").point(lambda v, a=alpha: int(v * a)))
        img = Image.alpha_composite(img.convert("RGBA"), layer)
    return img.convert("RGB")


def draw_lines(img: Image.Image, style: VisualStyle, genes: Genes, drift: float = 0.0) -> None:
    """Long contour lines: curved sweeps when round, lightning-like zig-zags when angular."""
    draw = ImageDraw.Draw(img, "RGBA")
    width, height = img.size
    scale = min(width, height)
    count = int(6 + (MAX_LINES - 6) * style.density * 0.6)
    dark = hsv(style.hue + 180 * (1 - style.hue_spread), style.saturation * 0.5, 0.12 + 0.2 * style.brightness)
    light = hsv(style.hue, style.saturation * 0.3, 0.95)
    colour = dark if style.brightness > 0.35 else light
    n = POINTS_PER_STROKE * 2
    for i in range(count):
        g = genes.lines[i]
        x, y = g[0] * width, g[1] * height + drift * height
        heading = (g[2] - 0.5) * math.pi * 2
        step = scale * (0.02 + 0.05 * g[3])
        turns = genes.line_turns[i]
        zig = zigzag(turns)
        mix = (1 - style.angularity) * turns * 0.25 + style.angularity**1.5 * zig
        points = []
        for k in range(n):
            heading += mix[k]
            x += math.cos(heading) * step
            y += math.sin(heading) * step
            points.append((x, y))
        line_width = max(1, int(scale * (0.002 + 0.01 * style.line_weight)))
        draw.line(points, fill=colour + (int(60 + 120 * g[4]),), width=line_width, joint="curve")


def apply_light(img: Image.Image, style: VisualStyle, genes: Genes) -> Image.Image:
    """A glow around the focal point: soft and wide for soft light, tight and deep for dramatic light."""
    width, height = img.size
    fx, fy = focal_point(style, genes)
    ys, xs = np.ogrid[0:height, 0:width]
    sigma = (0.25 + 0.5 * style.softness) * max(width, height)
    glow = np.exp(-(((xs - fx * width) ** 2 + (ys - fy * height) ** 2) / (2 * sigma**2))).astype(np.float32)
    depth = 0.25 + 0.55 * style.contrast
    gain = (1 - depth) + depth * glow * (1.1 + 0.6 * style.brightness)
    grain_img = Image.fromarray(((genes.grain + 1) * 127.5).astype(np.uint8)).resize((width, height))
    grain = (np.asarray(grain_img, dtype=np.float32) / 127.5 - 1) * 22 * style.texture
    pixels = np.asarray(img, dtype=np.float32) * gain[..., None] + grain[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def paint(
    style: VisualStyle,
    size: tuple[int, int],
    genes: Genes,
    motif: str = "",
    *,
    phase=None,
    offset=None,
    drift: float = 0.0,
) -> Image.Image:
    """One painting (or one video frame, given per-stroke phase/offset and a drift)."""
    from generators.image.motifs import draw_motif

    colours = palette(style, genes)
    img = background(style, genes, size, colours)
    paths = stroke_paths(style, genes, size, phase=phase)
    img = draw_strokes(img, style, genes, paths, colours, offset=offset)
    if motif:
        draw_motif(img, motif, focal_point(style, genes), style, colours)
    draw_lines(img, style, genes, drift=drift)
    if style.softness > 0.6:
        img = img.filter(ImageFilter.GaussianBlur(radius=(style.softness - 0.6) * 3 * min(size) / 512))
    return apply_light(img, style, genes)
