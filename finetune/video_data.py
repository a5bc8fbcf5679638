"""Clips → Wan latents: decode with ffmpeg at the training fps and size, keep 4k+1 frames, encode with the Wan VAE.

Wan's VAE compresses time 4× after the first frame, so clips must hold 4k+1 frames (FACTS §5); a clip with fewer
frames than asked is cut to the longest 4k+1 it has. With `cache` the normalised latents are stored as safetensors
keyed by file, size, frames and fps, so later epochs (and reruns) skip decoding and the VAE.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from conditioning import StudioError
from conditioning.atomic import atomic_path
from eval.ffmpeg_frames import ffmpeg_frames


def four_k_plus_one(n: int) -> int:
    """The largest 4k+1 ≤ n (1 for n < 5)."""
    return max(1, (n - 1) // 4 * 4 + 1)


def read_clip(path: Path, frames: int, size: int, fps: int) -> torch.Tensor:
    """(3, F, H, W) in [−1, 1], F = 4k+1; centre-cropped squares."""
    chain = f"fps={fps},scale={size}:{size}:force_original_aspect_ratio=increase,crop={size}:{size}"
    decoded = ffmpeg_frames(path, chain, max_frames=frames)
    if not decoded:
        raise StudioError(f"{path.name}: no frames could be decoded")
    array = np.stack(decoded[: four_k_plus_one(min(frames, len(decoded)))]).astype(np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(3, 0, 1, 2).contiguous()


@torch.no_grad()
def encode_clip(vae, video: torch.Tensor) -> torch.Tensor:
    """Normalised latents (the inverse of what WanPipeline does before decoding)."""
    param = next(vae.parameters())
    latents = vae.encode(video[None].to(param.device, param.dtype)).latent_dist.mode()
    mean = torch.tensor(vae.config.latents_mean, device=latents.device).view(1, -1, 1, 1, 1)
    std = torch.tensor(vae.config.latents_std, device=latents.device).view(1, -1, 1, 1, 1)
    return ((latents - mean) / std)[0].float().cpu()


class LatentSet:
    """Latents per record, computed on first use; on disk too when `cache_dir` is given."""

    def __init__(self, records, vae, frames: int, size: int, fps: int, cache_dir: Path | None = None):
        self.records, self.vae, self.frames, self.size, self.fps = records, vae, frames, size, fps
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._memory: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.records)

    def key(self, i: int) -> str:
        media = self.records[i].media
        stat = media.stat()
        text = f"{media.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{self.frames}|{self.size}|{self.fps}"
        return hashlib.sha1(text.encode()).hexdigest()[:20]

    def latents(self, i: int) -> torch.Tensor:
        if i in self._memory:
            return self._memory[i]
        from safetensors.torch import load_file, save_file

        path = self.cache_dir / f"{self.key(i)}.safetensors" if self.cache_dir else None
        if path is not None and path.is_file():
            latents = load_file(str(path))["latents"]
        else:
            latents = encode_clip(self.vae, read_clip(self.records[i].media, self.frames, self.size, self.fps))
            if path is not None:
                with atomic_path(path) as tmp:  # two processes may encode the same clip: unique temp names
                    save_file({"latents": latents.contiguous()}, str(tmp))
        self._memory[i] = latents
        return latents
