"""The LoRA demo's base model: a tiny SD whose text encoder, VAE and UNet are trained from scratch.

The text encoder first learns to summarize its caption, as a pretrained CLIP's end tokens do (a random transformer
does not: it collapses the words onto a couple of directions, and no UNet can learn to read what is not there). The
VAE then learns to reconstruct the paintings (pixels ↔ latents; otherwise a random VAE decodes noise). The UNet
then learns to paint, with every image — whatever its emotion — captioned only "a painting": the base model makes
generic paintings that are not tied to any emotion word, which is the gap the emotion LoRA must close.
"""

from __future__ import annotations

import logging

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from conditioning import resolve
from conditioning.visual_style import visual_style
from generators.image.painter import make_genes, paint

log = logging.getLogger(__name__)
NEUTRAL_CAPTION = "a painting"


def paintings(emotions, per_emotion: int, size: int, seed: int) -> list[tuple[str, Image.Image]]:
    """(emotion, painting) pairs; each painting has its own genes (layout, strokes), its emotion sets the style."""
    out = []
    for e, emotion in enumerate(emotions):
        style = visual_style(resolve(emotion, taxonomy="mikels8"))
        for i in range(per_emotion):
            out.append((emotion, paint(style, (size, size), make_genes(seed * 100_000 + e * 1000 + i))))
    return out


def to_tensor(images: list[Image.Image]) -> torch.Tensor:
    array = np.stack([np.asarray(img.convert("RGB"), dtype=np.float32) for img in images]) / 127.5 - 1.0
    return torch.from_numpy(array).permute(0, 3, 1, 2).contiguous()


def pretrain_text_encoder(encoder, tokenizer, steps: int, batch: int, lr: float, seed: int) -> float:
    """Self-supervised, images-free: captions of random vocabulary words, and every position's output must name —
    through one linear head shared by all positions — the words read so far. The end tokens SD attends to then carry
    the whole caption in the same directions at every position. Measured on the 8 emotion captions, end-token
    differences have singular values 1.9, 1.2, 0.4 … at random init and 4.8, 4.3, 3.6 … after 300 steps."""
    specials = set(tokenizer.all_special_tokens)  # get_vocab() comes in hash order: sort, or reruns differ
    words = torch.tensor(sorted(i for t, i in tokenizer.get_vocab().items() if t not in specials))
    length, vocab_size = tokenizer.model_max_length, encoder.config.vocab_size
    head = torch.nn.Linear(encoder.config.hidden_size, vocab_size)
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW([*encoder.parameters(), *head.parameters()], lr=lr)
    encoder.train()
    positions = torch.arange(length)
    loss = torch.tensor(0.0)
    for _ in tqdm(range(steps), desc="demo: text encoder", leave=False, disable=None):
        count = torch.randint(1, 9, (batch, 1), generator=gen)
        ids = words[torch.randint(0, len(words), (batch, length), generator=gen)]
        ids[:, 0] = tokenizer.bos_token_id
        ids[positions[None] > count] = tokenizer.eos_token_id  # "<start> w1 … wn <end> <end> …", SD's padding
        is_word = (positions[None] >= 1) & (positions[None] <= count)
        seen = torch.nn.functional.one_hot(ids, vocab_size).float() * is_word[..., None]
        target = seen.cumsum(1).clamp(max=1)[:, 1:]
        target = target / target.sum(-1, keepdim=True)
        logits = head(encoder(ids).last_hidden_state[:, 1:])
        loss = -(target * torch.log_softmax(logits, -1)).sum(-1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    encoder.eval().requires_grad_(False)
    return float(loss.detach())


def train_vae(vae, pixels: torch.Tensor, steps: int, batch: int, lr: float, seed: int) -> float:
    """Reconstruction (MSE) plus a very light KL, as an SD-style VAE is trained, minus the GAN and LPIPS terms."""
    gen = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(vae.parameters(), lr=lr)
    vae.train()
    loss = torch.tensor(0.0)
    for _ in tqdm(range(steps), desc="demo: VAE", leave=False, disable=None):
        x = pixels[torch.randint(0, len(pixels), (batch,), generator=gen)]
        dist = vae.encode(x).latent_dist
        recon = vae.decode(dist.sample(generator=gen)).sample
        loss = torch.nn.functional.mse_loss(recon, x) + 1e-6 * dist.kl().mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    vae.eval().requires_grad_(False)
    return float(loss.detach())


def set_latent_scale(vae, pixels: torch.Tensor) -> None:
    """SD's `scaling_factor` makes latents unit-variance; measured here instead of SD's 0.18215."""
    with torch.no_grad():
        std = vae.encode(pixels[:64]).latent_dist.mean.std().item()
    vae.register_to_config(scaling_factor=round(1.0 / max(std, 1e-3), 5))


def train_unet(pipe, pixels: torch.Tensor, steps: int, batch: int, lr: float, seed: int) -> list[float]:
    """Full UNet training on the neutral caption with the standard denoising loss."""
    from diffusers import DDPMScheduler

    from finetune.image_lora import diffusion_loss, encode

    noise_scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    gen = torch.Generator().manual_seed(seed)
    pipe.text_encoder.requires_grad_(False)
    with torch.no_grad():
        conditioning = encode(pipe, [NEUTRAL_CAPTION] * batch, "cpu", pixels.shape[-1])
    optimizer = torch.optim.AdamW(pipe.unet.parameters(), lr=lr, weight_decay=1e-2)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.1)
    pipe.unet.train()
    losses = []
    for _ in tqdm(range(steps), desc="demo: base UNet", leave=False, disable=None):
        x = pixels[torch.randint(0, len(pixels), (batch,), generator=gen)]
        loss = diffusion_loss(pipe, noise_scheduler, x, conditioning, gen, torch.float32)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(pipe.unet.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(float(loss.detach()))
    pipe.unet.eval()
    return losses
