"""The emotion prosody transform: any engine's speech, reshaped by a `ProsodyStyle` — so intensity, blends and arcs
work for every voice backend, not only for the ones with emotion controls of their own.

The style is relative (conditioning/prosody_style.py: Murray & Arnott 1993, FACTS §3), so the transform moves the
input from wherever it is by the style's amounts: pitch_shift semitones on the median F0; pitch_range × the F0
excursion around the utterance's median (in semitones); a contour over the last CONTOUR_TAIL of the voiced span
(rising / falling: a ramp to ±CONTOUR_ST × range, the eSpeak backend's value; abrupt: stressed stretches louder);
rate × tempo with the pitch kept; loudness_db on the speech level; and voice quality: tremor (TREMOR_HZ F0 and
amplitude modulation), creak (per-period F0 jitter and shimmer), breath noise and spectral tilt (QUALITY); and
people's spectral envelope of the emotion (spectral_envelope.py, when its table is installed).
One call shapes one sentence (its contour ends where the input ends); voice backends call it per sentence.

Method: TD-PSOLA with our own pitch marks (pitch_marks.py, psola.py) plus waveform shaping (voice_quality.py), in
numpy alone, written for this project and under its licence (Apache-2.0). Why not the WORLD vocoder (pyworld, BSD,
also permissive): here it must be built from source with setuptools<81 beside it (FACTS §7), it would add a compiled
dependency to a path that otherwise needs numpy only (the eSpeak voice uses this transform too), and vocoder
analysis-resynthesis changes the engine's timbre even at a neutral style, where PSOLA returns the input untouched.
PSOLA's limits, accepted: shifts beyond about ±8 semitones sound thin, and unvoiced stretches are re-timed, not
pitched.
"""

from __future__ import annotations

import numpy as np

from conditioning.prosody_style import ProsodyStyle, contour_gain
from generators.voice import spectral_envelope
from generators.voice.pitch_marks import f0_at, f0_track, pitch_marks
from generators.voice.psola import psola
from generators.voice.voice_quality import breath, soft_limit, speech_level_db, stress, tilt

CONTOUR_ST, CONTOUR_TAIL = 3.0, 0.35
TREMOR_HZ, TREMOR_ST, TREMOR_DB = 5.5, 1.0, 1.5  # at tremor 1: ±1 st and ±1.5 dB at 5.5 Hz (physiological 4–7 Hz)
JITTER_ST, SHIMMER_DB = 0.6, 1.5  # creak: per-period F0 and amplitude scatter (standard deviations)
BREATH_NEUTRAL = 0.4  # prosody_style's breathiness for a neutral spec is ≈ 0.37: only the excess adds breath
NEUTRAL = ProsodyStyle(0.0, 1.0, 1.0, 0.0, 1.0, BREATH_NEUTRAL, 0.0, "modal", "level")
"""The engine's own delivery: the style that leaves speech untouched."""
MAX_SHIFT_ST = 12.0
QUALITY = {
    # quality: (tilt dB above 1 kHz, breath floor, tremor floor, creak)
    "modal": (0.0, 0.0, 0.0, False),
    "tense": (4.0, 0.0, 0.0, False),
    "bright": (2.0, 0.0, 0.0, False),
    "resonant": (-3.0, 0.0, 0.0, False),
    "trembling": (0.0, 0.0, 0.5, False),
    "creaky": (-1.0, 0.0, 0.0, True),
    "breathy": (0.0, 0.5, 0.0, False),
    "whisper": (0.0, 1.0, 0.0, False),
}


