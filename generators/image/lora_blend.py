"""Emotion LoRAs: `--lora awe=loras/awe.safetensors`, one adapter per emotion label, blended by the spec.

Each adapter is named after its emotion. Its weight is the spec's probability for that label (in whichever taxonomy
holds the label, canonical first) divided by the larger of (a) the mass the loaded labels cover together and (b) the
spec's top probability in that taxonomy — so a spec that *is* awe drives the awe LoRA at full share, a 50/50 blend
splits it, and LoRAs unrelated to the spec stay near zero instead of being renormalised up. The share is then scaled
by intensity through the spec's felt gain (0.4 + 0.6 · intensity, the same gain every modality uses in
`EmotionSpec.felt_vad`), so "overwhelming awe" runs a LoRA at 1.0 and a barely felt one at 0.4.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec
from conditioning.taxonomies import CANONICAL_TAXONOMY, TAXONOMIES
from generators.weight_files import check_weight_file, is_safetensors

log = logging.getLogger(__name__)


def parse_loras(value, allow_pickle: bool = False) -> dict[str, Path]:
    """{label: file} from `name=path` strings (CLI, repeatable), one such string, or a {name: path} mapping
    (batch manifests); every file must exist and be safetensors unless pickle is allowed."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        items = [(str(k), str(v)) for k, v in value.items()]
    else:
        items = []
        for entry in [value] if isinstance(value, str) else list(value):
            name, sep, path = str(entry).partition("=")
            if not sep or not name.strip() or not path.strip():
                raise StudioError(f"LoRA {entry!r} must be NAME=PATH, e.g. awe=loras/awe.safetensors.")
            items.append((name, path))
    loras: dict[str, Path] = {}
    for name, path in items:
        label = name.strip().lower()
        label_taxonomy(label)
        if label in loras:
            raise StudioError(f"LoRA {label!r} is given twice; give one file per emotion.")
        loras[label] = check_lora_file(label, Path(path.strip()).expanduser(), allow_pickle)
    return loras


def check_lora_file(label: str, path: Path, allow_pickle: bool) -> Path:
    if not path.is_file():
        raise StudioError(f"LoRA {label!r}: file {path} does not exist; give the path to a .safetensors file.")
    return check_weight_file(path, f"LoRA {label!r}", allow_pickle).resolve()


def label_taxonomy(label: str) -> str:
    """The taxonomy that holds `label`: the canonical one first, then the others in their listed order."""
    for name in (CANONICAL_TAXONOMY, *TAXONOMIES):
        if label in TAXONOMIES[name].labels:
            return name
    known = ", ".join(TAXONOMIES[CANONICAL_TAXONOMY].labels)
    raise StudioError(f"LoRA name {label!r} is not an emotion label; name it after its emotion (e.g. {known}).")


def blend_weights(spec: EmotionSpec, labels) -> dict[str, float]:
    """Adapter weight per label (see the module docstring); all weights sum to at most the felt gain."""
    probability, top = {}, 0.0
    for label in labels:
        distribution = dict(spec.distribution(label_taxonomy(label)))
        probability[label] = distribution.get(label, 0.0)
        top = max(top, max(distribution.values()))
    scale = max(sum(probability.values()), top) or 1.0
    gain = 0.4 + 0.6 * spec.intensity
    return {label: gain * p / scale for label, p in probability.items()}


def apply_loras(loaded, loras: dict[str, Path], weights: dict[str, float]) -> None:
    """Make the cached pipeline hold exactly `loras` at `weights`: unload when the set changed (so a request
    without LoRAs gets the untouched base model), load what is missing, then `set_adapters`."""
    pipe = loaded.pipe
    wanted = {label: (path, path.stat().st_mtime_ns) for label, path in loras.items()}
    if any(wanted.get(label) != stamp for label, stamp in loaded.loras.items()):
        pipe.unload_lora_weights()
        loaded.loras.clear()
    for label, stamp in wanted.items():
        if label in loaded.loras:
            continue
        path = stamp[0]
        try:
            if is_safetensors(path):  # by content: diffusers would torch.load a safetensors not named so
                from safetensors.torch import load_file

                pipe.load_lora_weights(load_file(str(path)), adapter_name=label)
            else:  # pickle, allowed at the keyboard
                pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=label)
        except (ValueError, RuntimeError, KeyError, OSError) as exc:
            pipe.unload_lora_weights()
            loaded.loras.clear()
            reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
            raise StudioError(f"LoRA {label!r} ({path.name}) does not fit this model: {reason}.") from None
        loaded.loras[label] = stamp
    if loras:
        names = list(loras)
        pipe.set_adapters(names, adapter_weights=[weights[name] for name in names])
        log.info("LoRA weights %s", {name: round(weights[name], 3) for name in names})
