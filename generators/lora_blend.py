"""LoRAs on a diffusers pipeline: emotion LoRAs blended by the spec, style LoRAs at a fixed weight, side by side.
Shared by the diffusion image and Wan video backends (diffusers' `set_adapters` works the same on both).

`--lora NAME=PATH[@WEIGHT]`, repeatable (a manifest or the API may give a {name: "PATH[@WEIGHT]"} mapping instead):
- NAME an emotion label (awe, fear, … in any taxonomy): an *emotion* LoRA. Its weight is the spec's probability for
  that label (in whichever taxonomy holds the label, canonical first) divided by the larger of (a) the mass the loaded
  emotion labels cover together and (b) the spec's top probability in that taxonomy — so a spec that *is* awe drives
  the awe LoRA at full share, a 50/50 blend splits it, and LoRAs unrelated to the spec stay near zero instead of being
  renormalised up. The share is scaled by intensity through the spec's felt gain (0.4 + 0.6 · intensity, the gain
  every modality uses in `EmotionSpec.felt_vad`), so "overwhelming awe" runs a LoRA at 1.0 and a barely felt one at
  0.4. `@WEIGHT` multiplies that blended weight (a strength knob that keeps following the emotion).
- any other NAME (letters, digits, `_`, `-`): a *style* LoRA (watercolor, a character, a detail slider) applied at
  WEIGHT whatever the emotion; without `@WEIGHT` at 1.0, the strength plain diffusers and ComfyUI load a LoRA at.
WEIGHT is a number from -2 to 2 (0 leaves the picture as without the LoRA; negative inverts slider-style LoRAs).

PATH is a weight file or a folder written by diffusers' `save_lora_weights` (its `pytorch_lora_weights.safetensors`,
or the folder's only .safetensors file, as diffusers' `load_lora_weights(folder)` picks). The file may use diffusers'
key layout or a single-file community layout (kohya / ComfyUI `lora_unet_…` keys with `.alpha`): the pipeline's own
`lora_state_dict` recognises and converts it (diffusers' `_convert_non_diffusers_lora_to_diffusers` for SD and SDXL,
its Wan converters for `diffusion_model.` / musubi keys), so the studio writes no key converter;
tests/test_lora_styles.py checks a kohya file on the tiny SD against its diffusers twin, pixel for pixel.
Weights are safetensors by content (`generators.weight_files`); a pickle loads only with allow_pickle.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from conditioning.errors import StudioError, brief
from conditioning.spec import EmotionSpec
from conditioning.taxonomies import CANONICAL_TAXONOMY, TAXONOMIES
from generators.weight_files import check_weight_file, is_safetensors

log = logging.getLogger(__name__)

WEIGHT_RANGE = (-2.0, 2.0)
STYLE_DEFAULT_WEIGHT = 1.0
DIFFUSERS_WEIGHT_NAME = "pytorch_lora_weights.safetensors"  # diffusers' LORA_WEIGHT_NAME_SAFE
DIFFUSERS_PICKLE_NAME = "pytorch_lora_weights.bin"  # diffusers' LORA_WEIGHT_NAME
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # a peft adapter name: no dots (module-dict keys)
EXAMPLE = "watercolor=loras/watercolor.safetensors@0.7"


@dataclass(frozen=True)
class LoraChoice:
    """One `--lora`: its adapter name, the weight file it loads, whether the emotion blend or a fixed weight drives
    it, and the `@WEIGHT` given (None: none given)."""

    name: str
    path: Path
    kind: str  # "emotion" or "style"
    given_weight: float | None = None

    def to_record(self, applied: float | None = None) -> dict:
        """What provenance keeps: the file, the kind, the weight given and (when known) the weight applied."""
        record = {"path": str(self.path), "kind": self.kind, "given_weight": self.given_weight}
        if applied is not None:
            record["weight"] = round(applied, 4)
        return record


def parse_loras(value, allow_pickle: bool = False) -> dict[str, LoraChoice]:
    """{name: LoraChoice} from `NAME=PATH[@WEIGHT]` strings (CLI, repeatable), one such string, or a
    {name: "PATH[@WEIGHT]"} mapping (manifests, API); every file must exist and be safetensors unless pickle is
    allowed."""
    loras: dict[str, LoraChoice] = {}
    for name, path_text, weight in lora_entries(value):
        kind = "emotion" if is_emotion_label(name) else "style"
        loras[name] = LoraChoice(name, weight_file(name, Path(path_text).expanduser(), allow_pickle), kind, weight)
    return loras


def lora_entries(value) -> list[tuple[str, str, float | None]]:
    """(name, path as written, weight or None) per LoRA: the syntax alone, checked without opening any file, so a
    manifest row or an option check can refuse `@abc` before anything runs."""
    if not value:
        return []
    if isinstance(value, Mapping):
        items = [(str(k), str(v), f"{k}={v}") for k, v in value.items()]
    elif isinstance(value, (str, list, tuple)):
        items = []
        for entry in [value] if isinstance(value, str) else value:
            name, sep, path = str(entry).partition("=")
            if not sep or not name.strip() or not path.strip():
                raise StudioError(f"LoRA {brief(str(entry))} must be NAME=PATH[@WEIGHT], e.g. {EXAMPLE}.")
            items.append((name, path, str(entry)))
    else:
        raise StudioError(
            f"--lora {brief(value)} must be NAME=PATH[@WEIGHT] strings or a {{name: 'PATH[@WEIGHT]'}} mapping, "
            f"e.g. {EXAMPLE}."
        )
    entries, names = [], set()
    for raw_name, raw_path, entry in items:
        name = check_name(raw_name.strip().lower(), entry)
        if name in names:
            raise StudioError(f"LoRA {name!r} is given twice; give each LoRA one name.")
        names.add(name)
        entries.append((name, *split_weight(raw_path.strip(), entry)))
    return entries


def check_name(name: str, entry: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise StudioError(
            f"LoRA name {brief(name)} in {brief(entry)} must be letters, digits, '_' or '-' (an emotion label such as "
            f"awe, or a style name such as watercolor), e.g. {EXAMPLE}."
        )
    return name


def split_weight(text: str, entry: str) -> tuple[str, float | None]:
    """PATH and WEIGHT from `PATH@WEIGHT`; a path that exists as written keeps any '@' in it."""
    path, sep, weight_text = text.rpartition("@")
    if not sep or "/" in weight_text or "\\" in weight_text or Path(text).expanduser().exists():
        return text, None
    fix = f"write NAME=PATH@WEIGHT with WEIGHT from {WEIGHT_RANGE[0]:g} to {WEIGHT_RANGE[1]:g}, e.g. {EXAMPLE}"
    try:
        weight = float(weight_text)
    except ValueError:
        raise StudioError(f"LoRA {brief(entry)}: weight {weight_text!r} after '@' is not a number; {fix}.") from None
    if not math.isfinite(weight) or not WEIGHT_RANGE[0] <= weight <= WEIGHT_RANGE[1]:
        raise StudioError(f"LoRA {brief(entry)}: weight {weight_text!r} is out of range; {fix}.")
    if not path.strip():
        raise StudioError(f"LoRA {brief(entry)} names no file before '@'; {fix}.")
    return path.strip(), weight


def weight_file(name: str, path: Path, allow_pickle: bool) -> Path:
    """The LoRA's weight file, resolved: `path` itself, or the one a diffusers LoRA folder holds."""
    if path.is_dir():
        path = file_in_folder(name, path)
    if not path.is_file():
        raise StudioError(
            f"LoRA {name!r}: file {path} does not exist; give the path to a .safetensors file or a LoRA folder."
        )
    return check_weight_file(path, f"LoRA {name!r}", allow_pickle).resolve()


