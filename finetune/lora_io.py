"""Saving a trained LoRA in the diffusers format, atomically.

`pytorch_lora_weights.safetensors` written by the pipeline class's own `save_lora_weights` (peft state dict →
diffusers key names) is what plain diffusers' `load_lora_weights(folder)` reads, and what the studio's
`--lora emotion=file` blends. It is written into a temporary folder and renamed into place, so a crash never leaves
a half-written file that a later load would trust.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

WEIGHT_NAME = "pytorch_lora_weights.safetensors"


def lora_layers(model) -> dict | None:
    """The model's LoRA weights with diffusers key names, or None when it has no adapter."""
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    if model is None or not getattr(model, "peft_config", None):
        return None
    return convert_state_dict_to_diffusers(get_peft_model_state_dict(model))


def adapter_metadata(model) -> dict:
    """The LoraConfig (rank, alpha, targets) stored in the file, so loaders scale the update as it was trained."""
    return model.peft_config["default"].to_dict()


def save_lora(pipeline_class, out_dir: Path, unet, text_encoder=None, text_encoder_2=None) -> Path:
    """Write `out_dir/pytorch_lora_weights.safetensors`; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kwargs = {"unet_lora_layers": lora_layers(unet), "unet_lora_adapter_metadata": adapter_metadata(unet)}
    for name, model in (("text_encoder", text_encoder), ("text_encoder_2", text_encoder_2)):
        layers = lora_layers(model)
        if layers:
            kwargs[f"{name}_lora_layers"] = layers
            kwargs[f"{name}_lora_adapter_metadata"] = adapter_metadata(model)
    return write_lora(pipeline_class, out_dir, **kwargs)


def write_lora(pipeline_class, out_dir: Path, **layers) -> Path:
    """`pipeline_class.save_lora_weights(**layers)` into a temporary folder, then renamed into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".lora.", dir=out_dir))
    try:
        pipeline_class.save_lora_weights(tmp, weight_name=WEIGHT_NAME, safe_serialization=True, **layers)
        os.replace(tmp / WEIGHT_NAME, out_dir / WEIGHT_NAME)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir / WEIGHT_NAME
