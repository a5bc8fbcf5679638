"""The waveform-level shaping of the prosody transform: spectral tilt, breath noise, stress, loudness and a soft
limiter — each small, each its own function (the F0-level effects, tremor and jitter, live in prosody_transform).

- tilt: a shelf at TILT_HZ, the band above it raised or lowered by `db`. A flatter slope (more energy above 1 kHz)
  is the acoustic mark of tense, high-arousal voices (GeMAPS: higher alpha ratio, FACTS §3); a steeper one, of a
  resonant chest voice.
- breath: aspiration noise with the speech's own spectral envelope above BREATH_HZ (the short-time magnitudes,
  smoothed over ENVELOPE_HZ, with random phases), following the speech's loudness, mixed in while the voiced part
  is lowered a little — the lower harmonics-to-noise ratio of a breathy or whispered voice.
- stress: the loud (stressed) stretches raised and the quiet ones lowered by up to STRESS_DB — Murray & Arnott's
  "abrupt on stressed syllables" for anger.
- loudness: gain in dB after matching the input's speech level (mean frame dB), then a soft limiter (identity below
  KNEE, tanh above, never above CEILING) so a loud style never clips.
"""

from __future__ import annotations

import numpy as np

from generators.voice.pitch_marks import frames_of, lowpass

TILT_HZ = 1000.0
BREATH_HZ = 1500.0
BREATH_GAIN = 0.6  # breath-noise RMS relative to the speech at amount 1
BREATH_DUCK = 0.35  # how much the voiced part is lowered at amount 1 (whisper lowers more)
STFT_N, STFT_HOP = 512, 128
ENVELOPE_HZ = 500.0  # wider than the harmonic spacing of any speaking voice
STRESS_DB = 3.0
KNEE, CEILING = 0.85, 0.99
FRAME_S, SPEECH_DB = 0.02, 35.0


def tilt(x: np.ndarray, sr: int, db: float) -> np.ndarray:
    """The band above TILT_HZ raised by `db` (negative: lowered); the band below untouched."""
    if abs(db) < 1e-3:
        return x
    low = lowpass(x, sr, TILT_HZ)
    return low + (x - low) * 10 ** (db / 20)


def stft(x: np.ndarray) -> np.ndarray:
    frames = frames_of(np.pad(x, (STFT_N, STFT_N)), STFT_N, STFT_HOP)
    return np.fft.rfft(frames * np.hanning(STFT_N), axis=1)


def istft(spectra: np.ndarray, length: int) -> np.ndarray:
    """Weighted overlap-add with the analysis window; the window-square sum is divided out."""
    window = np.hanning(STFT_N)
    frames = np.fft.irfft(spectra, STFT_N, axis=1) * window
    total = len(frames) * STFT_HOP + STFT_N
    out, norm = np.zeros(total), np.zeros(total)
    for k, frame in enumerate(frames):
        out[k * STFT_HOP : k * STFT_HOP + STFT_N] += frame
        norm[k * STFT_HOP : k * STFT_HOP + STFT_N] += window**2
    out /= np.maximum(norm, 1e-3)
    return out[STFT_N : STFT_N + length]


def envelope_of(magnitudes: np.ndarray, width: int) -> np.ndarray:
    """Each frame's magnitudes averaged over `width` bins: the spectral envelope without the harmonic comb (noise
    with the comb left in would still sound pitched)."""
    kernel = np.ones(max(1, width)) / max(1, width)
    padded = np.pad(magnitudes, ((0, 0), (len(kernel) // 2, len(kernel) - 1 - len(kernel) // 2)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, len(kernel), axis=1)
    return windows @ kernel


def breath(x: np.ndarray, sr: int, amount: float, rng: np.random.Generator, whisper: bool = False) -> np.ndarray:
    """Mix in aspiration noise shaped like the speech above BREATH_HZ; amount in [0, 1]."""
    if amount <= 0:
        return x
    spectra = stft(x)
    freqs = np.fft.rfftfreq(STFT_N, 1 / sr)
    shelf = np.clip((freqs - 0.5 * BREATH_HZ) / BREATH_HZ, 0.0, 1.0)  # a smooth rise from BREATH_HZ/2 to 1.5×
    envelope = envelope_of(np.abs(spectra), round(ENVELOPE_HZ * STFT_N / sr))
    phases = np.exp(2j * np.pi * rng.random(spectra.shape))
    noise = istft(envelope * shelf * phases, len(x))
    scale = BREATH_GAIN * amount * rms(x) / max(rms(noise), 1e-12)
    duck = 1.0 - (0.8 if whisper else BREATH_DUCK) * amount
    return duck * x + scale * noise


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def frame_levels(x: np.ndarray, sr: int) -> np.ndarray:
    """RMS per FRAME_S frame (no overlap)."""
    frames = frames_of(x, round(FRAME_S * sr), round(FRAME_S * sr))
    return np.sqrt(np.mean(np.square(frames), axis=1))


def speech_level_db(x: np.ndarray, sr: int) -> float | None:
    """Mean frame level in dB over the frames within SPEECH_DB of the loudest: the level of the speech, not of its
    pauses, averaged the way loudness is heard (and measured by the studio's speech recognizer) — in dB, so that
    stress, which spreads the frame levels, does not move it."""
    levels = frame_levels(x, sr)
    if len(levels) == 0 or levels.max() <= 0:
        return None
    loud = levels[levels > levels.max() * 10 ** (-SPEECH_DB / 20)]
    return float(np.mean(20 * np.log10(loud)))


def stress(x: np.ndarray, sr: int, amount: float) -> np.ndarray:
    """Expand the syllable-level envelope: frames above the median speech level up, below it down (±STRESS_DB·amount
    at most), by a gain curve smoothed over ~60 ms so no frame edge clicks."""
    if amount <= 0:
        return x
    size = round(FRAME_S * sr)
    levels = frame_levels(x, sr)
    speech = levels > levels.max() * 10 ** (-SPEECH_DB / 20)
    if speech.sum() < 3:
        return x
    rel_db = 20 * np.log10(np.maximum(levels, 1e-12) / np.median(levels[speech]))
    gain_db = np.where(speech, np.clip(0.5 * rel_db, -1, 1) * STRESS_DB * amount, 0.0)
    gain_db = np.convolve(gain_db, np.ones(3) / 3, mode="same")
    centres = (np.arange(len(levels)) + 0.5) * size
    return x * 10 ** (np.interp(np.arange(len(x)), centres, gain_db) / 20)


def soft_limit(x: np.ndarray) -> np.ndarray:
    """Identity up to KNEE, then KNEE + (CEILING − KNEE)·tanh(excess / (CEILING − KNEE)): slope 1 at the knee, never
    above CEILING (which stays under full scale in float32 and 16-bit PCM)."""
    mag = np.abs(x)
    over = mag > KNEE
    if not over.any():
        return x
    room = CEILING - KNEE
    return np.where(over, np.sign(x) * (KNEE + room * np.tanh((mag - KNEE) / room)), x)
