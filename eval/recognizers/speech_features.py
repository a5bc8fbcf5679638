"""Voice recognizer without weights: F0 (own YIN, pitch.py), loudness, speaking rate, pauses and spectral tilt,
read as arousal and (weakly) valence by prosody_cues.py, overall and per second.

Frames: 25 ms windows every 10 ms. Speech frames are those within SPEECH_RANGE_DB of the loud end of the clip (and
above an absolute floor); pauses are silent runs of at least PAUSE_MIN_S between speech. Speaking rate counts
syllable nuclei after de Jong & Wempe (2009): peaks of the smoothed intensity contour that are voiced, lie in
speech, and rise at least DIP_DB above the dip since the previous nucleus, per second of speech (pauses excluded).
Spectral tilt: alpha ratio (dB of 1–5 kHz over 50 Hz–1 kHz energy) and Hammarberg index (strongest 0–2 kHz
minus strongest 2–5 kHz band, dB) over the voiced frames' mean spectrum.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from conditioning.errors import StudioError
from eval.prefetch import prefetched
from eval.recognition import Recognition, from_vad
from eval.recognizers.pitch import PITCH_SR, frame_signal, resample, yin
from eval.recognizers.prosody_cues import REFERENCE_F0_HZ, prosody_vad

NAME = "speech_features"
PARALLEL = True  # numpy only: safe in the report's thread pool
HOP_S, FRAME_S = 0.010, 0.025
SPEECH_RANGE_DB, SILENCE_FLOOR_DB = 35.0, -60.0
PAUSE_MIN_S = 0.25
DIP_DB = 2.0
SMOOTH_FRAMES = 5  # 50 ms moving average of the intensity contour
TILT_SR = 16000  # tilt needs up to 5 kHz
# Agreement measured by `python -m finetune.speech_judge` (it runs this judge on every clip; nothing is fitted).
# Top-1: the RAVDESS emotion whose valence–arousal point lies nearest the judge's VAD.
CARD = {
    "name": NAME,
    "modality": "voice",
    "kind": "heuristic",
    "model": "YIN F0, loudness, syllable rate, pauses and spectral tilt → VAD by rules (prosody_cues.py)",
    "trained_on": "",
    "validated_on": "RAVDESS actors 01–16, all 960 clips (no training)",
    "agreement": {
        "arousal_auc": 0.806,  # vad[1]: angry, happy, fearful, surprised vs neutral, calm, sad
        "valence_auc": 0.476,  # vad[0]: happy, calm, surprised vs sad, angry, fearful, disgust
        "top1_8class": 0.152,
        "chance_top1": 0.125,
        "macro_f1": 0.119,
    },
    "licence": "Apache-2.0 (rules from published findings, no data)",
    "notes": "Arousal cues are sound; valence has weak acoustic cues and this judge reads it at chance.",
}


def card() -> dict:
    return dict(CARD)


def load_audio(path: Path) -> tuple[np.ndarray, int]:
    """Mono float32 and the sample rate; unreadable audio → StudioError."""
    import soundfile

    try:
        data, sr = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError) as exc:  # LibsndfileError is a RuntimeError
        raise StudioError(f"Cannot read audio {Path(path).name}: {exc}") from None
    if len(data) == 0:
        raise StudioError(f"Audio {Path(path).name} has no samples (empty or truncated).")
    return data.mean(axis=1), int(sr)


def frame_db(x: np.ndarray, sr: int) -> np.ndarray:
    frames = frame_signal(x, int(FRAME_S * sr), int(HOP_S * sr))
    return 20 * np.log10(np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) + 1e-10)


def speech_mask(db: np.ndarray) -> np.ndarray:
    return db > max(SILENCE_FLOOR_DB, float(np.percentile(db, 95)) - SPEECH_RANGE_DB)


def pauses(speech: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) frame runs of silence ≥ PAUSE_MIN_S strictly between speech."""
    idx = np.flatnonzero(speech)
    if len(idx) == 0:
        return []
    runs, start = [], None
    for i in range(idx[0], idx[-1] + 1):
        if not speech[i] and start is None:
            start = i
        elif speech[i] and start is not None:
            if (i - start) * HOP_S >= PAUSE_MIN_S:
                runs.append((start, i))
            start = None
    return runs


