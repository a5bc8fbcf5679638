"""Loading a transformers text-to-speech pipeline: one code path for every model (VITS/MMS-TTS, Bark, SpeechT5, CSM,
Dia, Pocket TTS …), explicit device and dtype, safetensors only, one clear error when weights are missing, and an
in-process cache keyed by (model, device, dtype) so a long text or a batch loads each model once.

`transformers.pipeline("text-to-speech")` is the one path because it already knows each model's quirks (Bark's
sub-model generation settings, CSM's speaker prefix, Dia's [S1] tag, SpeechT5's spectrogram-to-waveform vocoder, the
sample rate from config, generation config or processor). dtype defaults to float32 on every device: TTS models are
small, and their vocoders (HiFi-GAN, EnCodec, DAC) are the part that suffers in half precision.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import transformers  # imported here, not lazily: a missing `voice` extra then fails in the registry, in one sentence

from conditioning.errors import StudioError
from generators.model_files import HUB_ID, missing_model
from generators.pipeline_placement import DTYPES
from generators.torch_device import choose_device
from generators.weight_files import PICKLE_SUFFIXES

log = logging.getLogger(__name__)

CACHE_SIZE = 2
_CACHE: OrderedDict[tuple, object] = OrderedDict()


def choose_dtype(name: str | None = None):
    key = str(name or "float32").lower().removeprefix("torch.")
    if key not in DTYPES:
        raise StudioError(f"Dtype {name!r} is unknown; use float32, float16 or bfloat16.")
    return DTYPES[key]


def model_source(model: str | None) -> tuple[str, bool]:
    """(what to load, is it a local folder); refuses a missing folder, a file, a malformed id and pickle-only
    folders (unpickling can run arbitrary code)."""
    if not model:
        raise StudioError(
            "The neural voice needs --model: a local folder or a hub id such as facebook/mms-tts-eng or suno/bark-small."
        )
    path = Path(model).expanduser()
    if path.is_dir():
        files = list(path.rglob("*"))
        if not any(p.suffix == ".safetensors" for p in files) and any(p.suffix in PICKLE_SUFFIXES for p in files):
            raise StudioError(f"Model folder {model} holds pickle weights only; convert them to .safetensors.")
        return str(path.resolve()), True
    if path.exists():
        raise StudioError(f"Model {model!r} is a file; give a transformers folder (with config.json) or a hub id.")
    if not HUB_ID.fullmatch(model):
        raise StudioError(f"Model folder {model!r} does not exist; give a transformers folder or a hub id.")
    return model, False


def _build(source: str, local: bool, model: str, device, dtype):
    try:
        # torch_dtype, not dtype=: the pyproject allows transformers 4.50, which only knows the old name
        return transformers.pipeline(
            "text-to-speech", model=source, device=device, torch_dtype=dtype, model_kwargs={"use_safetensors": True}
        )
    except OSError as exc:  # huggingface_hub's offline, not-found and HTTP errors, and missing files, are OSErrors
        needs = " (or a part it needs, such as SpeechT5's vocoder microsoft/speecht5_hifigan)"
        raise missing_model(model, local, exc, needs) from None
    except (ValueError, KeyError) as exc:  # not a text-to-speech model, or an architecture this transformers lacks
        raise StudioError(f"Model {model!r} is not a text-to-speech model transformers can run here ({exc}).") from None


def load_pipeline(model: str | None, device: str | None = None, dtype: str | None = None):
    """(cached pipeline, torch device, torch dtype) for the model, loading it on first use."""
    source, local = model_source(model)
    dev, dt = choose_device(device), choose_dtype(dtype)
    key = (source, str(dev), dt)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key], dev, dt
    while len(_CACHE) >= CACHE_SIZE:
        _CACHE.popitem(last=False)
    log.info("loading %s on %s as %s", model, dev, dt)
    _CACHE[key] = _build(source, local, model, dev, dt)
    return _CACHE[key], dev, dt


def clear_cache() -> None:
    """Forget every loaded pipeline (tests, and apps that switch models)."""
    _CACHE.clear()
