"""The main job: image, video and voice for a handful of contrasting emotions, an alignment report over them, and
an index page that shows everything side by side."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from tqdm import tqdm

from conditioning.atomic import write_text_atomic
from studio.api import evaluate as studio_evaluate
from studio.api import generate, slug

log = logging.getLogger(__name__)

DEMO_EMOTIONS = (
    ("joy", "We did it! The whole town is dancing in the streets."),
    ("serenity", "The lake is still, and the evening light is soft."),
    ("sadness", "She left this morning, and the house feels empty now."),
    ("a trembling, barely held-back fear", "Did you hear that? Something is moving in the dark."),
    ("furious", "You lied to me. You lied to all of us!"),
    ("awe", "Look up. The sky is full of stars, more than I have ever seen."),
)


def run_demo(out: Path, emotions=DEMO_EMOTIONS, seed: int = 0, evaluate: bool = True) -> dict:
    """Generate every modality for every emotion into `out/<emotion>/`, then evaluate and index them; returns
    {'artifacts': rows, 'report': EvaluationReport (None with evaluate=False), 'index': path}."""
    out = Path(out)
    rows = []
    jobs = [(emotion, words, modality) for emotion, words in emotions for modality in ("image", "video", "voice")]
    for emotion, words, modality in tqdm(jobs, desc="demo", unit="artifact", disable=None):
        folder = out / slug(emotion)
        suffix = {"image": ".png", "video": ".mp4", "voice": ".wav"}[modality]
        text = words if modality == "voice" else ""
        artifact = generate(modality, emotion, text=text, seed=seed, out=folder / f"{modality}{suffix}")
        rows.append({"emotion": emotion, "modality": modality, "path": artifact.path, "text": text})
    report = studio_evaluate(out, out / "report") if evaluate else None
    write_text_atomic(out / "index.html", index_page(out, rows, has_report=evaluate))
    return {"artifacts": rows, "report": report, "index": out / "index.html"}


def index_page(out: Path, rows: list[dict], has_report: bool) -> str:
    """A plain page: one row per emotion with its picture, clip and voice."""
    by_emotion: dict[str, dict] = {}
    for row in rows:
        by_emotion.setdefault(row["emotion"], {})[row["modality"]] = row
    cells = []
    for emotion, media in by_emotion.items():
        image = media["image"]["path"].relative_to(out)
        video = media["video"]["path"].relative_to(out)
        voice = media["voice"]["path"].relative_to(out)
        cells.append(
            f"<tr><th>{html.escape(emotion)}</th><td><img src='{image}' width=256></td>"
            f"<td><video src='{video}' width=256 controls loop muted autoplay></video></td>"
            f"<td><audio src='{voice}' controls></audio><p>{html.escape(media['voice']['text'])}</p></td></tr>"
        )
    report_link = "<p><a href='report/report.html'>Alignment report</a></p>" if has_report else ""
    return (
        "<!doctype html><meta charset='utf-8'><title>Emotion studio demo</title>"
        "<style>body{font-family:sans-serif;margin:2em;background:#111;color:#eee}td,th{padding:.5em;"
        "vertical-align:top}a{color:#9cf}</style><h1>Emotion studio demo</h1>"
        + report_link
        + "<table><tr><th>emotion</th><th>image</th><th>video</th><th>voice</th></tr>"
        + "".join(cells)
        + "</table>"
    )
