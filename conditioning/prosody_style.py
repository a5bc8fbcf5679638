"""`ProsodyStyle`: how the voice should change from its neutral self, from Murray & Arnott (1993)'s table of vocal
emotion effects (FACTS §3), read as numbers and blended by the spec's Ekman distribution.

Verbal grades become numbers once, here: "slightly" ≈ ±10 %, "much" ≈ ±30 %, "very much" ≈ ±45 % for rate;
pitch in semitones: slightly lower −1.5, much higher +3.5, very much higher +5, very much lower −4. Sadness's
"slightly narrower" range is 0.6, not 0.8: its downward contour widens the heard range again, and at 0.8 it measured
wider than neutral on both voices.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from conditioning.spec import EmotionSpec

# emotion: (pitch shift st, pitch range ×, rate ×, loudness dB, voice quality, contour)
MURRAY_ARNOTT = {
    "anger": (5.0, 1.6, 1.1, 4.0, "tense", "abrupt"),
    "happiness": (3.5, 1.6, 1.05, 3.0, "bright", "rising"),
    "sadness": (-1.5, 0.6, 0.88, -4.0, "resonant", "falling"),
    "fear": (5.0, 1.6, 1.3, 0.0, "trembling", "level"),
    "disgust": (-4.0, 1.2, 0.7, -3.0, "creaky", "falling"),
    "surprise": (3.5, 1.6, 1.3, 3.0, "breathy", "rising"),
    "neutral": (0.0, 1.0, 1.0, 0.0, "modal", "level"),
}
RAVDESS_OF_EKMAN = {
    "anger": "angry",
    "happiness": "happy",
    "sadness": "sad",
    "fear": "fearful",
    "disgust": "disgust",
    "surprise": "surprised",
}
"""Ekman's labels as RAVDESS's actors were asked to speak them (the spectral envelopes of their voices; neutral is
the voice itself). RAVDESS's calm is measured too but left unused: no Ekman label is calm."""
NORMAL_INTENSITY = 0.75
"""Where RAVDESS's 'normal' delivery sits on the spec's intensity scale: about the intensity the studio gives the
plain word for each emotion (sad 0.67, disgusted 0.71, fearful 0.75, angry 0.76, surprised 0.81, happy 0.87), which
is what the actors were asked to read; 'strong' sits at 1 (overwhelming), and below 'normal' it fades to nothing."""
VOICE_QUALITIES = ("modal", "tense", "bright", "resonant", "trembling", "creaky", "breathy", "whisper")
CONTOURS = ("level", "rising", "falling", "abrupt")


@dataclass(frozen=True)
class ProsodyStyle:
    """Relative to the voice's neutral delivery: pitch_shift (semitones), pitch_range (× F0 excursion), rate
    (× words per second), loudness_db, pause_scale (× pauses), breathiness and tremor in [0, 1]; voice_quality
    and contour name the dominant shape."""

    pitch_shift: float
    pitch_range: float
    rate: float
    loudness_db: float
    pause_scale: float
    breathiness: float
    tremor: float
    voice_quality: str
    contour: str
    envelope: tuple[tuple[str, float], ...] = ()
    """Weights of people's spectral envelopes ("angry/normal", "angry/strong", …; envelope_weights) to apply."""

    def __post_init__(self):  # a style read back from a sidecar has lists where tuples were
        object.__setattr__(self, "envelope", tuple((str(k), float(w)) for k, w in self.envelope))

    def to_dict(self) -> dict:
        return asdict(self)


def contour_gain(style: ProsodyStyle) -> float:
    """How far a contour swings, × its full size: with the range for wide voices (capped at 1.5), and falling twice
    as fast below neutral, so sadness's downward contour (Murray & Arnott, FACTS §3) does not widen a range that
    must come out narrower. Shared by every voice backend so they agree."""
    return min(1.5, max(0.25, 1.0 + 2.0 * (style.pitch_range - 1.0)))


