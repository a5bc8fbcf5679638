"""What the Streamlit app needs from the layers below to compose and generate, as plain data.

DESIGN.md lets app/ import studio only, so the taxonomies, the painted valence–arousal plane, the backend registry
and the output paths the app shows are reached through these thin functions (reading outputs back is in
studio/app_outputs.py); nothing here holds app state or imports streamlit.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from conditioning import EmotionArc, StudioError, get_taxonomy, resolve, resolve_arc
from conditioning.atomic import check_writable_folder
from conditioning.resolve import parse_vad_point
from conditioning.taxonomies import LABELS_WITHOUT_EMOTION, TAXONOMIES
from generators.options import CATALOGUE
from generators.registry import BACKENDS, DEFAULT_BACKENDS, get_backend
from studio.api import slug


def taxonomies() -> dict[str, str]:
    """name → title, for the taxonomy picker."""
    return {name: tax.title for name, tax in TAXONOMIES.items()}


@functools.cache
def taxonomy_points(name: str) -> tuple[dict, ...]:
    """Every label of a taxonomy with its place on the plane (label, valence, arousal, dominance)."""
    tax = get_taxonomy(name)
    points = []
    for label in tax.labels:
        if label in LABELS_WITHOUT_EMOTION:
            continue
        v, a, d = resolve(f"{tax.name}:{label}").vad
        points.append({"label": label, "valence": v, "arousal": a, "dominance": d})
    return tuple(points)


def backend_choices(modality: str) -> list[dict]:
    """Registered backends of a modality: name, installed?, the default?, options it takes, and how to install it."""
    choices = []
    for (mod, name), (_module, extra) in BACKENDS.items():
        if mod != modality:
            continue
        try:
            takes, available, hint = tuple(getattr(get_backend(mod, name), "OPTIONS", ()) or ()), True, ""
        except StudioError as exc:
            takes, available, hint = (), False, str(exc)
        if not available and extra and "pip install" not in hint:
            hint = f"{hint} pip install 'emotion-studio[{extra}]'".strip()
        choices.append(
            {
                "name": name,
                "available": available,
                "default": DEFAULT_BACKENDS[mod] == name,
                "takes": takes,
                "hint": hint,
            }
        )
    return choices


def option_declarations() -> tuple:
    """Every declared generation option (generators/options.py), for the app's widgets."""
    return CATALOGUE


def _suffixes(modality: str, name: str) -> tuple[str, ...]:
    return tuple(get_backend(modality, name).SUFFIXES)


def check_model_path(text: str) -> str | None:
    """A model is a local folder or a hub id ('org/name'); a path that looks local must exist. None when blank."""
    text = (text or "").strip()
    if not text:
        return None
    looks_local = text.startswith(("/", ".", "~")) or "\\" in text or text.count("/") > 1
    if looks_local and not Path(text).expanduser().exists():
        raise StudioError(f"Model path {text!r} does not exist; give a local folder with the weights or a hub id.")
    return str(Path(text).expanduser()) if looks_local else text


def vad_point(text: str) -> tuple[float, float, float]:
    """A typed VAD point for the plane's sliders; words, labels and phrases are refused, not resolved."""
    spec = parse_vad_point(text.strip())
    if spec is None:
        raise StudioError(f"{text!r} is not a VAD point; write valence, arousal[, dominance], e.g. 0.6, -0.3, 0.1.")
    return spec.vad


def arc_from_rows(rows: list[dict]) -> EmotionArc | None:
    """The arc editor's rows ({t, emotion}) → an EmotionArc; blank rows are ignored, None when nothing is left."""
    keys = [r for r in rows if str(r.get("emotion") or "").strip()]
    if not keys:
        return None
    for row in keys:
        if row.get("t") is None or row["t"] != row["t"]:
            raise StudioError(f"Arc key {row['emotion']!r} needs a time in seconds.")
    return resolve_arc([{"t": float(r["t"]), "emotion": str(r["emotion"]).strip()} for r in keys], sort=True)


def arc_curve(arc: EmotionArc, duration: float | None = None, steps: int = 41) -> list[dict]:
    """The arc sampled for a chart: t, valence, arousal, dominance."""
    end = max(duration or 0.0, arc.end, 1.0)
    return [
        {"t": round(i * end / (steps - 1), 3), **dict(zip(("valence", "arousal", "dominance"), spec.vad))}
        for i, spec in enumerate(arc.sample(end, steps))
    ]


def fresh_name(parent: Path, name: str, seed: int, suffix: str = "") -> Path:
    """<parent>/<emotion>-s<seed>-<time><suffix>, with -1, -2 … added until nothing there has that name."""
    stem = f"{slug(name, 32)}-s{seed}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = Path(parent) / f"{stem}{suffix}"
    k = 1
    while path.exists():
        path, k = path.with_name(f"{stem}-{k}{suffix}"), k + 1
    return path


def output_path(folder: Path, modality: str, backend: str, name: str, seed: int) -> Path:
    """A fresh file in the app's store: <folder>/<modality>/<emotion>-s<seed>-<time>.<ext>, never overwriting."""
    path = fresh_name(Path(folder) / modality, name, seed, _suffixes(modality, backend)[0])
    check_writable_folder(path)
    return path


def set_folder(folder: Path, name: str, seed: int) -> Path:
    """A fresh folder for a matched set in the app's store: <folder>/all/<emotion>-s<seed>-<time>/, never reused."""
    return fresh_name(Path(folder) / "all", name, seed)


def load_text_encoder() -> bool:
    """Load the packaged sentence encoder now (seconds, once) so the first free-text phrase resolves quickly."""
    from conditioning.text_encoder import encoder_available, get_text_encoder

    if not encoder_available():
        return False
    get_text_encoder()
    return True


@functools.cache
def plane_field(steps: int = 41) -> tuple[dict, ...]:
    """The valence–arousal plane painted with the colour each point gets (hue, saturation, brightness of its
    visual style at dominance 0), so the picker shows what a move on it will do to an image."""
    from conditioning.visual_style import visual_style

    cells = []
    for i in range(steps):
        for j in range(steps):
            v, a = -1 + 2 * i / (steps - 1), -1 + 2 * j / (steps - 1)
            style = visual_style(resolve([v, a, 0.0]))
            cells.append(
                {
                    "valence": round(v, 3),
                    "arousal": round(a, 3),
                    "hue": style.hue,
                    "saturation": style.saturation,
                    "brightness": style.brightness,
                }
            )
    return tuple(cells)


def check_folder(folder: Path) -> Path:
    """The output store must be a folder we can create and write."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise StudioError(f"{folder} is a file, not a folder; choose a folder for the studio's outputs.")
    check_writable_folder(folder / "probe")
    return folder
