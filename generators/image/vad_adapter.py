"""A continuous valence–arousal(–dominance) adapter that edits a diffusion model's prompt embeddings, in the spirit
of EmotiCrafter (ICCV 2025; FACTS §4).

As there, each axis value goes through its own MLP (1 → 256 → 16·width) and becomes 16 emotion tokens; the prompt
tokens cross-attend to them in one small transformer block, and the result is added to the prompt embeddings as a
residual. The output projection starts at zero, so an untrained adapter is an exact no-op and training starts from
the base model. Inputs are the spec's VAD in [−1, 1] times `vad_scale` (3, EmotiCrafter's [−3, 3] range). Weights
and config travel in one safetensors file (config in its metadata); training lives in a separate script.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from conditioning.errors import StudioError

FORMAT = "emotion-studio-vad-adapter"


class VADAdapter(nn.Module):
    """embed_dim: the prompt embeddings' width (768 SD 1.5, 2048 SDXL). axes: 2 (V, A) or 3 (V, A, D)."""

    def __init__(
        self,
        embed_dim: int,
        axes: int = 2,
        tokens: int = 16,
        hidden: int = 256,
        width: int = 256,
        heads: int = 4,
        vad_scale: float = 3.0,
    ):
        super().__init__()
        if axes not in (2, 3) or width % heads:
            raise ValueError("axes must be 2 or 3 and width a multiple of heads")
        self.config = dict(
            embed_dim=embed_dim, axes=axes, tokens=tokens, hidden=hidden, width=width, heads=heads, vad_scale=vad_scale
        )
        self.value_mlps = nn.ModuleList(
            nn.Sequential(nn.Linear(1, hidden), nn.SiLU(), nn.Linear(hidden, tokens * width)) for _ in range(axes)
        )
        self.norm = nn.LayerNorm(embed_dim)
        self.query = nn.Linear(embed_dim, width)
        self.key = nn.Linear(width, width)
        self.value = nn.Linear(width, width)
        self.attn_out = nn.Linear(width, width)
        self.ff_norm = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.out = nn.Linear(width, embed_dim)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def emotion_tokens(self, vad: torch.Tensor) -> torch.Tensor:
        """(batch, axes) scaled VAD → (batch, axes·tokens, width)."""
        width = self.config["width"]
        parts = [mlp(vad[:, i : i + 1]).view(vad.shape[0], -1, width) for i, mlp in enumerate(self.value_mlps)]
        return torch.cat(parts, dim=1)

    def forward(self, prompt_embeds: torch.Tensor, vad: torch.Tensor) -> torch.Tensor:
        """prompt_embeds (batch, seq, embed_dim), vad (batch, axes) in [−1, 1] → edited embeddings."""
        heads, width = self.config["heads"], self.config["width"]
        tokens = self.emotion_tokens(vad * self.config["vad_scale"])
        h = self.query(self.norm(prompt_embeds))

        def split(x):
            return x.view(x.shape[0], x.shape[1], heads, width // heads).transpose(1, 2)

        attended = F.scaled_dot_product_attention(split(h), split(self.key(tokens)), split(self.value(tokens)))
        h = h + self.attn_out(attended.transpose(1, 2).reshape(h.shape))
        h = h + self.ff(self.ff_norm(h))
        return prompt_embeds + self.out(h)

    @torch.no_grad()
    def apply(self, prompt_embeds: torch.Tensor, vad) -> torch.Tensor:
        """Edit a batch of prompt embeddings toward one (V, A[, D]) point, in the embeddings' dtype and device."""
        point = torch.tensor([list(vad)[: self.config["axes"]]], dtype=torch.float32)
        point = point.to(prompt_embeds.device).expand(prompt_embeds.shape[0], -1)
        param = next(self.parameters())
        edited = self.forward(prompt_embeds.to(param.dtype), point.to(param.dtype))
        return edited.to(prompt_embeds.dtype)

    def save(self, path: Path) -> Path:
        from safetensors.torch import save_file

        state = {k: v.detach().contiguous().cpu() for k, v in self.state_dict().items()}
        save_file(state, str(path), metadata={"format": FORMAT, "config": json.dumps(self.config)})
        return Path(path)


def load_adapter(path, device=None, dtype: torch.dtype = torch.float32) -> VADAdapter:
    """Read an adapter saved by `VADAdapter.save`; anything else is one clear StudioError."""
    from safetensors import SafetensorError, safe_open
    from safetensors.torch import load_file

    path = Path(path).expanduser()
    if not path.is_file():
        raise StudioError(f"VAD adapter {path} does not exist; train one or drop --vad-adapter.")
    if path.suffix != ".safetensors":
        raise StudioError(f"VAD adapter {path.name} must be a .safetensors file (pickle is never loaded).")
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        config = json.loads(metadata["config"]) if metadata.get("format") == FORMAT else None
        if config is None:
            raise KeyError("format")
        adapter = VADAdapter(**config)
        adapter.load_state_dict(load_file(str(path)))
    except (SafetensorError, KeyError, TypeError, ValueError, RuntimeError, json.JSONDecodeError):
        raise StudioError(f"{path.name} is not an emotion-studio VAD adapter; save one with VADAdapter.save.") from None
    return adapter.to(device=device, dtype=dtype).eval()
