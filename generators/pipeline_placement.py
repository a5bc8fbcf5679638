"""Where a diffusers pipeline runs and in what precision, shared by the diffusion image and Wan video backends.

diffusers' philosophy asks for explicit device and dtype: we choose them sensibly (CUDA → bf16 where the GPU has it,
else fp16; Apple MPS → fp16; CPU → fp32) and let the user override both (the neural voice reads `--dtype` names
from the same table). `--offload` keeps the weights in CPU memory and moves each model to the GPU only while it runs,
which needs CUDA.
"""

from __future__ import annotations

import torch

from conditioning.errors import StudioError

DTYPES = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "float16": torch.float16,
    "fp16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
}


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


def place(pipe, device: torch.device, offload: bool) -> None:
    """Move `pipe` to `device`, or set up model CPU offload onto it."""
    if offload:
        if device.type != "cuda":
            raise StudioError("--offload moves weights between CPU and GPU memory; it needs a CUDA --device.")
        pipe.enable_model_cpu_offload(device=device)
    else:
        pipe.to(device)
