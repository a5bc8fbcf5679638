"""Batched denoising with the single run's numbers: why a batch of N jobs can write the same bytes as N calls.

A CPU GEMM picks its kernel by the row count, so `Linear` over 2·N rows rounds differently (≈1e-7) from the same
rows at 2 — enough to flip a pixel of the PNG. Inside `single_run_numbers`, every `Linear` of the pipeline runs
row-block by row-block in the single run's shape (rows ÷ N), and the VAE decodes one latent at a time; the
convolutions, attention and the Python overhead — most of the cost — stay batched. Checked on the tiny SD by
tests/test_batch_diffusion.py; a GPU's cuDNN may still pick another convolution algorithm for a bigger batch.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F


def _blockwise(module: torch.nn.Linear, jobs: int):
    def forward(inp: torch.Tensor) -> torch.Tensor:
        rows = inp.shape[0]
        if inp.dim() < 2 or rows < jobs or rows % jobs:  # not a stack of the jobs' rows: leave it whole
            return F.linear(inp, module.weight, module.bias)
        return torch.cat([F.linear(block, module.weight, module.bias) for block in inp.split(rows // jobs)])

    return forward


@contextmanager
def single_run_numbers(pipe, jobs: int):
    """While active, `pipe` computes a batch of `jobs` requests with each one's single-run arithmetic."""
    patched, vaes = [], []
    if jobs > 1:
        for component in pipe.components.values():
            if not isinstance(component, torch.nn.Module):
                continue
            for module in component.modules():
                if isinstance(module, torch.nn.Linear) and "forward" not in module.__dict__:
                    module.forward = _blockwise(module, jobs)
                    patched.append(module)
        vae = getattr(pipe, "vae", None)
        if vae is not None and hasattr(vae, "use_slicing"):
            vaes.append((vae, vae.use_slicing))
            vae.use_slicing = True
    try:
        yield
    finally:
        for module in patched:
            del module.forward
        for vae, before in vaes:
            vae.use_slicing = before
