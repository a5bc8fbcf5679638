"""The three GPU speed settings a diffusers pipeline takes, shared by the diffusion image and Wan video backends:
`compile` (torch.compile of the UNet or transformer, in a mode), `channels_last` (the denoiser's and VAE's
convolution weights in channels-last layout) and `vae_tiling` (the VAE decodes large pictures tile by tile, in
bounded memory).

All are off by default and set per call on the cached pipeline's modules (so the text-to-image pipeline and its
img2img twin, which share them, agree). `apply_speed` switches each on or off and back, so a call without them after
one with them runs the plain modules again.
"""

from __future__ import annotations

import torch

from conditioning.errors import StudioError
from generators.options import COMPILE_MODES

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
