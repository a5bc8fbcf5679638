"""Tiny Stable Diffusion and SDXL pipelines built from configs (no downloads), saved with `save_pretrained`.

Sizes follow diffusers' own `get_dummy_components` (../shared/reference/FACTS.md §7): real architectures, random
weights, a few milliseconds per step on a CPU. The tokenizer is made here with the `tokenizers` library (WordLevel +
Whitespace, CLIP-style start/end tokens) over the studio's prompt vocabulary, so emotion words and attribute phrases
become distinct token ids and move the picture. The SD builders live in finetune/tiny_models.py (the CPU demo
builds the same model); SDXL and LoRA helpers are here.
"""

from __future__ import annotations

from pathlib import Path

import torch

from finetune.tiny_models import (  # noqa: F401 - the builders live beside the demo that needs them too
    build_tiny_sd,
    scheduler,
    text_config,
    tiny_tokenizer,
    tiny_vae,
    vocabulary,
)


def build_tiny_sdxl(folder: Path, seed: int = 0) -> Path:
    """A StableDiffusionXLPipeline (two text encoders, text_time conditioning) saved into `folder`."""
    from diffusers import StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=2,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=80,  # 6 time ids × 8 + the pooled text embedding (32)
        cross_attention_dim=64,  # both encoders' hidden states, concatenated
        norm_num_groups=1,
    )
    pipe = StableDiffusionXLPipeline(
        unet=unet,
        scheduler=scheduler(),
        vae=tiny_vae(),
        text_encoder=CLIPTextModel(text_config()),
        text_encoder_2=CLIPTextModelWithProjection(text_config()),
        tokenizer=tiny_tokenizer(),
        tokenizer_2=tiny_tokenizer(),
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return Path(folder)


def make_unet_lora(folder: Path, file_name: str, pipe_folder: Path, seed: int, rank: int = 4) -> Path:
    """A diffusers-format LoRA for the tiny SD UNet: peft adapter with seeded, non-zero B (so it changes outputs),
    saved with `StableDiffusionPipeline.save_lora_weights`."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(pipe_folder, subfolder="unet")
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in unet.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    StableDiffusionPipeline.save_lora_weights(
        folder, unet_lora_layers=get_peft_model_state_dict(unet), weight_name=file_name, safe_serialization=True
    )
    return Path(folder) / file_name
