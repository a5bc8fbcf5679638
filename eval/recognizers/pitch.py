"""F0 by YIN (de Cheveigné & Kawahara 2002), vectorised over all frames with numpy FFTs.

Steps per frame: difference function d(τ) = Σ (x_j − x_{j+τ})² (from one FFT cross-correlation and running
energies), cumulative-mean normalisation d'(τ), the first dip under THRESHOLD (its local minimum), parabolic
interpolation. Frames whose best d' stays above VOICED_MAX are unvoiced (NaN). Callers pass a signal already
resampled to PITCH_SR (F0 ≤ 500 Hz needs no more), which keeps the FFTs short.
"""

from __future__ import annotations

import numpy as np

F0_MIN, F0_MAX = 60.0, 500.0
PITCH_SR = 8000
WINDOW_S = 0.025  # integration window W
THRESHOLD = 0.15
VOICED_MAX = 0.35


def frame_signal(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    """(n_frames, length) views; the signal is zero-padded so every hop start gets a full frame."""
    n = max(1, int(np.ceil(len(x) / hop)))
    padded = np.pad(x, (0, n * hop + length - len(x)))
    return np.lib.stride_tricks.sliding_window_view(padded, length)[::hop][:n]


def yin(x: np.ndarray, sr: int, hop: int, fmin: float = F0_MIN, fmax: float = F0_MAX) -> np.ndarray:
    """F0 in Hz per hop (NaN where unvoiced)."""
    w = int(WINDOW_S * sr)
    tau_min, tau_max = max(2, int(sr / fmax)), int(sr / fmin) + 1
    frames = frame_signal(x.astype(np.float64), w + tau_max + 1, hop)
    n_fft = 1 << int(np.ceil(np.log2(frames.shape[1])))  # lags ≤ τ_max never wrap around
    a = np.fft.rfft(frames[:, :w], n_fft)
    b = np.fft.rfft(frames, n_fft)
    cross = np.fft.irfft(np.conj(a) * b, n_fft)[:, : tau_max + 1]
    energy = np.concatenate([np.zeros((len(frames), 1)), np.cumsum(frames**2, axis=1)], axis=1)
    shifted = energy[:, w : w + tau_max + 1] - energy[:, : tau_max + 1]  # Σ_{j<W} x_{j+τ}²
    d = np.maximum(shifted[:, :1] + shifted - 2 * cross, 0.0)
    d[:, 0] = 0.0
    cum = np.cumsum(d[:, 1:], axis=1)
    taus = np.arange(1, tau_max + 1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * taus / np.maximum(cum, 1e-12)
    dn[:, :tau_min] = np.inf
    below = dn < THRESHOLD
    first = np.where(below.any(axis=1), below.argmax(axis=1), dn.argmin(axis=1))
    idx = np.arange(dn.shape[1])[None, :]
    after = idx >= first[:, None]
    run = after & (np.cumsum(after & ~below, axis=1) == 0)  # the contiguous dip that starts at `first`
    run[~below.any(axis=1)] = (idx == first[:, None])[~below.any(axis=1)]
    tau = np.where(run, dn, np.inf).argmin(axis=1)
    rows = np.arange(len(tau))
    best = dn[rows, tau]
    lo, hi = np.clip(tau - 1, 0, tau_max), np.clip(tau + 1, 0, tau_max)
    y0, y1, y2 = dn[rows, lo], best, dn[rows, hi]
    denom = y0 - 2 * y1 + y2
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where(np.isfinite(denom) & (np.abs(denom) > 1e-12), 0.5 * (y0 - y2) / denom, 0.0)
    f0 = sr / (tau + np.clip(np.nan_to_num(shift), -1, 1))
    return np.where(best < VOICED_MAX, f0, np.nan)


def resample(x: np.ndarray, sr: int, target: int) -> np.ndarray:
    """Band-limited resampling by one whole-signal FFT (numpy only); fine for clips of minutes."""
    if sr == target or len(x) == 0:
        return x
    n_out = max(1, int(round(len(x) * target / sr)))
    spectrum = np.fft.rfft(x)
    keep = n_out // 2 + 1
    spectrum = spectrum[:keep] if len(spectrum) >= keep else np.pad(spectrum, (0, keep - len(spectrum)))
    return np.fft.irfft(spectrum, n_out) * (n_out / len(x))
