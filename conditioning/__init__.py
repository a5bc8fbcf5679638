"""The emotion model: taxonomies, the anchor lexicon, EmotionSpec / EmotionArc, resolution of labels, VAD points
and free text, and the per-modality styles derived from a spec. Imports nothing else of the studio's."""

from conditioning.arc import EmotionArc
from conditioning.errors import StudioError
from conditioning.resolve import resolve, resolve_arc
from conditioning.spec import EmotionSpec, blend
from conditioning.taxonomies import CANONICAL_TAXONOMY, TAXONOMIES, get_taxonomy

__all__ = [
    "CANONICAL_TAXONOMY",
    "TAXONOMIES",
    "EmotionArc",
    "EmotionSpec",
    "StudioError",
    "blend",
    "get_taxonomy",
    "resolve",
    "resolve_arc",
]
