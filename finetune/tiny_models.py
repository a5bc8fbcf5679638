"""A tiny Stable Diffusion pipeline built from configs (no downloads) for `studio finetune demo`.

The tests build their tiny SD from here too (tests/tiny_diffusion.py adds SDXL and LoRA helpers); the latent size
and the noise schedule are parameters so the demo can train at 32 px with zero terminal SNR.

Sizes follow diffusers' own `get_dummy_components` (../shared/reference/FACTS.md §7): real architectures, random
weights, a few milliseconds per step on a CPU. The tokenizer is made here with the `tokenizers` library (WordLevel +
Whitespace, CLIP-style start/end tokens) over the studio's prompt vocabulary, so emotion words and attribute phrases
become distinct token ids and move the picture.
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

SPECIALS = ("<|startoftext|>", "<|endoftext|>", "[UNK]")
SUBJECT_WORDS = "a an the of in on with at painting lighthouse storm sea city street portrait forest night field garden"


def vocabulary() -> list[str]:
    """Every word the prompt composer can emit, plus a few subjects; ids are stable (sorted)."""
    from conditioning import TAXONOMIES, resolve
    from conditioning.prompt_fragments import NEGATIVE_BASE, prompt_fragments

    words = set(SUBJECT_WORDS.split())
    for taxonomy in TAXONOMIES.values():
        words |= set(taxonomy.labels)
    points = [f"{v},{a},{d}" for v in (-0.9, 0, 0.9) for a in (-0.9, 0, 0.9) for d in (-0.5, 0.5)]
    for emotion in ("awe", "fear", "joy", "sadness", "calm", "anger", *points):
        fragments = prompt_fragments(resolve(emotion))
        for phrase in (*fragments.image, *fragments.negative, *fragments.emotion_words, *NEGATIVE_BASE):
            words |= set(re.findall(r"\w+|[^\w\s]+", phrase))
    return [*SPECIALS, ",", *sorted(words - {","})]


def tiny_tokenizer(max_length: int = 77):
    """A CLIP-shaped fast tokenizer: <|startoftext|> words <|endoftext|>, padded with the end token."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary())}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = processors.TemplateProcessing(
        single="<|startoftext|> $A <|endoftext|>",
        special_tokens=[("<|startoftext|>", vocab["<|startoftext|>"]), ("<|endoftext|>", vocab["<|endoftext|>"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<|startoftext|>",
        eos_token="<|endoftext|>",
        unk_token="[UNK]",
        pad_token="<|endoftext|>",
        model_max_length=max_length,
    )


def text_config(projection_dim: int = 32):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
        hidden_size=32,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=5,
        vocab_size=1000,
        projection_dim=projection_dim,
        hidden_act="gelu",
    )


def tiny_vae():
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=4,
        sample_size=64,
    )


def scheduler(zero_terminal_snr: bool = False):
    """SD's DDIM; `zero_terminal_snr`: Lin et al. 2024's fix (rescaled betas, v-prediction, trailing timesteps), so
    the first sampling step sees pure noise and the caption — not leftover low frequencies — sets the palette
    (see lora_demo.py)."""
    from diffusers import DDIMScheduler

    fix = {"rescale_betas_zero_snr": True, "prediction_type": "v_prediction", "timestep_spacing": "trailing"}
    return DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
        **(fix if zero_terminal_snr else {}),
    )


def build_tiny_sd(
    folder: Path,
    seed: int = 0,
    channels: tuple[int, int] = (32, 64),
    sample_size: int = 32,
    zero_terminal_snr: bool = False,
) -> Path:
    """A StableDiffusionPipeline (UNet (32, 64), cross-attention 32) saved as safetensors into `folder`; wider
    `channels` give the benchmarks something to time."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        block_out_channels=channels,
        layers_per_block=2,
        sample_size=sample_size,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=32,
    )
    pipe = StableDiffusionPipeline(
        unet=unet,
        scheduler=scheduler(zero_terminal_snr),
        vae=tiny_vae(),
        text_encoder=CLIPTextModel(text_config()),
        tokenizer=tiny_tokenizer(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return Path(folder)
