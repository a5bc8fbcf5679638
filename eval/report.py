"""`evaluate`: score a folder of studio outputs and write its report — the one place the CLI, the app, the alignment
suite, the demo and fine-tuning validation do it (re-exported as `studio.evaluate`; it lives here because finetune/
may import eval/ but not studio/). Its two halves: `score_folder` walks the folder, reads each sidecar's intent,
runs the recognizers and scores; `write_report` writes report.json, report.md and a self-contained report.html.

A folder of real outputs always has some bad apples (a render killed mid-write, a file copied in by hand, a sidecar
from a newer studio): each becomes one line in `skipped` with its reason, and the evaluation goes on.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from conditioning import StudioError, get_taxonomy
from conditioning.artifact import read_artifact, sidecar_path
from conditioning.atomic import check_writable_folder, write_text_atomic
from conditioning.vad import quadrant
from eval import metrics
from eval.prefetch import prefetching
from eval.recognizers.registry import get_judge, parse_recognizers

log = logging.getLogger(__name__)

SUFFIXES = {
    "image": {".png", ".jpg", ".jpeg", ".webp", ".gif"},
    "video": {".mp4", ".gif", ".webm", ".mov", ".mkv"},
    "voice": {".wav", ".flac", ".ogg"},
}
MEDIA_SUFFIXES = set().union(*SUFFIXES.values())
REPORT_FILES = ("report.json", "report.md", "report.html")
DEFAULT_OUT = "eval_report"
"""Where `evaluate` writes the report when no `out` is given: inside the scored folder (and never scored itself)."""


def links_outside(path: Path, folder: Path) -> bool:
    """True when `path` or its sidecar is a symlink that resolves outside `folder`: a report or the gallery must
    never read (and embed) what such a link points at."""
    root = Path(folder).resolve()
    for candidate in (path, sidecar_path(path)):
        if candidate.is_symlink() or candidate.exists():
            target = candidate.resolve()
            if target != root and root not in target.parents:
                return True
    return False


def find_media(folder: Path, exclude: Path | None = None) -> tuple[list[Path], list[dict]]:
    """Media files under `folder` (hidden and in-progress files left out), and sidecars that have no media; a
    symlink out of the folder is skipped with its reason."""
    media, orphans = [], []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if links_outside(path, folder):
            if path.suffix.lower() in MEDIA_SUFFIXES or path.suffix == ".json":
                orphans.append({"file": str(path.relative_to(folder)), "reason": "links outside the folder"})
            continue
        if exclude is not None and exclude in path.resolve().parents:  # `folder` may be relative, `exclude` is not
            continue
        if path.suffix.lower() in MEDIA_SUFFIXES:
            media.append(path)
        elif path.suffix == ".json" and not any(path.with_suffix(s).exists() for s in MEDIA_SUFFIXES):
            if looks_like_sidecar(path):
                orphans.append({"file": str(path.relative_to(folder)), "reason": "sidecar without a media file"})
    return media, orphans


def looks_like_sidecar(path: Path) -> bool:
    """A provenance record (modality + spec), not some other JSON (a batch summary, a report)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(record, dict) and "modality" in record and "spec" in record


def evaluate_one(path: Path, folder: Path, recognizers: dict, taxonomy: str, artifact=None) -> dict:
    """One scored item; raises StudioError (or anything a decoder throws) when it must be skipped. `artifact`: the
    sidecar already read (read here otherwise)."""
    artifact = artifact or read_artifact(path)
    if path.suffix.lower() not in SUFFIXES[artifact.modality]:
        raise StudioError(f"sidecar says {artifact.modality} but {path.suffix} is not a {artifact.modality} format")
    record = artifact.provenance
    spec, arc = artifact.intent()
    recognition = recognizers[artifact.modality](path)
    wanted, seen = metrics.intended_label(spec, taxonomy), metrics.recognized_label(recognition, taxonomy)
    arc_error = metrics.arc_tracking_error(lambda t: arc.at(t).vad, recognition.per_second) if arc else None
    return {
        "file": str(path.relative_to(folder)),
        "path": str(path.resolve()),
        "modality": artifact.modality,
        "backend": str(record.get("backend") or "unknown"),
        "seed": record.get("seed"),
        "intended": {"vad": list(spec.vad), "label": wanted, "quadrant": spec.quadrant, "source": spec.source},
        "recognized": {"vad": list(recognition.vad), "label": seen, "quadrant": quadrant(recognition.vad)},
        "correct": wanted == seen,
        "alignment": round(metrics.alignment_score(spec, recognition), 4),
        "arc": arc.to_dict() if arc else None,
        "arc_error": arc_error,
        "recognition": recognition.to_dict(),
    }


