"""The studio's face: Python API, CLI and the wiring between conditioning, generators and eval."""

from conditioning import EmotionArc, EmotionSpec, StudioError, resolve, resolve_arc
from studio.api import edit_voice, generate, generate_image, generate_video, generate_voice
from studio.describe import describe_emotion

__all__ = [
    "EmotionArc",
    "EmotionSpec",
    "StudioError",
    "describe_emotion",
    "generate",
    "generate_image",
    "generate_video",
    "generate_voice",
    "edit_voice",
    "resolve",
    "resolve_arc",
]
