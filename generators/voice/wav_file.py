"""The one way voice backends write their output: 16-bit PCM WAV, atomically, with a one-sentence error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from conditioning.atomic import atomic_path
from conditioning.errors import StudioError


def write_wav(out: Path, samples: np.ndarray, rate: int) -> None:
    try:
        with atomic_path(out) as tmp:
            soundfile.write(str(tmp), samples, rate, subtype="PCM_16", format="WAV")
    except (OSError, soundfile.SoundFileError) as exc:
        raise StudioError(
            f"Cannot write {out}: {getattr(exc, 'strerror', None) or exc}; choose another --out."
        ) from None
