"""Loading a Wan2.1 pipeline (text-to-video or image-to-video) from a local folder or hub id, with the model card's
settings: transformer and text encoder in the device's dtype, the VAE (and the I2V image encoder) in float32 — the
Wan2.1 examples load them so, because the VAE's decode loses detail in half precision — safetensors only, and the
scheduler's flow shift set for the resolution (3.0 at 480p, 5.0 at 720p).

Which pipeline a folder holds is read from its model_index.json, so `--model Wan-AI/Wan2.1-I2V-14B-480P-Diffusers`
gives image-to-video without a separate flag. One pipeline stays cached in-process (a 14B model fills most GPUs);
missing weights fail at once with the command that fetches them, as in the image backend. Attention stays PyTorch
SDPA: Wan's attention processor is its own, so xformers is not switched on here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import torch

from conditioning.errors import StudioError
from generators.model_files import missing_model, model_source
from generators.pipeline_placement import choose_dtype, place
from generators.torch_device import choose_device
from generators.weight_files import refuse_pickle_folder

log = logging.getLogger(__name__)

PIPELINES = {"WanPipeline": "t2v", "WanImageToVideoPipeline": "i2v"}
FP32_PARTS = {"vae": ("diffusers", "AutoencoderKLWan"), "image_encoder": ("transformers", None)}
"""Components loaded in float32 whatever the dtype (the class of the image encoder comes from model_index.json)."""
FLOW_SHIFT_480P, FLOW_SHIFT_720P = 3.0, 5.0
AREA_480P = 480 * 832


@dataclass
class LoadedWan:
    """A cached pipeline, what it does (t2v / i2v) and the LoRAs now loaded into it (for `lora_blend`)."""

    pipe: object
    kind: str
    source: str
    loras: dict = field(default_factory=dict)
    speed: dict = field(default_factory=dict)
    """The speed settings now applied to the modules (`speed_flags.apply_speed`)."""


_CACHE: dict[tuple, LoadedWan] = {}


def flow_shift_for(width: int, height: int) -> float:
    """Wan2.1's recommended shift: 3.0 up to 480p's pixel count, 5.0 above (720p)."""
    return FLOW_SHIFT_480P if width * height <= AREA_480P else FLOW_SHIFT_720P


def set_flow_shift(pipe, value: float) -> float:
    """Give the scheduler this shift (UniPC calls it flow_shift, FlowMatchEuler calls it shift); returns it."""
    config = pipe.scheduler.config
    key = "flow_shift" if "flow_shift" in config else "shift" if "shift" in config else None
    if key is None:
        log.warning("scheduler %s has no flow shift; leaving it as it is", type(pipe.scheduler).__name__)
        return float("nan")
    if float(config[key]) != value:
        pipe.scheduler = type(pipe.scheduler).from_config(config, **{key: value})
    return value


def _read_index(source: str, model: str, local: bool) -> dict:
    from diffusers import DiffusionPipeline

    try:
        index = DiffusionPipeline.load_config(source)
    except OSError as exc:  # huggingface_hub's offline, not-found and HTTP errors are all OSErrors
        raise missing_model(model, local, exc) from None
    kind = PIPELINES.get(index.get("_class_name"))
    if kind is None:
        raise StudioError(
            f"Model {model!r} is a {index.get('_class_name')}, not a Wan2.1 pipeline; give a Wan2.1 Diffusers folder "
            "or hub id such as Wan-AI/Wan2.1-T2V-1.3B-Diffusers."
        )
    return index


def pipeline_kind(model: str | None) -> str:
    """'t2v' or 'i2v', read from model_index.json alone — so a wrong kind fails before minutes of loading."""
    if not model:
        raise StudioError("The wan backend needs --model: a local Wan2.1 Diffusers folder or a hub id.")
    source, local = model_source(model)
    return PIPELINES[_read_index(source, model, local)["_class_name"]]


def _from_pretrained(source: str, model: str, local: bool, dtype: torch.dtype, allow_pickle: bool):
    import diffusers
    import transformers

    if local and not allow_pickle:
        refuse_pickle_folder(Path(source))
    index = _read_index(source, model, local)
    safetensors = None if allow_pickle else True
    try:
        parts = {}
        for name, (library, fallback) in FP32_PARTS.items():
            if name in index and index[name][0] is not None:
                cls = getattr(diffusers if library == "diffusers" else transformers, index[name][1] or fallback)
                parts[name] = cls.from_pretrained(
                    source, subfolder=name, torch_dtype=torch.float32, use_safetensors=safetensors
                )
        cls = getattr(diffusers, index["_class_name"])
        pipe = cls.from_pretrained(source, torch_dtype=dtype, use_safetensors=safetensors, **parts)
    except OSError as exc:
        raise missing_model(model, local, exc) from None
    return pipe, PIPELINES[index["_class_name"]]


def load_wan(
    model: str | None,
    device: str | None = None,
    dtype: str | None = None,
    offload: bool = False,
    allow_pickle: bool = False,
) -> tuple[LoadedWan, torch.device, torch.dtype]:
    """The cached Wan pipeline for (model, device, dtype, offload), loading it (and dropping the previous one) first."""
    if not model:
        raise StudioError("The wan backend needs --model: a local Wan2.1 Diffusers folder or a hub id.")
    source, local = model_source(model)
    dev = choose_device(device)
    dt = choose_dtype(dev, dtype)
    key = (source, str(dev), dt, bool(offload), bool(allow_pickle))
    if key in _CACHE:
        return _CACHE[key], dev, dt
    clear_cache()
    log.info("loading %s on %s as %s (VAE in float32)", model, dev, dt)
    pipe, kind = _from_pretrained(source, model, local, dt, allow_pickle)
    pipe.set_progress_bar_config(disable=None)
    place(pipe, dev, offload)
    _CACHE[key] = LoadedWan(pipe=pipe, kind=kind, source=source)
    return _CACHE[key], dev, dt


def clear_cache() -> None:
    """Forget the loaded pipeline (tests, and apps that switch models)."""
    _CACHE.clear()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
