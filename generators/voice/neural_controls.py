"""The emotion controls a neural TTS model has of its own, chosen from the spec and its `ProsodyStyle`, by the
model's `config.model_type`; whatever a model cannot do natively is left to the prosody transform.

- VITS (MMS-TTS): `speaking_rate` takes the style's rate (its duration predictor re-times the phones, cleaner than
  resynthesis), so the transform then keeps the tempo; `noise_scale` (the prior's sampling temperature: the spread
  of pitch and energy VITS draws) rises with arousal and tremor, up to NOISE_GAIN × its configured value.
- Bark and Dia: a non-verbal cue in the text, the model's own vocabulary (Bark: [laughs] [sighs] [gasps]
  [clears throat]; Dia: (laughs) (sighs) (gasps) (inhales) (groans)), when one Ekman emotion leads the spec
  (p ≥ CUE_MIN_P) at intensity ≥ CUE_MIN_INTENSITY — laughter only for aroused happiness, not for contentment — and
  only where the cue changes from the previous sentence's (nobody laughs at every full stop).
- SpeechT5: a speaker x-vector is required; with none given it gets a zero vector (the centre of the speaker space:
  an average, somewhat flat voice). A real x-vector (512 floats, e.g. from speechbrain/spkrec-xvect-voxceleb) can be
  passed as the `speaker_embedding` option.
- CSM, Pocket TTS, FastSpeech2-Conformer and the rest: no emotion control in transformers' API; the transform does it
  all. None of them takes a free-text style prompt, so the EmoVoice-style description (prompt_fragments) is recorded
  in the provenance, ready for a model that does.
"""

from __future__ import annotations

import dataclasses

from conditioning.prosody_style import ProsodyStyle
from conditioning.spec import EmotionSpec

NOISE_GAIN = 0.5
CUE_MIN_P, CUE_MIN_INTENSITY = 0.35, 0.5
CUES = {
    # model type: Ekman emotion → (where, cue)
    "bark": {
        "happiness": ("after", "[laughs]"),
        "sadness": ("before", "[sighs]"),
        "surprise": ("before", "[gasps]"),
        "fear": ("before", "[gasps]"),
        "disgust": ("before", "[clears throat]"),
    },
    "dia": {
        "happiness": ("after", "(laughs)"),
        "sadness": ("before", "(sighs)"),
        "surprise": ("before", "(gasps)"),
        "fear": ("before", "(inhales)"),
        "disgust": ("before", "(groans)"),
    },
}


def leading_emotion(spec: EmotionSpec) -> str | None:
    """The Ekman emotion that leads the spec clearly enough to be voiced as a non-verbal cue, if any."""
    dist = {label: p for label, p in spec.distribution("ekman7") if label != "neutral"}
    if not dist or spec.intensity < CUE_MIN_INTENSITY:
        return None
    top = max(dist, key=dist.get)
    if dist[top] < CUE_MIN_P or (top == "happiness" and spec.vad[1] < 0.2):
        return None
    return top


def cue_text(model_type: str, text: str, spec: EmotionSpec, previous_cue: str | None) -> tuple[str, str | None]:
    """(text with the model's non-verbal cue added, the cue) for Bark and Dia; the text unchanged otherwise."""
    emotion = leading_emotion(spec)
    where, cue = CUES.get(model_type, {}).get(emotion, (None, None))
    if cue is None or cue == previous_cue:
        return text, cue
    return (f"{cue} {text}" if where == "before" else f"{text} {cue}"), cue


def native_controls(model, spec: EmotionSpec, style: ProsodyStyle, speaker_embedding=None) -> dict:
    """{"forward_params": …, "attributes": {model attribute: value}, "rate_native": bool} for this model."""
    model_type = model.config.model_type
    if model_type == "vits":
        base = float(getattr(model.config, "noise_scale", 0.667))
        arousal = max(0.0, spec.vad[1])
        return {
            "forward_params": {"speaking_rate": float(style.rate)},
            "attributes": {"noise_scale": round(base * (1 + NOISE_GAIN * min(1.0, arousal + style.tremor)), 4)},
            "rate_native": True,
        }
    if model_type == "speecht5":
        import torch

        size = getattr(model.config, "speaker_embedding_dim", 512)
        vector = (
            torch.zeros(1, size) if speaker_embedding is None else torch.as_tensor(speaker_embedding).reshape(1, -1)
        )
        return {
            "forward_params": {"speaker_embeddings": vector.to(model.device)},
            "attributes": {},
            "rate_native": False,
        }
    return {"forward_params": {}, "attributes": {}, "rate_native": False}


def describe_controls(controls: dict) -> dict:
    """The controls as JSON for provenance (a speaker vector is summarised, not written out)."""
    described = {}
    for name, value in {**controls["forward_params"], **controls["attributes"]}.items():
        described[name] = value if isinstance(value, (int, float)) else f"{type(value).__name__} {list(value.shape)}"
    return described


def residual_style(style: ProsodyStyle, controls: dict) -> ProsodyStyle:
    """What the transform still has to do once the model's own controls have done their part."""
    return dataclasses.replace(style, rate=1.0) if controls["rate_native"] else style
