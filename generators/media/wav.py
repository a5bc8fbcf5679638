"""The one way voice backends write their output: 16-bit PCM WAV, atomically, with a one-sentence error.

Inside a batch run's `background_writes` the encoding and fsync happen on the writer thread while the next job
speaks (the batch runner records the job only once the file is there); the backend's sidecar, written right after
this call returns, may then land before its WAV — a resumed run counts a job done only when both are there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from conditioning.atomic import atomic_path
from conditioning.background_writes import deferring, run_or_defer
from conditioning.errors import StudioError


def write_wav(out: Path, samples: np.ndarray, rate: int) -> None:
    samples = np.asarray(samples)
    if deferring(samples.nbytes):
        samples = np.array(samples, copy=True)  # the caller may reuse its buffer once we return
    run_or_defer(out, lambda: _write(out, samples, rate), nbytes=samples.nbytes)


def _write(out: Path, samples: np.ndarray, rate: int) -> None:
    try:
        with atomic_path(out) as tmp:
            soundfile.write(str(tmp), samples, rate, subtype="PCM_16", format="WAV")
    except (OSError, soundfile.SoundFileError) as exc:
        raise StudioError(
            f"Cannot write {out}: {getattr(exc, 'strerror', None) or exc}; choose another --out."
        ) from None
