"""Records → training tensors, and which examples step N trains on.

The batch for a step is a pure function of (seed, step, process): a permutation per epoch drawn from a generator
seeded by (seed, epoch), cut into global batches, each process taking its slice. So `--resume` continues with
exactly the batches an uninterrupted run would have seen, with no sampler state to save, and N processes see
disjoint slices of the same global batch as one process with an N× batch would.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from finetune.datasets import Record


def load_image(path, resolution: int) -> torch.Tensor:
    """Resize the short side to `resolution`, centre-crop, scale to [−1, 1] (what the SD VAE expects); (3, H, W)."""
    with Image.open(path) as img:
        img = img.convert("RGB")
        scale = resolution / min(img.size)
        img = img.resize((max(resolution, round(img.width * scale)), max(resolution, round(img.height * scale))))
        left, top = (img.width - resolution) // 2, (img.height - resolution) // 2
        img = img.crop((left, top, left + resolution, top + resolution))
    array = np.asarray(img, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1).contiguous()


def batch_indices(n: int, step: int, batch_size: int, seed: int, process: int = 0, processes: int = 1) -> list[int]:
    """Indices this process trains on at `step` (0-based); epochs reshuffle, a short last batch wraps around."""
    global_batch = batch_size * processes
    per_epoch = max(1, -(-n // global_batch))
    epoch, position = divmod(step, per_epoch)
    order = np.random.default_rng([seed, epoch]).permutation(n)
    order = np.concatenate([order, order[:global_batch]])  # wrap for the short tail
    start = position * global_batch + process * batch_size
    return [int(i) for i in order[start : start + batch_size]]


def step_generator(seed: int, step: int, process: int = 0) -> torch.Generator:
    """The noise (timesteps, noise, σ) of `step` on `process`: a function of the step alone, so `--resume` continues
    exactly where an uninterrupted run would be."""
    return torch.Generator().manual_seed(seed * 1_000_003 + step * 1009 + process)


class ImageSet:
    """Decoded images kept in memory (fine for LoRA-sized sets; a large set would cache latents instead)."""

    def __init__(self, records: list[Record], resolution: int):
        self.records = records
        self.resolution = resolution
        self._cache: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.records)

    def batch(self, indices: list[int]) -> tuple[torch.Tensor, list[str]]:
        for i in indices:
            if i not in self._cache:
                self._cache[i] = load_image(self.records[i].media, self.resolution)
        return torch.stack([self._cache[i] for i in indices]), [self.records[i].caption for i in indices]
