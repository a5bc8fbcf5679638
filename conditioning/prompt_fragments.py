"""Words to add to a diffusion, video or TTS prompt for a spec, in EmoArt's attribute vocabulary (brushwork, colour,
composition, line, light and shadow), EmoVid's (brightness, colourfulness, hue, motion) and EmoVoice's free-text
speaking-style descriptions — plus a negative prompt that steers away from the opposite feeling.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from conditioning.lexicon import get_lexicon
from conditioning.motion_style import MotionStyle, motion_style
from conditioning.prosody_style import ProsodyStyle, prosody_style
from conditioning.spec import EmotionSpec
from conditioning.visual_style import VisualStyle, visual_style

HUE_NAMES = (
    (15, "red"),
    (40, "orange"),
    (65, "golden yellow"),
    (90, "yellow-green"),
    (150, "green"),
    (190, "teal"),
    (230, "blue"),
    (265, "indigo"),
    (300, "violet"),
    (340, "magenta"),
    (361, "red"),
)
NEGATIVE_BASE = ("text", "watermark", "signature", "blurry", "low quality")


@dataclass(frozen=True)
class PromptFragments:
    """image: attribute phrases for a still; video: the same plus motion; speech: a speaking-style description;
    negative: what to avoid; emotion_words: the named feeling."""

    emotion_words: tuple[str, ...]
    image: tuple[str, ...]
    video: tuple[str, ...]
    speech: str
    negative: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


def hue_name(hue: float) -> str:
    return next(name for limit, name in HUE_NAMES if hue % 360 < limit)


def _grade(x: float, low: str, mid: str, high: str) -> str:
    return low if x < 0.38 else high if x > 0.62 else mid


def emotion_words(spec: EmotionSpec) -> tuple[str, ...]:
    """The user's label or single emotion word if any, else the leading canonical categories (those above 20 %)."""
    if spec.label:
        return (spec.label,)
    entry = get_lexicon().lookup(spec.source) if " " not in spec.source.strip() else None
    if entry is not None:
        return (entry.word,)
    words = [label for label, p in spec.categories if p >= 0.2][:2]
    return tuple(words or [spec.categories[0][0]])


def image_phrases(style: VisualStyle) -> tuple[str, ...]:
    colour = f"{_grade(style.saturation, 'muted', 'harmonious', 'vivid saturated')} {hue_name(style.hue)} palette"
    if style.hue_spread > 0.55:
        colour += " with rich contrasting accents"
    light = _grade(style.brightness, "dark shadowy low-key lighting", "soft natural light", "bright luminous light")
    light += _grade(style.contrast, ", gentle tonal contrast", "", ", dramatic chiaroscuro")
    composition = _grade(
        style.balance, "off-balance tilted composition", "open composition", "balanced harmonious composition"
    )
    composition += _grade(style.density, ", sparse empty space", "", ", crowded busy forms")
    line = _grade(style.angularity, "flowing curved lines", "organic lines", "jagged angular lines")
    brush = _grade(
        style.stroke_energy, "smooth calm brushwork", "expressive brushwork", "agitated energetic brushstrokes"
    )
    brush += _grade(style.texture, "", "", ", rough impasto texture")
    return (colour, light.rstrip(", "), composition.rstrip(", "), line, brush)


def motion_phrases(style: MotionStyle) -> tuple[str, ...]:
    speed = _grade(style.speed, "slow drifting motion", "steady motion", "fast dynamic motion")
    smooth = _grade(style.smoothness, "jerky abrupt movement", "", "smooth flowing movement")
    extra = "trembling camera" if style.shake > 0.4 else ""
    direction = "sinking downward" if style.drift < -0.3 else "rising upward" if style.drift > 0.3 else ""
    return tuple(p for p in (speed, smooth, extra, direction) if p)


ADJECTIVES = {
    "amusement": "amused",
    "anger": "angry",
    "awe": "awed",
    "contentment": "content",
    "disgust": "disgusted",
    "excitement": "excited",
    "fear": "fearful",
    "sadness": "sad",
    "happiness": "happy",
    "joy": "joyful",
    "surprise": "surprised",
    "trust": "trusting",
    "anticipation": "expectant",
    "love": "loving",
}


def speech_description(spec: EmotionSpec, prosody: ProsodyStyle) -> str:
    """An EmoVoice-style description: "A fearful voice, fast, high and trembling"."""
    word = emotion_words(spec)[0]
    feeling = ADJECTIVES.get(word, word)
    degree = "slightly " if spec.intensity < 0.4 else "intensely " if spec.intensity > 0.8 else ""
    article = "an" if (degree or feeling)[0] in "aeiou" else "a"
    rate = "fast" if prosody.rate > 1.08 else "slow" if prosody.rate < 0.92 else "at an even pace"
    pitch = "high-pitched" if prosody.pitch_shift > 1.5 else "low-pitched" if prosody.pitch_shift < -1.5 else ""
    loud = "loud" if prosody.loudness_db > 2 else "quiet" if prosody.loudness_db < -2 else ""
    parts = ", ".join(
        p for p in (rate, pitch, loud, prosody.voice_quality if prosody.voice_quality != "modal" else "") if p
    )
    contour = f"{'an' if prosody.contour[0] in 'aeiou' else 'a'} {prosody.contour} intonation"
    return f"Speaking in {article} {degree}{feeling} voice, {parts}, with {contour}."


def negative_phrases(spec: EmotionSpec, style: VisualStyle) -> tuple[str, ...]:
    """Steer away from the opposite corner of the valence–arousal plane."""
    v, a, _ = spec.felt_vad
    opposite = []
    if v < -0.15:
        opposite += ["cheerful", "bright pastel colours"]
    elif v > 0.15:
        opposite += ["gloomy", "grim", "menacing"]
    if a > 0.15:
        opposite += ["static", "sleepy stillness"]
    elif a < -0.15:
        opposite += ["chaotic", "harsh clashing colours"]
    return tuple(opposite) + NEGATIVE_BASE


def prompt_fragments(spec: EmotionSpec) -> PromptFragments:
    """All prompt words for a spec, derived through the modality styles."""
    visual = visual_style(spec)
    words = emotion_words(spec)
    feeling = f"evoking {' and '.join(words)}"
    image = (feeling,) + image_phrases(visual)
    return PromptFragments(
        emotion_words=words,
        image=image,
        video=image + motion_phrases(motion_style(spec)),
        speech=speech_description(spec, prosody_style(spec)),
        negative=negative_phrases(spec, visual),
    )
