"""Measurements for the voice tests, taken with the studio's recognizer code (eval/: its own YIN F0 tracker and
frame levels), never with the transform's own analysis — so the transform is not graded by its own ruler."""

from __future__ import annotations

import numpy as np

from eval.recognizers.pitch import PITCH_SR, resample, yin
from eval.recognizers.speech_features import HOP_S, frame_db, speech_mask

REFERENCE_HZ = 100.0


def f0_semitones(x: np.ndarray, sr: int) -> np.ndarray:
    """F0 per 10 ms frame in semitones re 100 Hz (NaN where unvoiced)."""
    track = yin(resample(np.asarray(x, dtype=np.float64), sr, PITCH_SR), PITCH_SR, round(HOP_S * PITCH_SR))
    return 12 * np.log2(track / REFERENCE_HZ)


def voiced_st(x: np.ndarray, sr: int, speech_only: bool = False) -> np.ndarray:
    """Voiced frames' F0; speech_only keeps only frames loud enough to be speech (digital silence between
    sentences reads as 'voiced' at YIN's ceiling, since every lag matches it perfectly)."""
    st = f0_semitones(x, sr)
    if speech_only:
        mask = speech_mask(frame_db(np.asarray(x, dtype=np.float32), sr))
        n = min(len(st), len(mask))
        st = st[:n][mask[:n]]
    st = st[np.isfinite(st)]
    assert len(st) >= 20, "too few voiced frames to measure"
    return st


def median_st(x, sr, speech_only: bool = False) -> float:
    return float(np.median(voiced_st(x, sr, speech_only)))


def range_st(x, sr, speech_only: bool = False) -> float:
    """10–90 percentile F0 range in semitones."""
    st = voiced_st(x, sr, speech_only)
    return float(np.percentile(st, 90) - np.percentile(st, 10))


def folded_range_st(x, sr) -> float:
    """10–90 percentile F0 range of the speech frames with YIN's octave slips folded back (a frame > 7 st from the
    median moved by 12): on a low voice a few halved frames widened the plain range of neutral Piper to 14 st."""
    d = voiced_st(x, sr, speech_only=True)
    d = d - np.median(d)
    d = np.where(d > 7, d - 12, np.where(d < -7, d + 12, d))
    return float(np.percentile(d, 90) - np.percentile(d, 10))


def speech_span_s(x, sr) -> float:
    """Seconds from the first to the last speech frame."""
    frames = np.flatnonzero(speech_mask(frame_db(np.asarray(x, dtype=np.float32), sr)))
    return (frames[-1] - frames[0] + 1) * HOP_S


def loudness_db(x, sr) -> float:
    """Mean frame level of the speech frames, as the speech recognizer reports loudness."""
    db = frame_db(np.asarray(x, dtype=np.float32), sr)
    return float(db[speech_mask(db)].mean())


def voiced_runs(st: np.ndarray, min_frames: int):
    voiced = np.isfinite(st)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(int), [0]])))
    return [st[a:b] for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_frames]


def modulation_st(x, sr, hz: float) -> float:
    """Median amplitude (semitones) of the `hz` component of F0 over voiced runs of ≥ 150 ms, each fitted as
    a + b·t + c·sin + d·cos (a lock-in reading of a tremor)."""
    amplitudes = []
    for run in voiced_runs(f0_semitones(x, sr), 15):
        t = np.arange(len(run)) * HOP_S
        basis = np.stack([np.ones_like(t), t, np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t)], axis=1)
        coef = np.linalg.lstsq(basis, run, rcond=None)[0]
        amplitudes.append(np.hypot(coef[2], coef[3]))
    assert amplitudes, "no voiced run long enough"
    return float(np.median(amplitudes))


def jitter_st(x, sr) -> float:
    """Median absolute frame-to-frame F0 change (semitones) inside voiced runs."""
    return float(np.median(np.concatenate([np.abs(np.diff(run)) for run in voiced_runs(f0_semitones(x, sr), 5)])))


def band_flatness(x, sr, lo=2000.0, hi=5000.0) -> float:
    """Spectral flatness (geometric / arithmetic mean power) in [lo, hi) over the loud frames: harmonics are peaky
    (low), breath noise is flat (high)."""
    n, hop = 1024, 256
    frames = np.lib.stride_tricks.sliding_window_view(np.asarray(x, dtype=np.float64), n)[::hop]
    power = np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) ** 2
    band = power[:, (np.fft.rfftfreq(n, 1 / sr) >= lo) & (np.fft.rfftfreq(n, 1 / sr) < hi)] + 1e-20
    loud = power.sum(axis=1) > 0.1 * np.median(power.sum(axis=1)[power.sum(axis=1) > 0])
    flatness = np.exp(np.log(band[loud]).mean(axis=1)) / band[loud].mean(axis=1)
    return float(np.median(flatness))


def alpha_ratio_db(x, sr, lo_split=1000.0) -> float:
    """dB of 1–5 kHz over 50 Hz–1 kHz energy (GeMAPS alpha ratio) over the whole clip."""
    power = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / sr)
    high = power[(freqs >= lo_split) & (freqs < 5000)].sum()
    low = power[(freqs >= 50) & (freqs < lo_split)].sum()
    return float(10 * np.log10(high / low))


def sentences_of(x: np.ndarray, sr: int, min_gap_s: float = 0.2) -> list[np.ndarray]:
    """Split at the pauses the backends insert between sentences (runs of exact silence)."""
    silent = np.concatenate([[False], np.abs(x) < 1e-9, [False]])
    edges = np.flatnonzero(np.diff(silent.astype(int)))
    gaps = [(a, b) for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_gap_s * sr and a > 0 and b < len(x)]
    cuts = [0] + [i for gap in gaps for i in gap] + [len(x)]
    return [x[a:b] for a, b in zip(cuts[::2], cuts[1::2])]
