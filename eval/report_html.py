"""report.html: one self-contained page — metrics, the valence–arousal plane, the confusion matrix, attribute-by-
emotion charts (as in EmoVid's feature analysis), arc tracking, a gallery with thumbnails and audio, and the
skipped list. Everything is inline (SVG, a little CSS, base64 previews); videos are linked, never embedded."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

from eval.previews import AudioEmbedder, thumbnail_uri
from eval.recognizers.judge_card import card_line
from eval.report_md import COLUMNS, fmt
from eval.report_svg import arc_chart, bar_chart, confusion_matrix, va_plane

CHART_ATTRIBUTES = {
    "image": ("brightness", "colourfulness", "saturation", "angularity"),
    "video": ("brightness", "colourfulness", "motion_energy", "motion_rhythm_hz"),
    "voice": ("f0_mean_hz", "rate_syl_per_s", "loudness_db", "pause_fraction"),
}
MAX_ARC_CHARTS = 12
STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}.gallery{display:flex;flex-wrap:wrap;gap:8px}
.card{width:150px;font-size:11px;border:1px solid #ddd;padding:4px;border-radius:4px}.card img{display:block;margin:auto}
.card audio{width:146px}.ok{color:#2a7}.miss{color:#c33}code{font-size:12px}"""


def metrics_html(result: dict) -> str:
    m = result["metrics"]
    rows = [("overall", m["overall"])] + [(f"modality {k}", v) for k, v in m["by_modality"].items()]
    rows += [(f"backend {k}", v) for k, v in m["by_backend"].items()]
    head = "".join(f"<th>{escape(name)}</th>" for name, _ in COLUMNS)
    body = "".join(
        f"<tr><td>{escape(name)}</td>" + "".join(f"<td>{escape(fmt(get(v)))}</td>" for _, get in COLUMNS) + "</tr>"
        for name, v in rows
    )
    return f"<table><tr><th>group</th>{head}</tr>{body}</table>"


def attribute_charts(result: dict) -> str:
    charts = []
    for modality, names in CHART_ATTRIBUTES.items():
        by_attr = result["attributes_by_emotion"].get(modality, {})
        charts += [bar_chart(f"{modality}: mean {name}", by_attr[name]) for name in names if by_attr.get(name)]
    return f'<div class="row">{"".join(charts)}</div>' if charts else "<p>No outputs to chart.</p>"


def arc_charts(items: list[dict]) -> str:
    arcs = [it for it in items if it.get("arc") and it["recognition"]["per_second"]][:MAX_ARC_CHARTS]
    charts = [arc_chart(it, float(it["recognition"]["attributes"].get("duration_s") or 1.0)) for it in arcs]
    return f'<div class="row">{"".join(charts)}</div>' if charts else "<p>No output followed an emotion arc.</p>"


def gallery(items: list[dict], out_dir: Path, embed_budget_mb: float) -> str:
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        thumbs = list(pool.map(lambda it: thumbnail_uri(Path(it["path"]), it["modality"]), items))
    audio = AudioEmbedder(out_dir, int(embed_budget_mb * (1 << 20)))
    cards = []
    for it, thumb in zip(items, thumbs):
        link = escape(Path(os.path.relpath(it["path"], Path(out_dir).resolve())).as_posix())
        if it["modality"] == "voice":
            preview = f'<audio controls preload="none" src="{escape(audio.source(Path(it["path"])))}"></audio>'
        elif thumb:
            preview = f'<a href="{link}"><img src="{thumb}" alt="{escape(it["file"])}"></a>'
        else:
            preview = f'<a href="{link}">open</a>'
        mark = '<span class="ok">✓</span>' if it["correct"] else '<span class="miss">✗</span>'
        cards.append(
            f'<div class="card">{preview}<div><code>{escape(it["file"])}</code></div>'
            f"<div>{mark} {escape(it['intended']['label'])} → {escape(it['recognized']['label'])}</div>"
            f"<div>alignment {it['alignment']:.2f} · {escape(it['backend'])}</div></div>"
        )
    return f'<div class="gallery">{"".join(cards)}</div>' if cards else "<p>Nothing evaluated.</p>"


def render_html(result: dict, out_dir: Path, embed_budget_mb: float = 8.0) -> str:
    items = result["items"]
    skipped = "".join(f"<li><code>{escape(s['file'])}</code>: {escape(s['reason'])}</li>" for s in result["skipped"])
    recognizers = ", ".join(f"{k}: {v}" for k, v in result["recognizers"].items())
    judges = "".join(
        f"<li><b>{escape(m)}</b>: {escape(card_line(card))}</li>" for m, card in (result.get("judges") or {}).items()
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Emotion evaluation report</title><style>{STYLE}</style></head>
<body><h1>Emotion evaluation report</h1>
<p>Folder <code>{escape(result["folder"])}</code> · taxonomy {escape(result["taxonomy"])} · recognizers
{escape(recognizers)} · {len(items)} evaluated, {len(result["skipped"])} skipped · {result["seconds"]} s</p>
<h2>Judges: how far to trust these scores</h2><ul>{judges}</ul>
<h2>Metrics</h2>{metrics_html(result)}
<h2>Intended vs recognized</h2><div class="row">{va_plane(items)}
{confusion_matrix(result["labels"], result["confusion"])}</div>
<h2>Attributes by intended emotion</h2>{attribute_charts(result)}
<h2>Arc tracking</h2>{arc_charts(items)}
<h2>Gallery</h2>{gallery(items, out_dir, embed_budget_mb)}
<h2>Skipped</h2><ul>{skipped or "<li>none</li>"}</ul>
</body></html>
"""