def nuclei(db: np.ndarray, speech: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """Frame indices of syllable nuclei (de Jong & Wempe 2009, simplified)."""
    env = np.convolve(db, np.ones(SMOOTH_FRAMES) / SMOOTH_FRAMES, mode="same")
    peaks = np.flatnonzero((env[1:-1] > env[:-2]) & (env[1:-1] >= env[2:])) + 1
    peaks = peaks[speech[peaks] & voiced[peaks]]
    kept: list[int] = []
    for p in peaks:
        if not kept or env[p] - env[kept[-1] : p].min() >= DIP_DB:
            kept.append(int(p))
        elif env[p] > env[kept[-1]]:
            kept[-1] = int(p)
    return np.array(kept, dtype=int)


def tilt(x: np.ndarray, sr: int, frames_idx: np.ndarray) -> tuple[float | None, float | None]:
    """(alpha ratio dB, Hammarberg index dB) over the given frames' mean power spectrum."""
    if len(frames_idx) == 0:
        return None, None
    y = resample(x, sr, TILT_SR) if sr > TILT_SR else x
    rate = min(sr, TILT_SR)
    frames = frame_signal(y, int(FRAME_S * rate), int(HOP_S * rate))
    frames = frames[frames_idx[frames_idx < len(frames)]]
    power = (np.abs(np.fft.rfft(frames * np.hanning(frames.shape[1]), axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(frames.shape[1], 1 / rate)
    band = lambda lo, hi: power[(freqs >= lo) & (freqs < hi)]  # noqa: E731
    low, high = band(50, 1000).sum(), band(1000, 5000).sum()
    alpha = 10 * math.log10((high + 1e-20) / (low + 1e-20))
    b02, b25 = band(0, 2000), band(2000, 5000)
    hammarberg = 10 * math.log10((b02.max() + 1e-20) / (b25.max() + 1e-20)) if len(b25) else None
    return alpha, hammarberg


def cues(db, f0, speech, voiced, peaks, lo: int, hi: int) -> dict:
    """Prosodic cues over frames [lo, hi)."""
    s, v = speech[lo:hi], voiced[lo:hi] & speech[lo:hi]
    silent = sum(b - a for a, b in pauses(s))
    span = (np.flatnonzero(s)[-1] - np.flatnonzero(s)[0] + 1) if s.any() else 0
    speech_s = (span - silent) * HOP_S
    st = 12 * np.log2(f0[lo:hi][v] / REFERENCE_F0_HZ)
    times = np.flatnonzero(v) * HOP_S
    n_peaks = int(((peaks >= lo) & (peaks < hi)).sum())
    return {
        "f0_median_st": float(np.median(st)) if len(st) else None,
        "f0_range_st": float(np.percentile(st, 95) - np.percentile(st, 5)) if len(st) > 2 else None,
        "f0_slope_st_per_s": float(np.polyfit(times, st, 1)[0]) if len(st) > 4 and np.ptp(times) > 0.2 else None,
        "loudness_db": float(np.mean(db[lo:hi][s])) if s.any() else float(np.mean(db[lo:hi])),
        "rate_syl_per_s": n_peaks / speech_s if speech_s > 0.2 else None,
        "pause_fraction": silent / span if span else None,
    }


def recognize_signal(x: np.ndarray, sr: int) -> Recognition:
    """Recognize a mono signal in memory (tests build tones and bursts)."""
    x = np.asarray(x, dtype=np.float32)
    db = frame_db(x, sr)
    f0 = yin(resample(x, sr, PITCH_SR), PITCH_SR, int(HOP_S * PITCH_SR))
    n = min(len(db), len(f0))
    db, f0 = db[:n], f0[:n]
    speech, voiced = speech_mask(db), np.isfinite(f0)
    peaks = nuclei(db, speech, voiced)
    overall = cues(db, f0, speech, voiced, peaks, 0, n)
    overall["alpha_ratio_db"], overall["hammarberg_db"] = tilt(x, sr, np.flatnonzero(voiced & speech))
    duration = len(x) / sr
    per_second = []
    per_hop = round(1 / HOP_S)
    for second in range(max(1, math.ceil(duration - 1e-6))):
        window = cues(db, f0, speech, voiced, peaks, second * per_hop, min(n, (second + 1) * per_hop))
        window["alpha_ratio_db"] = overall["alpha_ratio_db"]  # one spectrum per clip: too noisy per second
        per_second.append({"t": (second + min(duration, second + 1)) / 2, "vad": prosody_vad(window)})
    hz = f0[voiced & speech]
    attributes = {
        **overall,
        "f0_mean_hz": float(hz.mean()) if len(hz) else None,
        "f0_median_hz": float(np.median(hz)) if len(hz) else None,
        "f0_min_hz": float(hz.min()) if len(hz) else None,
        "f0_max_hz": float(hz.max()) if len(hz) else None,
        "voiced_fraction": float((voiced & speech).sum() / max(1, speech.sum())),
        "pause_count": len(pauses(speech)),
        "syllables": len(peaks),
        "duration_s": duration,
    }
    return from_vad(NAME, prosody_vad(overall), attributes, per_second)


def recognize(path: Path) -> Recognition:
    return recognize_signal(*prefetched(load_audio, Path(path)))