def effects(style: ProsodyStyle) -> dict:
    """The numbers the transform applies for a style (also written to provenance)."""
    tilt_db, breath_floor, tremor_floor, creak = QUALITY[style.voice_quality]
    swing = contour_gain(style)
    return {
        "pitch_shift_st": style.pitch_shift,
        "pitch_range": style.pitch_range,
        "rate": style.rate,
        "loudness_db": style.loudness_db,
        "contour": style.contour,
        "contour_st": CONTOUR_ST * swing * {"rising": 1, "falling": -1}.get(style.contour, 0),
        "stress": swing / 1.5 if style.contour == "abrupt" else 0.0,
        "tremor": round(max(style.tremor, tremor_floor), 3),
        "creak": creak,
        "breath": round(max(breath_floor, (style.breathiness - BREATH_NEUTRAL) / (1 - BREATH_NEUTRAL), 0.0), 3),
        "whisper": style.voice_quality == "whisper",
        "tilt_db": tilt_db,
        "envelope": dict(style.envelope) if spectral_envelope.installed() is not None else {},
    }


def is_identity(fx: dict) -> bool:
    shaped = ("pitch_shift_st", "loudness_db", "contour_st", "stress", "tremor", "breath", "tilt_db")
    unshaped = fx["pitch_range"] == 1 and fx["rate"] == 1 and not fx["creak"] and not fx["envelope"]
    return unshaped and not any(fx[key] for key in shaped)


def mark_semitones(fx: dict, marks, periods, voiced, f0_at_marks, sr: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(semitone shift, grain gain) per mark: shift + range around the median + contour + tremor + jitter."""
    semis = np.zeros(len(marks))
    gains_db = np.zeros(len(marks))
    if not voiced.any():
        return semis, np.ones(len(marks))
    rel = 12 * np.log2(f0_at_marks[voiced] / np.median(f0_at_marks[voiced]))
    semis[voiced] = fx["pitch_shift_st"] + (fx["pitch_range"] - 1.0) * rel
    t = marks / sr
    first, last = t[voiced][0], t[voiced][-1]
    if fx["contour_st"] and last > first:
        ramp_start = last - CONTOUR_TAIL * (last - first)
        semis += fx["contour_st"] * np.clip((t - ramp_start) / (last - ramp_start), 0.0, 1.0)
    if fx["tremor"]:
        wobble = np.sin(2 * np.pi * TREMOR_HZ * t + rng.uniform(0, 2 * np.pi))
        semis += TREMOR_ST * fx["tremor"] * wobble
        gains_db += TREMOR_DB * fx["tremor"] * wobble
    if fx["creak"]:
        semis += rng.normal(0.0, JITTER_ST, len(marks))
        gains_db += rng.normal(0.0, SHIMMER_DB, len(marks))
    semis = np.where(voiced, np.clip(semis, -MAX_SHIFT_ST, MAX_SHIFT_ST), 0.0)
    return semis, 10 ** (np.where(voiced, gains_db, 0.0) / 20)


def transform(x: np.ndarray, sr: int, style: ProsodyStyle, seed: int = 0) -> np.ndarray:
    """One sentence of speech (mono float in [−1, 1]) moved by `style`; float32, length len(x) / style.rate."""
    x = np.asarray(x, dtype=np.float64)
    fx = effects(style)
    if len(x) == 0 or is_identity(fx):
        return x.astype(np.float32)
    rng = np.random.default_rng(seed)
    level = speech_level_db(x, sr)
    f0 = f0_track(x, sr)
    marks, periods, voiced = pitch_marks(x, sr, f0)
    f0_at_marks = f0_at(f0, marks, sr)
    voiced &= f0_at_marks > 0
    semis, gains = mark_semitones(fx, marks, periods, voiced, f0_at_marks, sr, rng)
    y = psola(x, marks, periods, voiced, semis, fx["rate"], gains)
    y = tilt(y, sr, fx["tilt_db"])
    y = spectral_envelope.apply(y, sr, tuple(fx["envelope"].items()))
    y = breath(y, sr, fx["breath"], rng, whisper=fx["whisper"])
    y = stress(y, sr, fx["stress"])
    now = speech_level_db(y, sr)
    if level is not None and now is not None:
        y *= 10 ** ((level - now + fx["loudness_db"]) / 20)
    return soft_limit(y).astype(np.float32)
