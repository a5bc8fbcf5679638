"""Loading a diffusers text-to-image pipeline: device and dtype, safetensors only, one clear error when weights are
missing, and an in-process cache so batch runs and best-of-N load each model once.

diffusers' philosophy asks for explicit device and dtype: we choose them sensibly (CUDA → bf16 where the GPU has it,
else fp16; Apple MPS → fp16; CPU → fp32) and let the user override both. Attention is PyTorch's SDPA, which diffusers
uses by default; xformers is switched on when the `gpu` extra is installed and the model runs on CUDA.

Three speed settings a GPU user expects are off by default and set per call on the cached pipeline's modules (so the
text-to-image pipeline and its img2img twin, which share them, agree): `compile` (torch.compile of the UNet or
transformer, in a mode), `channels_last` (the denoiser's and VAE's convolution weights in channels-last layout) and
`vae_tiling` (the VAE decodes large pictures tile by tile, in bounded memory). `apply_speed` switches each on or off
and back, so a call without them after one with them runs the plain modules again.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import torch

from conditioning.errors import StudioError
from generators.model_files import missing_model
from generators.torch_device import choose_device

log = logging.getLogger(__name__)

DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
}
PICKLE_SUFFIXES = (".bin", ".ckpt", ".pt", ".pth", ".pkl")
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?")
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


def choose_dtype(device: torch.device, name: str | None = None) -> torch.dtype:
    """fp32 on CPU (half precision is slow there), fp16 on MPS, bf16 on CUDA GPUs that support it, else fp16."""
    if name:
        key = str(name).lower().removeprefix("torch.")
        if key not in DTYPES:
            raise StudioError(f"Dtype {name!r} is unknown; use float32, float16 or bfloat16.")
        return DTYPES[key]
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float16 if device.type == "mps" else torch.float32


def model_source(model: str | None) -> tuple[str, bool]:
    """(what to pass to from_pretrained, is it a local folder); refuses a missing folder or a malformed id."""
    if not model:
        raise StudioError("The diffusion backend needs --model: a local diffusers folder or a hub id.")
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path.resolve()), True
    if path.exists():
        raise StudioError(f"Model {model!r} is a file; give a diffusers folder (with model_index.json) or a hub id.")
    if not HUB_ID.fullmatch(model):
        raise StudioError(f"Model folder {model!r} does not exist; give a diffusers folder or a hub id.")
    return model, False


def refuse_pickle_folder(folder: Path) -> None:
    """A folder whose weights are pickle only (.bin/.ckpt) is refused: unpickling can run arbitrary code."""
    if not any(folder.rglob("*.safetensors")) and any(p.suffix in PICKLE_SUFFIXES for p in folder.rglob("*")):
        raise StudioError(
            f"Model folder {folder} holds pickle weights only; convert them to .safetensors, "
            "or pass allow_pickle=True if you trust their source."
        )


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
    if offload:
        if device.type != "cuda":
            raise StudioError("--offload moves weights between CPU and GPU memory; it needs a CUDA --device.")
        pipe.enable_model_cpu_offload(device=device)
    else:
        pipe.to(device)
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


COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
SPEED_OFF = {"compile": None, "channels_last": False, "vae_tiling": False}


def compile_mode(value) -> str | None:
    """The `compile` option as a torch.compile mode: true → "default", false/None → off, or one of COMPILE_MODES."""
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "default"
    if isinstance(value, str) and value.strip().lower() in COMPILE_MODES:
        return value.strip().lower()
    raise StudioError(
        f"--compile {value!r} is not a torch.compile mode; use true or one of {', '.join(COMPILE_MODES)}."
    )


def set_channels_last(module: torch.nn.Module, on: bool) -> None:
    """4-D weights (Conv2d) to channels_last, 5-D ones (Conv3d) to channels_last_3d; off: back to contiguous."""

    def convert(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.dim() not in (4, 5):
            return tensor
        layout = (torch.channels_last if tensor.dim() == 4 else torch.channels_last_3d) if on else None
        return tensor.contiguous(memory_format=layout or torch.contiguous_format)

    module._apply(convert)


def set_compiled(module: torch.nn.Module, mode: str | None) -> None:
    """`nn.Module.compile` in place (the module keeps its class and state-dict names, so LoRAs still load); None
    drops the compiled call and the module runs eagerly again."""
    if mode is None:
        module._compiled_call_impl = None
    else:
        module.compile(mode=mode)


def apply_speed(loaded, pipe, denoiser_name: str | None = None, **wanted) -> dict:
    """Set `compile`, `channels_last` and `vae_tiling` on `pipe`'s modules, changing only what differs from what
    `loaded.speed` says is applied; returns the settings now in force."""
    settings = {**SPEED_OFF, **{k: v for k, v in wanted.items() if k in SPEED_OFF}}
    current = {**SPEED_OFF, **loaded.speed}
    name = denoiser_name or ("unet" if getattr(pipe, "unet", None) is not None else "transformer")
    denoiser, vae = getattr(pipe, name, None), getattr(pipe, "vae", None)
    if settings["channels_last"] != current["channels_last"]:
        for module in (denoiser, vae):
            if module is not None:
                set_channels_last(module, settings["channels_last"])
    if settings["vae_tiling"] != current["vae_tiling"]:
        if vae is None or not hasattr(vae, "enable_tiling"):
            raise StudioError(f"{type(pipe).__name__}'s VAE cannot decode in tiles; drop --vae-tiling.")
        if settings["vae_tiling"]:
            vae.enable_tiling()
        else:
            vae.disable_tiling()
    if settings["compile"] != current["compile"] and denoiser is not None:
        set_compiled(denoiser, settings["compile"])
    loaded.speed = settings
    return settings


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
