"""Edit the emotion of any recording: the prosody transform (TD-PSOLA, prosody_transform.py) moves its pitch, range,
contour, tempo, loudness and voice quality to the spec's ProsodyStyle, and leaves the words and the speaker's
timbre alone — nothing is re-synthesised. The recording is taken as the speaker's neutral delivery, as every voice
backend takes its engine's; the sidecar records every change applied."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import soundfile

from conditioning.artifact import Artifact, provenance
from conditioning.errors import StudioError
from conditioning.prosody_style import prosody_style
from conditioning.spec import EmotionSpec
from generators.media.wav import write_wav
from generators.request import check_output
from generators.voice import spectral_envelope
from generators.voice.prosody_transform import effects, transform

SUFFIXES = (".wav",)
MAX_SECONDS = 600.0


def read_recording(path: Path) -> tuple[np.ndarray, int]:
    """Mono float samples of an audio file; a missing or unreadable one is one clear error."""
    try:
        x, sr = soundfile.read(str(path), dtype="float64", always_2d=True)
    except (OSError, soundfile.SoundFileError, RuntimeError) as exc:
        raise StudioError(
            f"Cannot read the recording {str(path)!r} ({str(exc)[:80]}); give a WAV or FLAC file."
        ) from None
    if len(x) == 0 or len(x) > MAX_SECONDS * sr:
        raise StudioError(f"The recording {str(path)!r} is empty or over {MAX_SECONDS:g} s; give a shorter clip.")
    return x.mean(axis=1), int(sr)


def edit_recording(source: Path, spec: EmotionSpec, out: Path, seed: int = 0) -> Artifact:
    """Reshape `source` to speak with `spec`'s prosody, write a 16-bit WAV and a sidecar saying what changed."""
    out = check_output(Path(out), SUFFIXES)
    x, sr = read_recording(Path(source))
    style = prosody_style(spec)
    start = time.perf_counter()
    y = transform(x, sr, style, seed)
    edit_s = time.perf_counter() - start
    write_wav(out, y, sr)
    record = provenance(
        modality="voice",
        spec=spec.to_dict(),
        styles={"prosody": style.to_dict()},
        backend="prosody_edit",
        model=None,
        seed=seed,
        parameters={
            "source": str(source),
            "changes": effects(style),
            "spectral_envelope": spectral_envelope.record(),
            "sample_rate": sr,
            "duration_in_s": round(len(x) / sr, 3),
            "duration_s": round(len(y) / sr, 3),
        },
        timings={"edit_s": round(edit_s, 4)},
    )
    artifact = Artifact(path=out, modality="voice", provenance=record)
    artifact.write_sidecar()
    return artifact
