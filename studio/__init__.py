"""The studio's face: Python API, CLI and the wiring between conditioning, generators and eval."""

from conditioning import EmotionArc, EmotionSpec, StudioError, resolve, resolve_arc
from studio.describe import describe_emotion

__all__ = ["EmotionArc", "EmotionSpec", "StudioError", "describe_emotion", "resolve", "resolve_arc"]
