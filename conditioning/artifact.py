"""`Artifact`: a generated file plus its provenance, written beside it as `<name>.json`.

It lives in the lowest layer because both sides need it: generators write artifacts and eval reads them back, and
neither may import the other. The sidecar alone is enough to reproduce the file (spec, styles, backend, model, seed,
parameters, versions) and to score it (the intended spec).
"""

from __future__ import annotations

import functools
import json
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from conditioning.atomic import write_text_atomic
from conditioning.errors import StudioError

MODALITIES = ("image", "video", "voice")
SIDECAR_SUFFIX = ".json"


@dataclass(frozen=True)
class Artifact:
    """path: the media file. modality: image | video | voice. provenance: JSON-ready record (see `provenance`)."""

    path: Path
    modality: str
    provenance: dict = field(default_factory=dict)

    @property
    def sidecar(self) -> Path:
        return sidecar_path(self.path)

    def intent(self):
        """(EmotionSpec, EmotionArc | None) the output was asked to carry; one StudioError when the sidecar's are
        missing or malformed (every reader — reports, gallery, re-run — says the same)."""
        from conditioning.arc import EmotionArc
        from conditioning.spec import EmotionSpec

        record = self.provenance
        try:
            spec = EmotionSpec.from_dict(record["spec"])
            arc = EmotionArc.from_dict(record["arc"]) if record.get("arc") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise StudioError(f"sidecar has no valid spec ({exc.__class__.__name__}: {exc})") from None
        return spec, arc

    def write_sidecar(self) -> Path:
        write_text_atomic(self.sidecar, json.dumps(self.provenance, indent=2, ensure_ascii=False) + "\n")
        return self.sidecar


def sidecar_path(media: Path) -> Path:
    """`out/joy.png` → `out/joy.json`."""
    media = Path(media)
    return media.with_suffix(SIDECAR_SUFFIX)


@functools.cache
def package_version(name: str) -> str | None:
    """Installed version of a package (looked up once: importlib.metadata scans site-packages, ~9 ms)."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def provenance(
    *,
    modality: str,
    spec: dict,
    backend: str,
    seed: int,
    parameters: dict,
    styles: dict | None = None,
    model: str | None = None,
    arc: dict | None = None,
    timings: dict | None = None,
    extra: dict | None = None,
    request: dict | None = None,
) -> dict:
    """The provenance record every backend writes: enough to reproduce and to score the output. `request`: the
    inputs as asked (GenerationRequest.to_record), which a re-run replays; `parameters` are what was derived."""
    record = {
        "modality": modality,
        "spec": spec,
        "arc": arc,
        "styles": styles or {},
        "backend": backend,
        "model": model,
        "seed": seed,
        "parameters": parameters,
        "request": request,
        "versions": {"emotion-studio": package_version("emotion-studio"), "python": platform.python_version()},
        "timings": timings or {},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    record.update(extra or {})
    return record


def read_artifact(media: Path) -> Artifact:
    """Read a media file's sidecar back; a missing or broken sidecar is one clear StudioError."""
    media = Path(media)
    side = sidecar_path(media)
    if not side.exists():
        raise StudioError(f"{media.name} has no provenance sidecar {side.name}; it was not made by the studio.")
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StudioError(
            f"Sidecar {side} is unreadable ({exc.__class__.__name__}); regenerate the artifact."
        ) from None
    modality = record.get("modality")
    if modality not in MODALITIES:
        raise StudioError(f"{side.name} names unknown modality {modality!r}; expected one of {', '.join(MODALITIES)}.")
    return Artifact(path=media, modality=modality, provenance=record)
