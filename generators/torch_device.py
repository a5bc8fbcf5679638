"""Which torch device a model backend runs on: the user's, checked against what this machine has, or the best
available (CUDA, then MPS, then CPU). Shared by the diffusion, Wan and neural-voice backends."""

from __future__ import annotations

import torch

from conditioning.errors import StudioError


def choose_device(name: str | None = None) -> torch.device:
    """The user's device if it exists here, else the best available (CUDA, then MPS, then CPU)."""
    if not name:
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        return torch.device("mps" if mps is not None and mps.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise StudioError(f"Device {name!r} is not a torch device; use cuda, cuda:1, mps or cpu.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise StudioError(f"Device {name!r} is not available: torch sees no CUDA GPU here; use --device cpu.")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise StudioError(f"Device {name!r} does not exist: torch sees {torch.cuda.device_count()} GPU(s).")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise StudioError(f"Device {name!r} is not available on this machine; use --device cpu.")
    return device
