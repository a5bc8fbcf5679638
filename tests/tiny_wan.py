"""Tiny Wan2.1 pipelines (text-to-video and image-to-video) built from configs and saved with `save_pretrained`.

Sizes follow diffusers' own Wan tests (../shared/reference/FACTS.md §7): the real architectures with random weights —
a 2-layer WanTransformer3DModel, the 8×-spatial / 4×-temporal AutoencoderKLWan at base_dim 3, a UMT5EncoderModel from
a (U)T5 config with d_model 32 — so a 32×32, 5-frame clip takes a fraction of a second on a CPU. The tokenizer is made
here (WordLevel + Whitespace, T5-style `</s>` end and `<pad>` id 0) over the studio's image and motion vocabulary,
so emotion words move the output. The I2V variant adds the Wan2.1 I2V transformer shape (36 input channels: latents
+ frame mask + encoded first frame; `image_dim`) and a tiny CLIP vision encoder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

SPECIALS = ("<pad>", "</s>", "<unk>")
SCENE_WORDS = "a an the of in on with at lighthouse storm sea city street portrait forest night field garden river"


def vocabulary() -> list[str]:
    """Every word the video prompt can hold (image + motion phrases, negatives), plus a few subjects."""
    from conditioning import TAXONOMIES, resolve
    from conditioning.prompt_fragments import NEGATIVE_BASE, prompt_fragments

    words = set(SCENE_WORDS.split())
    for taxonomy in TAXONOMIES.values():
        words |= set(taxonomy.labels)
    points = [f"{v},{a},{d}" for v in (-0.9, 0, 0.9) for a in (-0.9, 0, 0.9) for d in (-0.5, 0.5)]
    for emotion in ("awe", "fear", "joy", "sadness", "calm", "dread", "anger", *points):
        fragments = prompt_fragments(resolve(emotion))
        for phrase in (*fragments.video, *fragments.negative, *fragments.emotion_words, *NEGATIVE_BASE):
            words |= set(re.findall(r"\w+|[^\w\s]+", phrase))
    return [*SPECIALS, ",", *sorted(words - {","})]


def tiny_tokenizer():
    """A T5-shaped fast tokenizer: words </s>, padded with <pad> (id 0), no length limit of its own."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary())}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", vocab["</s>"])])
    return PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="</s>", unk_token="<unk>", pad_token="<pad>", model_max_length=512
    )


def tiny_text_encoder(vocab_size: int, d_model: int = 32):
    from transformers import UMT5Config, UMT5EncoderModel

    config = UMT5Config(
        vocab_size=vocab_size,
        d_model=d_model,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    return UMT5EncoderModel(config)


def tiny_vae():
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )


def tiny_transformer(
    i2v: bool = False, text_dim: int = 32, heads: int = 2, head_dim: int = 12, layers: int = 2, ffn: int = 32
):
    """diffusers' test transformer; bench/ widens it (heads, head_dim, layers, ffn) so a call takes long enough to time."""
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=heads,
        attention_head_dim=head_dim,
        in_channels=36 if i2v else 16,
        out_channels=16,
        text_dim=text_dim,
        freq_dim=256,
        ffn_dim=ffn,
        num_layers=layers,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
        image_dim=4 if i2v else None,
    )


def scheduler(flow_shift: float = 3.0):
    """UniPC in flow mode, as the Wan2.1 Diffusers repos ship it (flow_shift 3.0 is the 480p value)."""
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000, flow_shift=flow_shift
    )


def tiny_components(seed: int = 0) -> dict:
    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed)
    return {
        "tokenizer": tokenizer,
        "text_encoder": tiny_text_encoder(len(tokenizer)),
        "vae": tiny_vae(),
        "scheduler": scheduler(),
    }


def build_tiny_wan(folder: Path, seed: int = 0, **transformer) -> Path:
    """A WanPipeline (text-to-video) saved as safetensors into `folder`; `transformer` widens its transformer."""
    from diffusers import WanPipeline

    components = tiny_components(seed)
    torch.manual_seed(seed + 1)
    WanPipeline(transformer=tiny_transformer(**transformer), **components).save_pretrained(
        folder, safe_serialization=True
    )
    return Path(folder)


def build_tiny_wan_i2v(folder: Path, seed: int = 0) -> Path:
    """A WanImageToVideoPipeline (Wan2.1 I2V shape: image encoder + 36-channel transformer) saved into `folder`."""
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    components = tiny_components(seed)
    torch.manual_seed(seed + 1)
    transformer = tiny_transformer(i2v=True)
    vision = CLIPVisionConfig(
        hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=32,
        intermediate_size=16, patch_size=1,
    )  # fmt: skip
    pipe = WanImageToVideoPipeline(
        transformer=transformer,
        image_encoder=CLIPVisionModel(vision),
        image_processor=CLIPImageProcessor(crop_size=32, size=32),
        **components,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return Path(folder)


def make_transformer_lora(folder: Path, file_name: str, pipe_folder: Path, seed: int, rank: int = 4) -> Path:
    """A diffusers-format LoRA for the tiny Wan transformer: a peft adapter with seeded, non-zero B (so it changes
    the output), saved with `WanPipeline.save_lora_weights`."""
    from diffusers import WanPipeline, WanTransformer3DModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    transformer = WanTransformer3DModel.from_pretrained(pipe_folder, subfolder="transformer")
    transformer.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in transformer.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.5)
    WanPipeline.save_lora_weights(
        folder,
        transformer_lora_layers=get_peft_model_state_dict(transformer),
        weight_name=file_name,
        safe_serialization=True,
    )
    return Path(folder) / file_name


@pytest.fixture(scope="session")
def wan_t2v(tmp_path_factory) -> Path:
    """A saved tiny text-to-video Wan, built once per test session."""
    return build_tiny_wan(tmp_path_factory.mktemp("wan-t2v"))


@pytest.fixture(scope="session")
def wan_i2v(tmp_path_factory) -> Path:
    """A saved tiny image-to-video Wan (Wan2.1 I2V layout), built once per test session."""
    return build_tiny_wan_i2v(tmp_path_factory.mktemp("wan-i2v"))


@pytest.fixture(scope="session")
def wan_loras(tmp_path_factory, wan_t2v) -> dict[str, Path]:
    """Two emotion LoRAs (awe, fear) for the tiny T2V transformer."""
    folder = tmp_path_factory.mktemp("wan-loras")
    return {label: make_transformer_lora(folder, f"{label}.safetensors", wan_t2v, seed) for seed, label in
            enumerate(("awe", "fear"))}  # fmt: skip
