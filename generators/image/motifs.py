"""Subject hints for the procedural painter: a few silhouettes the abstract composition can gather around.

The painter is abstract by design; a motif ("a lighthouse in a storm") only anchors it. Words are matched loosely;
text naming no known motif changes nothing but the provenance.
"""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from conditioning.visual_style import VisualStyle

MOTIF_WORDS = {
    "sun": ("sun", "sunrise", "sunset", "dawn", "sunlight"),
    "moon": ("moon", "night", "midnight", "stars"),
    "mountain": ("mountain", "mountains", "hill", "hills", "peak", "cliff"),
    "sea": ("sea", "ocean", "wave", "waves", "lake", "river", "water", "shore", "beach"),
    "tree": ("tree", "trees", "forest", "woods", "garden"),
    "figure": ("figure", "person", "man", "woman", "child", "girl", "boy", "portrait", "someone", "me"),
    "house": ("house", "home", "lighthouse", "tower", "city", "building", "church"),
}


def find_motif(text: str) -> str | None:
    """The first known motif named in the text, if any."""
    words = {w.strip(".,;:!?'\"").lower() for w in text.split()}
    for motif, names in MOTIF_WORDS.items():
        if words & set(names):
            return motif
    return None


def draw_motif(img: Image.Image, text: str, focal: tuple[float, float], style: VisualStyle, colours) -> None:
    """Draw the motif named in `text` at the focal point, in a darkened palette colour (a silhouette)."""
    motif = find_motif(text)
    if motif is None:
        return
    draw = ImageDraw.Draw(img, "RGBA")
    width, height = img.size
    s = min(width, height)
    cx, cy = focal[0] * width, focal[1] * height
    base = colours[0]
    shade = tuple(int(c * 0.35) for c in base) + (215,)
    glow = tuple(min(255, int(c * 1.3 + 60)) for c in colours[1]) + (200,)
    if motif in ("sun", "moon"):
        r = s * (0.08 + 0.05 * style.focal_strength)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=glow)
        if motif == "moon":
            draw.ellipse([cx - r * 0.4, cy - r * 1.1, cx + r * 1.4, cy + r * 0.7], fill=tuple(colours[2]) + (235,))
    elif motif == "mountain":
        peaks = [(0, height)]
        for k in range(7):
            x = width * k / 6
            jag = 0.15 + 0.2 * style.angularity
            y = cy + s * (0.05 + jag * (1 if k % 2 else -1) * (0.5 + 0.5 * math.sin(k * 1.7)))
            peaks.append((x, y))
        peaks.append((width, height))
        draw.polygon(peaks, fill=shade)
    elif motif == "sea":
        for band in range(5):
            y0 = cy + band * s * 0.06
            amp = s * (0.01 + 0.03 * style.stroke_energy)
            points = [(x, y0 + amp * math.sin(x / s * 12 + band)) for x in range(0, width + 8, 8)]
            draw.line(points, fill=glow if band % 2 else shade, width=max(2, s // 60))
    elif motif == "tree":
        draw.rectangle([cx - s * 0.015, cy, cx + s * 0.015, cy + s * 0.3], fill=shade)
        r = s * 0.12
        draw.ellipse([cx - r, cy - r * 1.2, cx + r, cy + r * 0.6], fill=shade)
    elif motif == "figure":
        r = s * 0.035
        draw.ellipse([cx - r, cy - r * 3.2, cx + r, cy - r * 1.2], fill=shade)
        draw.polygon([(cx - r * 1.6, cy + r * 4), (cx, cy - r * 1.2), (cx + r * 1.6, cy + r * 4)], fill=shade)
    elif motif == "house":
        w, h = s * 0.08, s * 0.28
        draw.rectangle([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], fill=shade)
        draw.polygon([(cx - w * 0.7, cy - h / 2), (cx, cy - h * 0.75), (cx + w * 0.7, cy - h / 2)], fill=shade)
        draw.ellipse([cx - w * 0.25, cy - h * 0.45, cx + w * 0.25, cy - h * 0.3], fill=glow)
