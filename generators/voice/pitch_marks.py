"""Where the glottal pulses are, for the pitch-synchronous prosody transform: a frame-wise F0 track, then one mark
per period on the voiced stretches and a regular grid on the rest.

F0: normalised cross-correlation (NCCF) of a WINDOW_S frame with itself shifted by each lag, from one FFT per frame
and running energies; the shortest lag whose local peak comes within OCTAVE_TOLERANCE of the best one (so a
subharmonic twice the period never wins over the true period); parabolic interpolation; voiced when the peak
reaches VOICED_NCCF in a frame within SILENCE_DB of the loudest. A 5-frame median and a minimum voiced run then
remove isolated errors. This is the transform's own analysis, written for it: the studio's recognizers (eval/) use
a separate YIN tracker, so a test that measures the transform with them does not grade it by its own ruler.

Marks: within each voiced run, the first mark is the strongest peak of the low-passed signal (polarity chosen per
run) in its first period; each next mark is the strongest peak within ±SEARCH of one period further on. Peaks of
the low-passed signal recur once per period at the same phase, which is all TD-PSOLA needs (it moves grains whole;
an exact glottal closure instant is not required). Unvoiced stretches get marks every UNVOICED_STEP_S.
"""

from __future__ import annotations

import numpy as np

F0_MIN, F0_MAX = 60.0, 500.0
HOP_S = 0.005
WINDOW_S = 0.025
VOICED_NCCF = 0.6
OCTAVE_TOLERANCE = 0.9
SILENCE_DB = 40.0
MIN_VOICED_FRAMES = 4
UNVOICED_STEP_S = 0.006
SEARCH = 0.25  # fraction of a period either side of the predicted next mark
LOWPASS_HZ = 900.0


def frames_of(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    """(n, length) views every hop, zero-padded at the end."""
    n = max(1, int(np.ceil(len(x) / hop)))
    padded = np.pad(x, (0, n * hop + length - len(x)))
    return np.lib.stride_tricks.sliding_window_view(padded, length)[::hop][:n]


def f0_track(x: np.ndarray, sr: int) -> np.ndarray:
    """F0 in Hz per HOP_S frame (frame k centred on sample k·hop), 0 where unvoiced."""
    hop, w = round(HOP_S * sr), round(WINDOW_S * sr)
    tau_min, tau_max = int(sr / F0_MAX), int(np.ceil(sr / F0_MIN)) + 1
    centred = np.pad(np.asarray(x, dtype=np.float64), ((w + tau_min) // 2, 0))  # a frame spans w + τ: centre it
    frames = frames_of(centred, w + tau_max + 1, hop)[: max(1, int(np.ceil(len(x) / hop)))]
    n_fft = 1 << int(np.ceil(np.log2(frames.shape[1] + w)))
    cross = np.fft.irfft(np.conj(np.fft.rfft(frames[:, :w], n_fft)) * np.fft.rfft(frames, n_fft), n_fft)
    cross = cross[:, : tau_max + 2]
    cum = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
    energy = cum[:, w : w + tau_max + 2] - cum[:, : tau_max + 2]  # Σ_{j<w} x_{j+τ}²
    nccf = cross / np.sqrt(np.maximum(energy[:, :1] * energy, 1e-20))
    r = nccf[:, tau_min : tau_max + 1]
    peak = (r[:, 1:-1] > r[:, :-2]) & (r[:, 1:-1] >= r[:, 2:])
    best = np.where(peak, r[:, 1:-1], -1.0).max(axis=1)
    chosen = peak & (r[:, 1:-1] >= OCTAVE_TOLERANCE * best[:, None])
    k = chosen.argmax(axis=1) + 1  # index into r of the shortest good peak
    rows = np.arange(len(r))
    y0, y1, y2 = r[rows, k - 1], r[rows, k], r[rows, k + 1]
    denom = y0 - 2 * y1 + y2
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / np.where(denom == 0, 1, denom), 0.0)
    f0 = sr / (tau_min + k + np.clip(shift, -1, 1))
    level = 10 * np.log10(energy[:, 0] + 1e-20)
    voiced = chosen.any(axis=1) & (y1 >= VOICED_NCCF) & (level > level.max() - SILENCE_DB)
    return clean_track(np.where(voiced, f0, 0.0))


def clean_track(f0: np.ndarray) -> np.ndarray:
    """5-frame median of the voiced log-F0 (octave slips out), then voiced runs shorter than MIN_VOICED_FRAMES off."""
    logf = np.where(f0 > 0, np.log(np.maximum(f0, 1e-9)), np.nan)
    windows = np.sort(np.lib.stride_tricks.sliding_window_view(np.pad(logf, 2, constant_values=np.nan), 5), axis=1)
    count = np.isfinite(windows).sum(axis=1)  # NaNs sort last: the median of the finite ones sits at (count−1)/2
    rows = np.arange(len(windows))
    middle = 0.5 * (windows[rows, np.maximum(count - 1, 0) // 2] + windows[rows, np.maximum(count, 1) // 2])
    smooth = np.where(f0 > 0, np.exp(np.nan_to_num(middle)), 0.0)
    voiced = smooth > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(int), [0]])))
    for start, end in zip(edges[::2], edges[1::2]):
        if end - start < MIN_VOICED_FRAMES:
            smooth[start:end] = 0.0
    return smooth