def file_in_folder(name: str, folder: Path) -> Path:
    """What diffusers' `load_lora_weights(folder)` reads: `pytorch_lora_weights.safetensors`, else the folder's only
    .safetensors file, else (no safetensors at all) its pickle, which `check_weight_file` refuses without opt-in."""
    if (folder / DIFFUSERS_WEIGHT_NAME).is_file():
        return folder / DIFFUSERS_WEIGHT_NAME
    candidates = sorted(p for p in folder.glob("*.safetensors") if p.is_file())
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        pickles = [folder / DIFFUSERS_PICKLE_NAME] if (folder / DIFFUSERS_PICKLE_NAME).is_file() else []
        pickles = pickles or sorted(p for p in folder.glob("*.bin") if p.is_file())
        if len(pickles) == 1:
            return pickles[0]
    found = ", ".join(p.name for p in candidates[:4]) or "no weight file"
    raise StudioError(
        f"LoRA {name!r}: folder {folder} holds no {DIFFUSERS_WEIGHT_NAME} ({found}); give the weight file itself, "
        f"e.g. {name}={folder / 'lora.safetensors'}."
    )


def is_emotion_label(name: str) -> bool:
    return any(name in TAXONOMIES[taxonomy].labels for taxonomy in (CANONICAL_TAXONOMY, *TAXONOMIES))