def summarise(items: list[dict], seed: int = 0) -> dict:
    """Metrics over a group of items."""
    intended = [it["intended"]["vad"] for it in items]
    seen = [it["recognized"]["vad"] for it in items]
    alignment = [it["alignment"] for it in items]
    arc_errors = [it["arc_error"] for it in items if it["arc_error"] is not None]
    correct = [float(it["correct"]) for it in items]
    return {
        "n": len(items),
        "top1": metrics.top1_accuracy(
            [it["intended"]["label"] for it in items], [it["recognized"]["label"] for it in items]
        ),
        "top1_ci": metrics.bootstrap_ci(correct, seed=seed),
        **{f"{k}_sign" if k != "quadrant" else k: v for k, v in metrics.quadrant_accuracy(intended, seen).items()},
        "va_mae": metrics.va_mae(intended, seen),
        "spearman": {
            "valence": metrics.spearman([v[0] for v in intended], [v[0] for v in seen]),
            "arousal": metrics.spearman([v[1] for v in intended], [v[1] for v in seen]),
        },
        "alignment": float(np.mean(alignment)) if alignment else None,
        "alignment_ci": metrics.bootstrap_ci(alignment, seed=seed),
        "arc_items": len(arc_errors),
        "arc_error": float(np.mean(arc_errors)) if arc_errors else None,
    }


def attribute_means(items: list[dict]) -> dict:
    """modality → attribute → intended label → mean (numeric attributes only), as in EmoVid's feature analysis."""
    sums: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for it in items:
        for key, value in it["recognition"]["attributes"].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sums[it["modality"]][key][it["intended"]["label"]].append(float(value))
    return {
        m: {k: {lab: float(np.mean(v)) for lab, v in by.items()} for k, by in attrs.items()}
        for m, attrs in sums.items()
    }


