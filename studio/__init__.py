"""The studio's face: Python API, CLI and the wiring between conditioning, generators and eval."""

from conditioning import EmotionArc, EmotionSpec, StudioError, resolve, resolve_arc
from studio.api import (
    EvaluationReport,
    edit_voice,
    evaluate,
    generate,
    generate_all,
    generate_image,
    generate_video,
    generate_voice,
)
from studio.describe import describe_emotion

__all__ = [
    "EmotionArc",
    "EmotionSpec",
    "EvaluationReport",
    "StudioError",
    "describe_emotion",
    "evaluate",
    "generate",
    "generate_all",
    "generate_image",
    "generate_video",
    "generate_voice",
    "edit_voice",
    "resolve",
    "resolve_arc",
]
