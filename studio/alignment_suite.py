"""The standard alignment suite: every emotion of a taxonomy × K seeds × the chosen modalities and backends,
generated through the batch runner (so it resumes and scales out like any batch) and scored into one report —
the number users will quote.
"""

from __future__ import annotations

import json
from pathlib import Path

from conditioning.atomic import write_text_atomic
from conditioning.errors import StudioError
from conditioning.taxonomies import LABELS_WITHOUT_EMOTION, get_taxonomy
from generators.registry import DEFAULT_BACKENDS, backend_names
from studio.api import evaluate
from studio.batch import run_batch

NEUTRAL_SENTENCE = "The letter arrived this morning, and I read it twice before I put it down."
"""Spoken by every voice sample: semantically flat, so the emotion has to come from the voice alone."""

SUITE_OPTIONS = {"image": {"size": "256x256"}, "video": {"size": "128x128", "duration": 2}, "voice": {}}


def suite_rows(taxonomy: str, seeds: int, modalities: list[str], backends: dict[str, list[str]]) -> list[dict]:
    """Manifest rows for the suite; ids are <modality>-<backend>-<label>-<seed>."""
    tax = get_taxonomy(taxonomy)
    rows = []
    for modality in modalities:
        for backend in backends.get(modality, [DEFAULT_BACKENDS[modality]]):
            for label in tax.labels:
                if label in LABELS_WITHOUT_EMOTION:
                    continue
                for seed in range(seeds):
                    row = {
                        "id": f"{modality}-{backend}-{label}-{seed}",
                        "modality": modality,
                        "backend": backend,
                        "emotion": f"{tax.name}:{label}",
                        "seed": seed,
                        "options": dict(SUITE_OPTIONS[modality]),
                    }
                    if modality == "voice":
                        row["text"] = NEUTRAL_SENTENCE
                    rows.append(row)
    return rows


def parse_backends(text: str | None, modalities: list[str]) -> dict[str, list[str]]:
    """'procedural,espeak' or 'image:procedural,voice:espeak' → {modality: [backends]}."""
    chosen: dict[str, list[str]] = {}
    for item in [p.strip() for p in (text or "").split(",") if p.strip()]:
        modality, _, name = item.rpartition(":")
        homes = [m for m in modalities if name in backend_names(m) and modality in ("", m)]
        if not homes:
            raise StudioError(f"Unknown backend {item!r} for {', '.join(modalities)}; see `studio generate --help`.")
        for home in homes:
            chosen.setdefault(home, []).append(name)
    return chosen


def run_suite(
    out: Path,
    taxonomy: str = "mikels8",
    seeds: int = 2,
    modalities=("image", "video", "voice"),
    backends: str | None = None,
    recognizers: str | None = None,
    progress: bool = True,
) -> dict:
    """Generate (resumably) and evaluate; returns {'batch': BatchResult, 'report': EvaluationReport}."""
    modalities = [m.strip() for m in modalities if m.strip()]
    bad = [m for m in modalities if m not in DEFAULT_BACKENDS]
    if bad or not modalities:
        raise StudioError(f"Unknown modality {(bad or [''])[0]!r}; use image, video and/or voice.")
    if not 1 <= seeds <= 100:
        raise StudioError(f"--seeds {seeds} must be from 1 to 100.")
    out = Path(out)
    rows = suite_rows(get_taxonomy(taxonomy).name, seeds, modalities, parse_backends(backends, modalities))
    manifest = out / "suite.jsonl"
    write_text_atomic(manifest, "".join(json.dumps(r) + "\n" for r in rows))
    batch = run_batch(manifest, out / "media", progress=progress)
    report = evaluate(out / "media", out / "report", recognizers=recognizers, taxonomy=taxonomy)
    return {"batch": batch, "report": report}
