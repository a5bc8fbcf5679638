"""Inline SVG charts for report.html — no JavaScript, CSS files or fonts from elsewhere, so the report opens
anywhere, offline, forever."""

from __future__ import annotations

from html import escape

MODALITY_COLOURS = {"image": "#1f77b4", "video": "#d62728", "voice": "#2ca02c"}


def va_plane(items: list[dict], size: int = 380) -> str:
    """Intended → recognized arrows on the valence–arousal plane, one colour per modality."""
    pad, half = 28, (size - 56) / 2
    cx = cy = size / 2

    def xy(vad):
        return cx + vad[0] * half, cy - vad[1] * half

    parts = [
        f'<svg class="chart" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="intended versus recognized valence and arousal"><defs>'
    ]
    for modality, colour in MODALITY_COLOURS.items():
        parts.append(
            f'<marker id="arrow-{modality}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" '
            f'orient="auto"><path d="M0,0L10,5L0,10z" fill="{colour}"/></marker>'
        )
    parts.append("</defs>")
    parts.append(f'<rect x="{pad}" y="{pad}" width="{2 * half}" height="{2 * half}" fill="#fafafa" stroke="#999"/>')
    parts.append(f'<line x1="{pad}" y1="{cy}" x2="{size - pad}" y2="{cy}" stroke="#bbb"/>')
    parts.append(f'<line x1="{cx}" y1="{pad}" x2="{cx}" y2="{size - pad}" stroke="#bbb"/>')
    for text, x, y, anchor in (
        ("valence →", size - pad, cy - 4, "end"),
        ("arousal ↑", cx + 4, pad + 12, "start"),
        ("−1", pad, cy + 14, "start"),
        ("+1", size - pad, cy + 14, "end"),
    ):
        parts.append(f'<text x="{x}" y="{y}" font-size="11" text-anchor="{anchor}" fill="#555">{escape(text)}</text>')
    for it in items:
        (x0, y0), (x1, y1) = xy(it["intended"]["vad"]), xy(it["recognized"]["vad"])
        colour = MODALITY_COLOURS.get(it["modality"], "#777")
        title = escape(f"{it['file']}: {it['intended']['label']} → {it['recognized']['label']}")
        parts.append(
            f'<g><title>{title}</title><circle cx="{x0:.1f}" cy="{y0:.1f}" r="2.5" fill="{colour}"/>'
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{colour}" stroke-opacity=".6" '
            f'marker-end="url(#arrow-{escape(it["modality"])})"/></g>'
        )
    legend = " ".join(
        f'<tspan fill="{c}">■ {m}</tspan>'
        for m, c in MODALITY_COLOURS.items()
        if any(i["modality"] == m for i in items)
    )
    parts.append(
        f'<text x="{pad}" y="{size - 8}" font-size="11">{legend} (dot: intended, arrow head: recognized)</text>'
    )
    return "".join(parts) + "</svg>"


def confusion_matrix(labels: list[str], counts: list[list[int]], cell: int = 34) -> str:
    """Rows intended, columns recognized; darker = more."""
    left, top = 92, 92
    width, height = left + cell * len(labels) + 8, top + cell * len(labels) + 8
    peak = max([c for row in counts for c in row] + [1])
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="confusion matrix">'
    ]
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text x="{x}" y="{top - 6}" font-size="10" transform="rotate(-50 {x} {top - 6})">{escape(label)}</text>'
        )
    for i, (label, row) in enumerate(zip(labels, counts)):
        y = top + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4}" font-size="10" text-anchor="end">{escape(label)}</text>'
        )
        for j, count in enumerate(row):
            shade = count / peak
            fill = f"rgb({int(255 - 200 * shade)},{int(255 - 140 * shade)},{int(255 - 60 * shade)})"
            stroke = "#333" if i == j else "#ddd"
            parts.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="{stroke}"/>'
            )
            if count:
                colour = "#fff" if shade > 0.6 else "#000"
                parts.append(
                    f'<text x="{left + j * cell + cell / 2}" y="{y + cell / 2 + 4}" font-size="11" '
                    f'text-anchor="middle" fill="{colour}">{count}</text>'
                )
    return "".join(parts) + "</svg>"


def bar_chart(title: str, values: dict[str, float], width: int = 300, bar: int = 16) -> str:
    """Horizontal bars: one per intended emotion."""
    left, top = 92, 22
    height = top + bar * len(values) + 10
    low, high = min(0.0, *values.values()), max(0.0, *values.values())
    span = (high - low) or 1.0
    scale = (width - left - 50) / span
    zero = left + (-low) * scale
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>'
    ]
    for i, (label, value) in enumerate(sorted(values.items())):
        y = top + i * bar
        x0, x1 = sorted((zero, zero + value * scale))
        parts.append(f'<text x="{left - 4}" y="{y + bar - 5}" font-size="10" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(1.0, x1 - x0):.1f}" height="{bar - 4}" fill="#6a8caf"/>'
        )
        parts.append(f'<text x="{x1 + 3:.1f}" y="{y + bar - 5}" font-size="10">{value:.3g}</text>')
    return "".join(parts) + "</svg>"


def arc_chart(item: dict, duration: float, width: int = 300, height: int = 120) -> str:
    """Intended (dashed) and recognized (solid) valence and arousal over time for one arc-following output."""
    from conditioning import EmotionArc

    arc = EmotionArc.from_dict(item["arc"])
    samples = item["recognition"]["per_second"]
    pad = 18
    duration = max(duration, 1e-6)

    def pt(t, value):
        return pad + t / duration * (width - 2 * pad), height / 2 - value * (height / 2 - pad)

    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="arc tracking"><line x1="{pad}" y1="{height / 2}" x2="{width - pad}" y2="{height / 2}" '
        f'stroke="#ccc"/><text x="4" y="12" font-size="10">{escape(item["file"])}</text>'
    ]
    intended = arc.sample(duration, 41)  # once, for both lines
    for dim, colour in ((0, "#1f77b4"), (1, "#d62728")):
        points = (pt(i * duration / 40, spec.vad[dim]) for i, spec in enumerate(intended))
        wanted = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        seen = " ".join(f"{x:.1f},{y:.1f}" for x, y in (pt(s["t"], s["vad"][dim]) for s in samples))
        parts.append(f'<polyline points="{wanted}" fill="none" stroke="{colour}" stroke-dasharray="4 3"/>')
        parts.append(f'<polyline points="{seen}" fill="none" stroke="{colour}" stroke-width="2"/>')
    parts.append(
        f'<text x="{pad}" y="{height - 4}" font-size="10"><tspan fill="#1f77b4">valence</tspan> '
        f'<tspan fill="#d62728">arousal</tspan> (dashed intended)</text>'
    )
    return "".join(parts) + "</svg>"
