"""What the Streamlit app reads back from the output store: the gallery (from provenance sidecars), what a
recognizer finds in an artifact, a re-run from a sidecar alone, and the alignment suite's report (a folder is scored
by `studio.api.evaluate` itself). Thin wrappers, so app/ needs nothing but studio (DESIGN.md); nothing here imports
streamlit.
"""

from __future__ import annotations

from pathlib import Path

from conditioning import EmotionSpec, StudioError
from conditioning.artifact import read_artifact
from eval.report import links_outside
from generators.request import check_seed
from studio.api import generate
from studio.app_support import output_path

GALLERY_TAXONOMY = "mikels8"
MEDIA_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".mp4", ".webm", ".wav", ".flac", ".ogg"}


def emotion_name(spec: EmotionSpec) -> str:
    """What to call a spec in lists: its label, else its nearest canonical label."""
    return spec.label or spec.nearest(GALLERY_TAXONOMY, top=1)[0][0]


def list_gallery(folder: Path) -> list[dict]:
    """Every studio output under `folder` (newest first), from its sidecar; hidden files and unreadable sidecars
    are left out, so a half-written render or a best-of candidate never shows."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    items = []
    for path in folder.rglob("*"):
        if path.suffix.lower() not in MEDIA_SUFFIXES or any(p.startswith(".") for p in path.relative_to(folder).parts):
            continue
        if links_outside(path, folder):
            continue
        try:
            artifact = read_artifact(path)
            spec, _ = artifact.intent()
        except StudioError:
            continue
        record = artifact.provenance
        items.append(
            {
                "path": str(path),
                "file": str(path.relative_to(folder)),
                "modality": artifact.modality,
                "backend": str(record.get("backend") or "unknown"),
                "seed": record.get("seed"),
                "emotion": emotion_name(spec),
                "vad": list(spec.vad),
                "source": spec.source,
                "text": (record.get("parameters") or {}).get("text", ""),
                "mtime": path.stat().st_mtime,
                "provenance": record,
            }
        )
    return sorted(items, key=lambda it: -it["mtime"])


def read_modality(path: str) -> str:
    """The modality a sidecar names (image, video or voice)."""
    return read_artifact(Path(path)).modality


def recognizer_choices(modality: str) -> list[dict]:
    """Recognizers of a modality: name, installed?, the default?, the option it takes (a model folder or head
    file, when it has one) and the install hint when missing."""
    from eval.recognizers.registry import DEFAULT_RECOGNIZERS, get_module, recognizer_names

    out = []
    for name in recognizer_names(modality):
        try:
            option, available, hint = getattr(get_module(modality, name), "OPTION", None), True, ""
        except StudioError as exc:
            option, available, hint = None, False, str(exc)
        out.append(
            {"name": name, "available": available, "default": DEFAULT_RECOGNIZERS[modality] == name,
             "option": option, "hint": hint}
        )  # fmt: skip
    return out


def judge_lines(result: dict) -> dict[str, str]:
    """modality → one line saying which judge scored it, what it learned from and how well it agrees with people."""
    from eval.recognizers.judge_card import card_line

    return {modality: card_line(card) for modality, card in (result.get("judges") or {}).items()}


def recognizer(modality: str):
    """The modality's default recognizer (a callable path → Recognition); the app caches it as a resource."""
    from eval.recognizers.registry import get_recognizer

    return get_recognizer(modality)


def recognize(path: str, recognize_fn=None, taxonomy: str = GALLERY_TAXONOMY) -> dict:
    """Run a recognizer (default: the modality's) on one artifact and score it against the intent in its sidecar."""
    from eval.metrics import alignment_score, recognized_label

    artifact = read_artifact(Path(path))
    spec, _ = artifact.intent()
    recognition = (recognize_fn or recognizer(artifact.modality))(artifact.path)
    return {
        "recognizer": recognition.recognizer,
        "vad": list(recognition.vad),
        "label": recognized_label(recognition, taxonomy),
        "alignment": round(alignment_score(spec, recognition), 4),
        "categories": dict(recognition.categories),
    }


def rerun(path: str, folder: Path, allow_pickle: bool = False):
    """Generate again from a sidecar alone: the same spec (or arc), backend, seed and the request's own inputs
    (text, size, duration, fps, backend options) as recorded — not the parameters the backend derived from them.
    A sidecar's `allow_pickle` is dropped: only the person at the keyboard (`allow_pickle`, an app toggle) may
    allow pickled weights, never a file."""
    artifact = read_artifact(Path(path))
    record = artifact.provenance
    request = record.get("request")
    if not isinstance(request, dict):
        raise StudioError(f"{Path(path).name} was made before sidecars kept the request; generate it again instead.")
    spec, arc = artifact.intent()
    seed = check_seed(record.get("seed") if record.get("seed") is not None else 0)  # a sidecar is hostile input
    out = output_path(Path(folder), artifact.modality, record.get("backend"), f"{emotion_name(spec)}-rerun", seed)
    return generate(
        artifact.modality,
        spec,
        text=request.get("text") or "",
        seed=seed,
        size=request.get("size"),
        duration=request.get("duration"),
        fps=request.get("fps"),
        out=out,
        backend=record.get("backend"),
        arc=arc,
        **replayable_options(request.get("options"), allow_pickle),
    )


def replayable_options(options, allow_pickle: bool) -> dict:
    """The recorded backend options without `allow_pickle`, which only the caller may set."""
    kept = {k: v for k, v in (options if isinstance(options, dict) else {}).items() if k != "allow_pickle"}
    return {**kept, "allow_pickle": True} if allow_pickle else kept


def run_suite(out: Path, taxonomy: str, seeds: int, modalities: list[str], recognizers: str | None = None):
    """The alignment suite (studio.alignment_suite) without its terminal progress bar; its EvaluationReport."""
    from studio.alignment_suite import run_suite as suite

    done = suite(
        Path(out), taxonomy=taxonomy, seeds=seeds, modalities=modalities, recognizers=recognizers, progress=False
    )
    return done["report"]
