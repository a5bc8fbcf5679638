"""Where a model backend's weights come from (a local folder or a hub id) and what it says when they are missing:
one wording, one CLI name, shared by the diffusion, Wan and neural-voice backends and the fine-tuning scripts."""

from __future__ import annotations

import re
from pathlib import Path

from conditioning.errors import StudioError

HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")


def model_source(model: str | None) -> tuple[str, bool]:
    """(what to pass to from_pretrained, is it a local folder); refuses a missing folder or a malformed id."""
    if not model:
        raise StudioError("The diffusion backend needs --model: a local diffusers folder or a hub id.")
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path.resolve()), True
    if path.exists():
        raise StudioError(f"Model {model!r} is a file; give a diffusers folder (with model_index.json) or a hub id.")
    if not HUB_ID.fullmatch(model):
        raise StudioError(f"Model folder {model!r} does not exist; give a diffusers folder or a hub id.")
    return model, False


def missing_model(model: str, local: bool, exc: Exception, needs: str = "") -> StudioError:
    """A local folder that is incomplete, or a hub id that is not cached while offline. `needs`: a note on other
    repositories the model pulls in. `hf` is the CLI huggingface_hub ≥ 1.0 installs (`huggingface-cli` is gone)."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if local:
        return StudioError(f"Model folder {model!r} is incomplete ({first}).")
    return StudioError(
        f"Model {model!r}{needs} is not available offline or in the local cache; download it with "
        f"`hf download {model}` (or give a local folder)."
    )