def lowpass(x: np.ndarray, sr: int, cutoff: float) -> np.ndarray:
    """Hann-windowed sinc FIR, zero phase (same length, centred)."""
    half = max(2, round(2 * sr / cutoff))
    t = np.arange(-half, half + 1)
    kernel = np.sinc(2 * cutoff / sr * t) * np.hanning(2 * half + 1)
    return np.convolve(x, kernel / kernel.sum(), mode="same")


def f0_at(f0: np.ndarray, positions: np.ndarray, sr: int) -> np.ndarray:
    """The track's F0 at sample positions (nearest frame)."""
    return f0[np.clip(np.round(np.asarray(positions) / round(HOP_S * sr)).astype(np.int64), 0, len(f0) - 1)]


def pitch_marks(x: np.ndarray, sr: int, f0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mark sample positions, local period in samples, voiced flag) covering the whole signal, in time order."""
    hop = round(HOP_S * sr)
    step = round(UNVOICED_STEP_S * sr)
    smooth = lowpass(np.asarray(x, dtype=np.float64), sr, LOWPASS_HZ)
    voiced = f0 > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(int), [0]])))
    marks: list[int] = []
    periods: list[float] = []
    flags: list[bool] = []
    cursor = 0  # first sample not yet covered by a mark
    for start_frame, end_frame in zip(edges[::2], edges[1::2]):
        a, b = max(0, start_frame * hop - hop // 2), min(len(x), end_frame * hop - hop // 2)
        run = smooth[a:b]
        if len(run) == 0:
            continue
        sign = 1.0 if run.max() >= -run.min() else -1.0
        period = sr / f0[start_frame]
        first = a + int(np.argmax(sign * smooth[a : min(b, a + int(period) + 1)]))
        grid = list(range(cursor, first - step // 2, step))
        marks += grid
        periods += [float(step)] * len(grid)
        flags += [False] * len(grid)
        pos = first
        while pos < b:
            here = f0[min(len(f0) - 1, round(pos / hop))]
            period = sr / here if here > 0 else period
            marks.append(pos)
            periods.append(period)
            flags.append(True)
            lo, hi = pos + int(period * (1 - SEARCH)), min(len(x), pos + int(period * (1 + SEARCH)) + 1)
            if lo >= b or lo >= hi:
                break
            pos = lo + int(np.argmax(sign * smooth[lo:hi]))
        cursor = marks[-1] + max(step, int(periods[-1]))
    grid = list(range(cursor, len(x), step))
    marks += grid
    periods += [float(step)] * len(grid)
    flags += [False] * len(grid)
    return np.array(marks, dtype=np.int64), np.array(periods), np.array(flags, dtype=bool)
