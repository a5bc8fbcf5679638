"""What `studio emotion` shows for one input: the resolved spec, its nearest labels and every derived style."""

from __future__ import annotations

from conditioning import resolve
from conditioning.motion_style import motion_style
from conditioning.prompt_fragments import prompt_fragments
from conditioning.prosody_style import prosody_style
from conditioning.taxonomies import CANONICAL_TAXONOMY, get_taxonomy
from conditioning.visual_style import visual_style


def describe_emotion(value, taxonomy: str | None = None, scale: str | None = None, top: int = 3) -> dict:
    """Resolve `value` and return a JSON-ready description (input, vad, intensity, label, taxonomy, nearest, …)."""
    name = get_taxonomy(taxonomy or CANONICAL_TAXONOMY).name
    spec = resolve(value, taxonomy=name, scale=scale)
    return {
        "input": value if isinstance(value, str) else repr(value),
        "vad": list(spec.vad),
        "intensity": spec.intensity,
        "quadrant": spec.quadrant,
        "label": spec.label,
        "taxonomy": spec.taxonomy,
        "nearest": [{"label": label, "p": round(p, 4)} for label, p in spec.nearest(name, top=top)],
        "categories": dict(spec.categories),
        "spec": spec.to_dict(),
        "styles": {
            "visual": visual_style(spec).to_dict(),
            "motion": motion_style(spec).to_dict(),
            "prosody": prosody_style(spec).to_dict(),
        },
        "prompt": prompt_fragments(spec).to_dict(),
    }


def format_description(info: dict) -> str:
    """A short human-readable block for the terminal."""
    v, a, d = info["vad"]
    nearest = ", ".join(f"{n['label']} {n['p']:.0%}" for n in info["nearest"])
    visual, motion, prosody = (info["styles"][k] for k in ("visual", "motion", "prosody"))
    return "\n".join(
        [
            f"{info['input']}",
            f"  VAD        valence {v:+.2f}  arousal {a:+.2f}  dominance {d:+.2f}   intensity {info['intensity']:.2f}"
            f"   ({info['quadrant']})",
            f"  {info['taxonomy']:<10} {nearest}",
            f"  visual     hue {visual['hue']:.0f}°  brightness {visual['brightness']:.2f}  saturation "
            f"{visual['saturation']:.2f}  angularity {visual['angularity']:.2f}  stroke energy {visual['stroke_energy']:.2f}",
            f"  motion     speed {motion['speed']:.2f}  smoothness {motion['smoothness']:.2f}  tempo "
            f"{motion['tempo_bpm']:.0f} bpm  drift {motion['drift']:+.2f}",
            f"  prosody    pitch {prosody['pitch_shift']:+.1f} st  range ×{prosody['pitch_range']:.2f}  rate "
            f"×{prosody['rate']:.2f}  loudness {prosody['loudness_db']:+.1f} dB  {prosody['voice_quality']}, "
            f"{prosody['contour']}",
            f"  prompt     {', '.join(info['prompt']['image'])}",
            f"  negative   {', '.join(info['prompt']['negative'])}",
            f"  voice      {info['prompt']['speech']}",
        ]
    )