def score_folder(
    folder: Path,
    recognizers: str | dict | None = None,
    taxonomy: str = "mikels8",
    exclude: Path | None = None,
    workers: int = 4,
) -> dict:
    """Score every artifact under `folder`. recognizers: None (defaults), a '--recognizers' string, or
    {modality: callable}. Returns a JSON-ready dict (items, skipped, metrics overall / by modality / by backend);
    writes nothing (`evaluate` also writes the report)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StudioError(f"{folder} is not a folder; give the folder that holds the studio's outputs.")
    tax = get_taxonomy(taxonomy)
    callables = dict(recognizers) if isinstance(recognizers, dict) else {}
    chosen = parse_recognizers(recognizers if isinstance(recognizers, str) else None)
    cards = {m: custom_card(f) for m, f in callables.items()}
    started = time.perf_counter()
    media, skipped = find_media(folder, exclude=Path(exclude).resolve() if exclude else None)
    artifacts = {}
    for path in media:  # each sidecar read once, here; unreadable ones are reported by evaluate_one below
        try:
            artifacts[path] = read_artifact(path)
        except StudioError:
            pass
    needed = {a.modality for a in artifacts.values()}  # only the recognizers asked for (a judge may be costly)
    for modality in sorted(needed - set(callables)):
        judge = get_judge(modality, *chosen[modality])
        callables[modality], cards[modality] = judge.recognize, judge.card
        if not judge.parallel:
            workers = 1  # torch judges: one model in memory, torch does its own threading
    if "voice" in callables:  # clips of one voice are judged as a set by the speaker-normalised head
        from eval.recognizers.voice_groups import by_voice, with_set_card

        cards["voice"] = with_set_card(cards["voice"], callables["voice"], artifacts)
        callables["voice"] = by_voice(callables["voice"], artifacts)

    def run(path: Path):
        try:
            return evaluate_one(path, folder, callables, tax.name, artifacts.get(path)), None
        except Exception as exc:  # never abort the report for one file; the reason is kept
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            if not isinstance(exc, StudioError):
                reason = f"{exc.__class__.__name__}: {reason}"
            return None, {"file": str(path.relative_to(folder)), "reason": reason}

    with prefetching(media), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:  # decode ahead of the judges
        outcomes = list(pool.map(run, media))
    items = [item for item, _ in outcomes if item]
    skipped += [skip for _, skip in outcomes if skip]
    for skip in skipped:
        log.info("skipped %s: %s", skip["file"], skip["reason"])
    groups = {"by_modality": defaultdict(list), "by_backend": defaultdict(list)}
    for it in items:
        groups["by_modality"][it["modality"]].append(it)
        groups["by_backend"][f"{it['modality']}/{it['backend']}"].append(it)
    labels = list(tax.labels)
    return {
        "folder": str(folder.resolve()),
        "taxonomy": tax.name,
        "labels": labels,
        "recognizers": {m: card.get("name", "?") for m, card in sorted(cards.items())},
        "judges": dict(sorted(cards.items())),
        "seconds": round(time.perf_counter() - started, 2),
        "metrics": {
            "overall": summarise(items),
            **{g: {k: summarise(v) for k, v in sorted(groups[g].items())} for g in groups},
        },
        "confusion": metrics.confusion(
            [it["intended"]["label"] for it in items], [it["recognized"]["label"] for it in items], labels
        ),
        "attributes_by_emotion": attribute_means(items),
        "items": items,
        "skipped": skipped,
    }


@dataclass(frozen=True)
class EvaluationReport:
    """What `evaluate` returns: `result`, the scored folder exactly as written to report.json (items, skipped,
    judges' cards, metrics overall / by modality / by backend, confusion), and `paths`, {"json", "md", "html"} →
    the files written."""

    result: dict
    paths: dict[str, Path]

    @property
    def overall(self) -> dict:
        """The headline metrics over every scored item (n, top1, quadrant, alignment, …)."""
        return self.result["metrics"]["overall"]


def evaluate(
    folder: Path,
    out: Path | None = None,
    *,
    recognizers: str | dict | None = None,
    taxonomy: str = "mikels8",
    workers: int = 4,
    embed_budget_mb: float = 8.0,
) -> EvaluationReport:
    """Score every studio output under `folder` and write report.json/md/html into `out` (default
    `<folder>/eval_report`, which is never scored itself). Bad arguments and an unwritable `out` fail before any
    recognizer runs. recognizers: as for `score_folder`."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise StudioError(f"{folder} is not a folder; give the folder that holds the studio's outputs.")
    get_taxonomy(taxonomy)
    parse_recognizers(recognizers if isinstance(recognizers, str) else None)
    out = Path(out).expanduser() if out is not None else folder / DEFAULT_OUT
    check_writable_folder(out / REPORT_FILES[0])
    result = score_folder(folder, recognizers=recognizers, taxonomy=taxonomy, exclude=out, workers=workers)
    return EvaluationReport(result, write_report(result, out, embed_budget_mb=embed_budget_mb))


def custom_card(recognize) -> dict:
    """A caller's own recognizer function: the studio has measured nothing about it."""
    name = getattr(recognize, "__module__", "") + "." + getattr(recognize, "__name__", str(recognize))
    return {"name": name, "kind": "custom", "validated_on": "", "notes": "a caller's function; agreement not measured"}


def write_report(result: dict, out_dir: Path, embed_budget_mb: float = 8.0) -> dict[str, Path]:
    """Write report.json, report.md, report.html into `out_dir` (atomically); returns their paths."""
    from eval.report_html import render_html
    from eval.report_md import render_markdown

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name.split(".")[1]: out_dir / name for name in REPORT_FILES}
    write_text_atomic(paths["json"], json.dumps(result, indent=1, ensure_ascii=False, default=json_default) + "\n")
    write_text_atomic(paths["md"], render_markdown(result))
    write_text_atomic(paths["html"], render_html(result, out_dir, embed_budget_mb=embed_budget_mb))
    return paths


def json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
