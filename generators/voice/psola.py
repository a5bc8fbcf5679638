"""TD-PSOLA (time-domain pitch-synchronous overlap-add, Moulines & Charpentier 1990): new pitch and tempo from the
waveform's own periods, with no vocoder.

Each analysis mark (pitch_marks.py) owns a grain: two local periods of signal under a Hann window, centred on the
mark. Synthesis walks output time ts; the analysis time it stands for is ts × rate (a uniform tempo change), and
the grain placed there is the one of the nearest mark. Voiced grains are placed one *new* period apart
(period / 2^(semitones/12)), so the pulses come at the new F0 while each grain keeps its spectral envelope (the
formants stay put); unvoiced grains are cut at the mapped time itself and placed one grid step apart, so noise is
neither pitched nor shifted. Repeating or skipping grains is what changes the tempo without changing the pitch.

Energy: a voiced grain holds one pulse; placing them closer would make the voice louder as it rises, so each is
scaled by √(new period / old period), keeping energy per second — loudness is the caller's to set.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=512)
def hann(half: int) -> np.ndarray:
    """A 2·half+1 Hann window (zero at both ends), cached: a clip reuses a few dozen lengths."""
    return np.hanning(2 * half + 1)


def psola(
    x: np.ndarray,
    marks: np.ndarray,
    periods: np.ndarray,
    voiced: np.ndarray,
    semitones: np.ndarray,
    rate: float = 1.0,
    gains: np.ndarray | None = None,
) -> np.ndarray:
    """x re-synthesised: voiced marks shifted by `semitones` (one value per mark), tempo × `rate` (output length
    len(x) / rate), each grain times `gains` (per mark; default 1)."""
    x = np.asarray(x, dtype=np.float64)
    n_out = max(1, round(len(x) / rate))
    if len(marks) == 0:
        return np.zeros(n_out)
    ratio = 2.0 ** (np.asarray(semitones, dtype=np.float64) / 12.0)
    gains = np.ones(len(marks)) if gains is None else np.asarray(gains, dtype=np.float64)
    halves = np.maximum(1, np.round(periods).astype(np.int64))
    pad = int(halves.max()) + 1
    source = np.pad(x, (pad, pad))
    out = np.zeros(n_out + 2 * pad)
    midpoints = (marks[1:] + marks[:-1]) / 2.0  # nearest mark = number of midpoints below the mapped time
    ts = 0.0
    while ts < n_out:
        ta = ts * rate
        i = int(np.searchsorted(midpoints, ta))
        half = int(halves[i])
        centre = int(marks[i]) if voiced[i] else min(len(x) - 1, round(ta))
        grain = source[centre + pad - half : centre + pad + half + 1] * hann(half)
        if voiced[i]:
            step = periods[i] / ratio[i]
            grain = grain * (gains[i] * np.sqrt(1.0 / ratio[i]))
        else:
            step = float(periods[i])
            grain = grain * gains[i]
        at = round(ts) + pad
        out[at - half : at + half + 1] += grain
        ts += max(step, 1.0)
    return out[pad : pad + n_out]