def label_taxonomy(label: str) -> str:
    """The taxonomy that holds `label`: the canonical one first, then the others in their listed order."""
    for name in (CANONICAL_TAXONOMY, *TAXONOMIES):
        if label in TAXONOMIES[name].labels:
            return name
    known = ", ".join(TAXONOMIES[CANONICAL_TAXONOMY].labels)
    raise StudioError(f"LoRA name {label!r} is not an emotion label; name it after its emotion (e.g. {known}).")


def blend_weights(spec: EmotionSpec, labels) -> dict[str, float]:
    """Emotion-blend weight per emotion label (see the module docstring); all sum to at most the felt gain."""
    probability, top = {}, 0.0
    for label in labels:
        distribution = dict(spec.distribution(label_taxonomy(label)))
        probability[label] = distribution.get(label, 0.0)
        top = max(top, max(distribution.values()))
    scale = max(sum(probability.values()), top) or 1.0
    gain = 0.4 + 0.6 * spec.intensity
    return {label: gain * p / scale for label, p in probability.items()}


def lora_weights(spec: EmotionSpec, loras: dict[str, LoraChoice]) -> dict[str, float]:
    """The weight each LoRA is applied at for `spec`: emotion LoRAs their blend weight times any `@WEIGHT`, style
    LoRAs their `@WEIGHT` (1.0 when none was given)."""
    blend = blend_weights(spec, [name for name, lora in loras.items() if lora.kind == "emotion"])
    weights = {}
    for name, lora in loras.items():
        if lora.kind == "emotion":
            weights[name] = blend[name] * (1.0 if lora.given_weight is None else lora.given_weight)
        else:
            weights[name] = STYLE_DEFAULT_WEIGHT if lora.given_weight is None else lora.given_weight
    return weights


def load_lora(pipe, path: Path, name: str) -> None:
    """One adapter into the pipeline through its own `load_lora_weights`, which converts community key layouts.
    A `.safetensors` name loads by path, so diffusers also reads the adapter metadata (rank, alpha) in its header,
    as plain `load_lora_weights(folder)` does; safetensors content under another name loads as a state dict (diffusers
    would unpickle a file not named .safetensors); a pickle loads by path only when the user allowed it."""
    if is_safetensors(path) and path.suffix.lower() == ".safetensors":
        pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name, use_safetensors=True)
    elif is_safetensors(path):
        from safetensors.torch import load_file

        pipe.load_lora_weights(load_file(str(path)), adapter_name=name)
    else:  # pickle, allowed at the keyboard
        pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name)


def apply_loras(loaded, loras: dict[str, LoraChoice], weights: dict[str, float]) -> None:
    """Make the cached pipeline hold exactly `loras` at `weights`: unload when the set changed (so a request
    without LoRAs gets the untouched base model), load what is missing, then `set_adapters`."""
    pipe = loaded.pipe
    wanted = {name: (lora.path, lora.path.stat().st_mtime_ns) for name, lora in loras.items()}
    if any(wanted.get(name) != stamp for name, stamp in loaded.loras.items()):
        pipe.unload_lora_weights()
        loaded.loras.clear()
    for name, stamp in wanted.items():
        if name in loaded.loras:
            continue
        path = stamp[0]
        try:
            load_lora(pipe, path, name)
        except (ValueError, RuntimeError, KeyError, OSError) as exc:
            pipe.unload_lora_weights()
            loaded.loras.clear()
            reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
            raise StudioError(f"LoRA {name!r} ({path.name}) does not fit this model: {reason}.") from None
        loaded.loras[name] = stamp
    if loras:
        names = list(loras)
        pipe.set_adapters(names, adapter_weights=[weights[name] for name in names])
        log.info("LoRA weights %s", {name: round(weights[name], 3) for name in names})
