"""Is a weight file safetensors? Decided by its content (8-byte little-endian header length, then a JSON header),
not its name: a pickle renamed `.lora` or `.safetensors` can still run code when loaded. A model folder whose
weights are pickle only is refused the same way, unless the user allowed pickle."""

from __future__ import annotations

import struct
from pathlib import Path

from conditioning.errors import StudioError

MAX_HEADER = 100 * 1024 * 1024  # the safetensors format's own limit on the JSON header
PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth", ".pkl")


def is_safetensors(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(9)
            size = Path(path).stat().st_size
    except OSError:
        return False
    if len(head) < 9:
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return 2 <= length <= min(MAX_HEADER, size - 8) and head[8:9] == b"{"


def check_weight_file(path: Path, what: str, allow_pickle: bool = False) -> Path:
    """`path` itself when it is safetensors (any name) or pickle was allowed at the keyboard; else one sentence."""
    if not allow_pickle and not is_safetensors(path):
        raise StudioError(
            f"{what}: {Path(path).name} is not a safetensors file (it may be a pickle, which can run code when "
            "loaded); convert it to .safetensors, or pass --allow-pickle (allow_pickle=True in Python) if you trust its source."
        )
    return path


def refuse_pickle_folder(folder: Path) -> None:
    """A folder whose weights are pickle only (.bin/.ckpt) is refused: unpickling can run arbitrary code."""
    if not any(folder.rglob("*.safetensors")) and any(p.suffix in PICKLE_SUFFIXES for p in folder.rglob("*")):
        raise StudioError(
            f"Model folder {folder} holds pickle weights only; convert them to .safetensors, "
            "or pass allow_pickle=True if you trust their source."
        )
