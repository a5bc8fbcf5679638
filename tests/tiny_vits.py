"""A tiny VITS text-to-speech model built from a config (no downloads), saved with `save_pretrained`.

A real `VitsModel` (text encoder, stochastic duration predictor, flow, HiFi-GAN decoder) with random weights and
tiny sizes, and a `VitsTokenizer` over a character vocabulary written here (no phonemizer: `phonemize=False`, as for
the non-English MMS-TTS checkpoints). It speaks noise, not words, but it goes through the same loading, tokenizing,
generation and sample-rate path as facebook/mms-tts-eng, in well under a second per sentence on a CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

CHARACTERS = list(" abcdefghijklmnopqrstuvwxyz'-")
SAMPLING_RATE = 16000


def save_tiny_vits(folder: Path, seed: int = 0) -> Path:
    """Write config, safetensors weights and tokenizer files to `folder`; returns it."""
    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {"<pad>": 0, "<unk>": 1} | {ch: i + 2 for i, ch in enumerate(CHARACTERS)}
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = VitsTokenizer(folder / "vocab.json", language="eng", add_blank=True, normalize=True, phonemize=False)
    config = VitsConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        flow_size=16,
        spectrogram_bins=33,
        upsample_initial_channel=16,
        upsample_rates=(8, 4, 4, 2),  # 256 samples per frame, as in MMS-TTS
        upsample_kernel_sizes=(16, 8, 8, 4),
        resblock_kernel_sizes=(3,),
        resblock_dilation_sizes=((1, 3),),
        duration_predictor_filter_channels=16,
        duration_predictor_num_flows=1,
        prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1,
        posterior_encoder_num_wavenet_layers=1,
        depth_separable_num_layers=1,
        sampling_rate=SAMPLING_RATE,
        pad_token_id=0,
    )
    torch.manual_seed(seed)
    model = VitsModel(config).eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
