"""What the model backends (diffusion, Wan, neural voice) say when weights are missing: one wording, one CLI name."""

from __future__ import annotations

from conditioning.errors import StudioError


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
