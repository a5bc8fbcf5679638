"""One fixed-length vector per speech clip for the learned speech judge (numpy only): spectral shape, prosody and
voice quality, summarised over the clip's speech frames, so a linear head can read emotion from one clip alone.

Frames: 25 ms Hann windows every 10 ms at 16 kHz (the same framing as speech_features, so its speech mask, F0 and
syllable nuclei line up frame by frame). Speech frames are speech_features' (within 35 dB of the loud end).

Blocks, in order (names in `feature_names()`):
- MFCC 1–20 (40 mel bands 50 Hz–8 kHz, log power, orthonormal DCT-II; c0 left out, loudness has its own block):
  mean, std, 10th/50th/90th percentile; deltas (±2 frames): std and mean |Δ|; delta-deltas: std.
- Log-mel bands: mean and std of each of the 40 bands minus the frame's mean band (a per-frame tilt, free of gain).
- Spectral scalars per frame (centroid, bandwidth, flatness, 85 % rolloff, flux, zero-crossing rate): the 5 stats.
- Spectral contrast (6 octave bands from 200 Hz + the rest): mean and std of peak − valley (dB).
- Loudness (frame dB relative to the clip's 95th percentile, so recording gain drops out): mean, std, 10/50/90th,
  mean |Δ| (a shimmer-like measure over voiced frames).
- F0 by YIN (pitch.py), in semitones re 100 Hz over voiced speech frames: voiced fraction, median, mean, std,
  5th/95th percentile, range, slope, mean |Δ| between consecutive voiced frames (a jitter-like measure).
- Timing (speech_features): syllable rate, pause fraction, speech duration; spectral tilt: alpha ratio, Hammarberg.

Missing values (no voicing, no pauses) become 0 after each block says so through its voiced fraction / counts.
"""

from __future__ import annotations

import functools

import numpy as np

from eval.recognizers.pitch import PITCH_SR, frame_signal, resample, yin
from eval.recognizers.speech_features import HOP_S, cues, frame_db, nuclei, speech_mask, tilt

FEATURE_VERSION = "speech-judge-features-v1"
SR = 16000
FRAME, HOP, N_FFT = 400, 160, 512
N_MELS, N_MFCC = 40, 20
FMIN, FMAX = 50.0, 8000.0
CONTRAST_EDGES = (0.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0, 8000.0)
STATS = ("mean", "std", "p10", "p50", "p90")
SPECTRAL = ("centroid", "bandwidth", "flatness", "rolloff", "flux", "zcr")
LOUDNESS = ("db_mean", "db_std", "db_p10", "db_p50", "db_p90", "db_shimmer")
PITCH = ("voiced_fraction", "f0_median", "f0_mean", "f0_std", "f0_p5", "f0_p95", "f0_range", "f0_slope", "f0_jitter")
TIMING = ("rate", "pause_fraction", "speech_s", "alpha_ratio", "hammarberg")


def mel_band_edges() -> np.ndarray:
    """N_MELS + 2 frequencies (Hz) equally spaced on the HTK mel scale from FMIN to FMAX: band i rises from edge i,
    peaks at edge i + 1 (its centre) and falls to edge i + 2."""
    mel = 2595.0 * np.log10(1.0 + np.array([FMIN, FMAX]) / 700.0)
    return 700.0 * (10 ** (np.linspace(mel[0], mel[1], N_MELS + 2) / 2595.0) - 1.0)


@functools.cache
def mel_filterbank() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters on the HTK mel scale, unit peak."""
    edges = mel_band_edges()
    freqs = np.fft.rfftfreq(N_FFT, 1 / SR)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rise = (freqs[None] - lo) / (mid - lo)
    fall = (hi - freqs[None]) / (hi - mid)
    return np.maximum(0.0, np.minimum(rise, fall))


@functools.cache
def dct_matrix() -> np.ndarray:
    """(N_MFCC, N_MELS) orthonormal DCT-II rows 1..N_MFCC (c0 dropped)."""
    n = np.arange(N_MELS)
    k = np.arange(1, N_MFCC + 1)[:, None]
    return np.sqrt(2.0 / N_MELS) * np.cos(np.pi * k * (2 * n + 1) / (2 * N_MELS))


def feature_names() -> list[str]:
    names = [f"mfcc{i}_{s}" for s in STATS for i in range(1, N_MFCC + 1)]
    names += [f"dmfcc{i}_{s}" for s in ("std", "absmean") for i in range(1, N_MFCC + 1)]
    names += [f"ddmfcc{i}_std" for i in range(1, N_MFCC + 1)]
    names += [f"mel{i}_{s}" for s in ("mean", "std") for i in range(N_MELS)]
    names += [f"{f}_{s}" for s in STATS for f in SPECTRAL]
    names += [f"contrast{i}_{s}" for s in ("mean", "std") for i in range(len(CONTRAST_EDGES) - 1)]
    return names + list(LOUDNESS) + list(PITCH) + list(TIMING)


def _stats(m: np.ndarray) -> np.ndarray:
    """(frames, d) → [mean, std, p10, p50, p90] each of length d."""
    p10, p50, p90 = np.percentile(m, (10, 50, 90), axis=0)
    return np.concatenate([m.mean(axis=0), m.std(axis=0), p10, p50, p90])


def _delta(m: np.ndarray, width: int = 2) -> np.ndarray:
    """Regression deltas over ±width frames (edges repeated)."""
    padded = np.pad(m, ((width, width), (0, 0)), mode="edge")
    n = len(m)
    num = sum(k * (padded[width + k : width + k + n] - padded[width - k : width - k + n]) for k in range(1, width + 1))
    return num / (2 * sum(k * k for k in range(1, width + 1)))


def _spectral(power: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame spectral scalars (frames, 6) and contrast peak − valley (frames, 7)."""
    freqs = np.fft.rfftfreq(N_FFT, 1 / SR)
    total = power.sum(axis=1) + 1e-12
    centroid = (power * freqs).sum(axis=1) / total
    bandwidth = np.sqrt((power * (freqs - centroid[:, None]) ** 2).sum(axis=1) / total)
    flatness = np.exp(np.log(power + 1e-12).mean(axis=1)) / (power.mean(axis=1) + 1e-12)
    rolloff = freqs[np.minimum((np.cumsum(power, axis=1) < 0.85 * total[:, None]).sum(axis=1), len(freqs) - 1)]
    norm = power / total[:, None]
    flux = np.r_[0.0, np.sqrt((np.diff(np.sqrt(norm), axis=0) ** 2).sum(axis=1))]
    zcr = (np.abs(np.diff(np.sign(frames), axis=1)) > 0).mean(axis=1)
    scalars = np.stack([centroid / 1000, bandwidth / 1000, np.log(flatness + 1e-12), rolloff / 1000, flux, zcr], 1)
    contrast = []
    for lo, hi in zip(CONTRAST_EDGES[:-1], CONTRAST_EDGES[1:]):
        band = np.sort(power[:, (freqs >= lo) & (freqs < hi)], axis=1)
        q = max(1, int(round(0.2 * band.shape[1])))
        contrast.append(
            10 * np.log10(band[:, -q:].mean(axis=1) + 1e-12) - 10 * np.log10(band[:, :q].mean(axis=1) + 1e-12)
        )
    return scalars, np.stack(contrast, axis=1)


