"""Loading a diffusers text-to-image pipeline: device and dtype (`generators.pipeline_placement`), safetensors only,
one clear error when weights are missing, and an in-process cache so batch runs and best-of-N load each model once.

Attention is PyTorch's SDPA, which diffusers uses by default; xformers is switched on when the `gpu` extra is
installed and the model runs on CUDA. The speed settings (`compile`, `channels_last`, `vae_tiling`) are set per call
by `generators.speed_flags.apply_speed` on the cached pipeline's modules, recorded in `Loaded.speed`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import torch

from conditioning.errors import StudioError
from generators.model_files import missing_model, model_source
from generators.pipeline_placement import choose_dtype, place
from generators.torch_device import choose_device
from generators.weight_files import refuse_pickle_folder

log = logging.getLogger(__name__)

CACHE_SIZE = 2
"""Pipelines kept loaded (an SDXL in fp16 holds ~7 GB); the least recently used one goes first."""


@dataclass
class Loaded:
    """A cached pipeline, its img2img twin (same modules, made on first use) and the LoRAs now loaded into it."""

    pipe: object
    attention: str
    img2img: object | None = None
    loras: dict = field(default_factory=dict)
    speed: dict = field(default_factory=dict)
    """The speed settings now applied to the modules (`apply_speed`); empty: none."""


_CACHE: OrderedDict[tuple, Loaded] = OrderedDict()


def _from_pretrained(source: str, local: bool, model: str, dtype: torch.dtype, allow_pickle: bool):
    from diffusers import AutoPipelineForText2Image

    if local and not allow_pickle:
        refuse_pickle_folder(Path(source))
    try:
        # torch_dtype, not dtype=: the pyproject allows diffusers 0.35, which only knows the old name
        return AutoPipelineForText2Image.from_pretrained(
            source, torch_dtype=dtype, use_safetensors=None if allow_pickle else True
        )
    except OSError as exc:  # huggingface_hub's offline, not-found and HTTP errors are all OSErrors
        raise missing_model(model, local, exc) from None


def _place(pipe, device: torch.device, offload: bool) -> str:
    """Move to the device (or set up CPU offload) and pick the attention kernel; returns its name."""
    place(pipe, device, offload)
    if device.type == "cuda":
        try:
            import xformers  # noqa: F401  (the `gpu` extra)

            pipe.enable_xformers_memory_efficient_attention()
            return "xformers"
        except (ImportError, ValueError, RuntimeError):  # missing or not built for this GPU: SDPA serves
            pass
    return "sdpa"


def load_pipeline(
    model: str | None,
    device: str | None = None,
    dtype: str | None = None,
    offload: bool = False,
    allow_pickle: bool = False,
) -> tuple[Loaded, torch.device, torch.dtype]:
    """The cached pipeline for (model, device, dtype, offload), loading it on first use."""
    source, local = model_source(model)
    dev = choose_device(device)
    dt = choose_dtype(dev, dtype)
    key = (source, str(dev), dt, bool(offload), bool(allow_pickle))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key], dev, dt
    while len(_CACHE) >= CACHE_SIZE:
        _CACHE.popitem(last=False)
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    log.info("loading %s on %s as %s", model, dev, dt)
    pipe = _from_pretrained(source, local, model, dt, allow_pickle)
    pipe.set_progress_bar_config(disable=None)
    loaded = Loaded(pipe=pipe, attention=_place(pipe, dev, offload))
    _CACHE[key] = loaded
    return loaded, dev, dt


def img2img(loaded: Loaded):
    """The image-to-image pipeline over the same modules (no second copy of the weights)."""
    if loaded.img2img is None:
        from diffusers import AutoPipelineForImage2Image

        try:
            loaded.img2img = AutoPipelineForImage2Image.from_pipe(loaded.pipe)
        except ValueError:
            name = type(loaded.pipe).__name__
            raise StudioError(f"{name} has no image-to-image variant in diffusers; drop --init.") from None
    return loaded.img2img


def clear_cache() -> None:
    """Forget every loaded pipeline (tests and long-running apps that switch models)."""
    _CACHE.clear()