def category_scale(emotion: str, arousal: float) -> float:
    """Murray & Arnott describe their emotions at their usual, mostly high, arousal; a low-arousal spec that lands
    near 'happiness' (calm, content) must not inherit joy's raised pitch. Sadness and neutral are kept as they are."""
    if emotion in ("sadness", "neutral"):
        return 1.0
    return max(0.0, min(1.2, 0.6 + 0.8 * arousal))


def envelope_weights(dist: dict[str, float], intensity: float, arousal: float) -> tuple[tuple[str, float], ...]:
    """How much of each RAVDESS delivery's spectral envelope a spec takes: its Ekman distribution (scaled like the
    Murray & Arnott rows, category_scale), each label between its 'normal' and 'strong' delivery by intensity."""
    normal = min(1.0, intensity / NORMAL_INTENSITY)
    strong = min(1.0, max(0.0, (intensity - NORMAL_INTENSITY) / (1.0 - NORMAL_INTENSITY)))
    weights = []
    for emotion, p in dist.items():
        if emotion in RAVDESS_OF_EKMAN and p > 0.005:
            share = p * category_scale(emotion, arousal)
            name = RAVDESS_OF_EKMAN[emotion]
            weights += [(f"{name}/normal", share * (normal - strong)), (f"{name}/strong", share * strong)]
    return tuple((name, round(w, 4)) for name, w in weights if round(w, 4) > 0)


def prosody_style(spec: EmotionSpec) -> ProsodyStyle:
    """Blend Murray & Arnott by the Ekman distribution, add the arousal cues of the GeMAPS literature (F0, loudness
    and rate rise with arousal), and scale the whole distance from neutral by intensity."""
    dist = dict(spec.distribution("ekman7"))
    gain = 0.4 + 0.6 * spec.intensity
    v, a, d = spec.vad
    neutral = MURRAY_ARNOTT["neutral"]
    blended = [0.0, 0.0, 0.0, 0.0]
    for emotion, p in dist.items():
        row, scale = MURRAY_ARNOTT[emotion], category_scale(emotion, a)
        for i in range(4):
            blended[i] += p * scale * (row[i] - neutral[i])
    arousal_cue = (2.0 * a, 0.25 * a, 0.12 * a, 2.5 * a)
    pitch, span, rate, loud = (neutral[i] + gain * (blended[i] + arousal_cue[i]) for i in range(4))
    top = max((e for e in dist if e != "neutral"), key=lambda e: dist[e] * category_scale(e, a))
    if dist.get("neutral", 0.0) >= max(dist.values()):
        quality, contour = "modal", "level"  # a neutral voice is plain, whatever its arousal
    elif dist[top] * category_scale(top, a) > 0.3:
        quality, contour = MURRAY_ARNOTT[top][4:]
    else:
        quality, contour = ("breathy", "falling") if a < -0.3 else ("modal", "level")
    breathiness = max(0.0, min(1.0, 0.2 + 0.3 * max(0.0, -d) + 0.3 * max(0.0, -a)))
    tremor = max(0.0, min(1.0, 0.9 * dist.get("fear", 0.0) * gain + 0.2 * max(0.0, a) * max(0.0, -v)))
    if quality == "trembling" and breathiness > 0.45:
        quality = "whisper"  # "a trembling, barely held-back fear": low-dominance fear drops to a whisper
    return ProsodyStyle(
        pitch_shift=round(pitch, 3),
        pitch_range=round(max(0.3, span), 3),
        rate=round(max(0.5, rate), 3),
        loudness_db=round(loud, 2),
        pause_scale=round(1.0 / max(0.5, rate) ** 1.5, 3),
        breathiness=round(breathiness, 3),
        tremor=round(tremor, 3),
        voice_quality=quality,
        contour=contour,
        envelope=envelope_weights(dist, spec.intensity, a),
    )