def clip_features(x: np.ndarray, sr: int) -> np.ndarray:
    """The feature vector (float32, len(feature_names())) of one mono clip."""
    x = np.asarray(x, dtype=np.float64)
    if sr != SR:
        x = resample(x, sr, SR)
    if len(x) < FRAME:
        x = np.pad(x, (0, FRAME - len(x)))
    db = frame_db(x, SR)
    f0 = yin(resample(x, SR, PITCH_SR), PITCH_SR, int(HOP_S * PITCH_SR))
    frames = frame_signal(x, FRAME, HOP)
    n = min(len(db), len(f0), len(frames))
    db, f0, frames = db[:n], f0[:n], frames[:n]
    speech = speech_mask(db)
    if speech.sum() < 3:  # silence or a click: use every frame rather than none
        speech = np.ones(n, dtype=bool)
    voiced = np.isfinite(f0) & speech

    emphasised = np.concatenate([frames[:, :1], frames[:, 1:] - 0.97 * frames[:, :-1]], axis=1)
    power = np.abs(np.fft.rfft(emphasised * np.hanning(FRAME), N_FFT, axis=1)) ** 2
    logmel = np.log(power @ mel_filterbank().T + 1e-10)
    mfcc = logmel @ dct_matrix().T
    d1, d2 = _delta(mfcc), _delta(_delta(mfcc))
    scalars, contrast = _spectral(power, frames)
    s = speech
    tilt_mel = logmel[s] - logmel[s].mean(axis=1, keepdims=True)

    rel_db = db - np.percentile(db, 95)
    vdb = rel_db[voiced]
    shimmer = float(np.abs(np.diff(vdb)).mean()) if len(vdb) > 2 else 0.0
    loud = [*_stats(rel_db[s][:, None]), shimmer]

    st = 12 * np.log2(f0[voiced] / 100.0)
    if len(st) > 4:
        t = np.flatnonzero(voiced) * HOP_S
        consecutive = np.diff(np.flatnonzero(voiced)) == 1
        jitter = float(np.abs(np.diff(st))[consecutive].mean()) if consecutive.any() else 0.0
        p5, p50, p95 = np.percentile(st, (5, 50, 95))
        slope = float(np.polyfit(t, st, 1)[0]) if np.ptp(t) > 0.2 else 0.0
        pitch = [voiced.sum() / s.sum(), p50, st.mean(), st.std(), p5, p95, p95 - p5, slope, jitter]
    else:
        pitch = [voiced.sum() / s.sum(), 0, 0, 0, 0, 0, 0, 0, 0]

    c = cues(db, f0, speech, np.isfinite(f0), nuclei(db, speech, np.isfinite(f0)), 0, n)
    alpha, hammarberg = tilt(x, SR, np.flatnonzero(voiced))
    timing = [c["rate_syl_per_s"], c["pause_fraction"], s.sum() * HOP_S, alpha, hammarberg]

    parts = [
        _stats(mfcc[s]),
        d1[s].std(axis=0),
        np.abs(d1[s]).mean(axis=0),
        d2[s].std(axis=0),
        tilt_mel.mean(axis=0),
        tilt_mel.std(axis=0),
        _stats(scalars[s]),
        contrast[s].mean(axis=0),
        contrast[s].std(axis=0),
        np.array(loud),
        np.array([0.0 if v is None else v for v in pitch], dtype=float),
        np.array([0.0 if v is None else v for v in timing], dtype=float),
    ]
    return np.nan_to_num(np.concatenate(parts).astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
