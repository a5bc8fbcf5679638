"""The numpy MiniLM reads text as the torch model does, and the shipped anchor embeddings are not stale."""

import subprocess
import sys

import numpy as np
import pytest

from conditioning.text_encoder import encoder_available

pytestmark = pytest.mark.skipif(not encoder_available(), reason="sentence encoder extra not installed")

TEXTS = [
    "eerie calm",
    "my dog died this morning",
    "There's a noise downstairs and I'm home alone!!",
    "wow, I did not see that coming",
    "a " * 300,  # longer than the 256-token window: truncated the same way
]


def test_numpy_forward_matches_sentence_transformers():
    pytest.importorskip("sentence_transformers")
    from conditioning.minilm_numpy import NumpyMiniLM
    from conditioning.text_encoder import load_base_model

    numpy_rows = NumpyMiniLM().encode(TEXTS)
    torch_rows = load_base_model().encode(TEXTS, normalize_embeddings=True)
    assert numpy_rows.dtype == np.float32
    assert np.abs(numpy_rows - torch_rows).max() < 1e-5
    # batching by length must not mix rows up
    assert np.allclose(NumpyMiniLM().encode(TEXTS[::-1])[::-1], numpy_rows, atol=1e-6)


def test_merged_adapter_changes_the_embedding_as_a_merged_torch_lora_does():
    pytest.importorskip("sentence_transformers")
    import torch
    from safetensors.numpy import load_file

    from conditioning.text_encoder import ADAPTER_PATH, LORA_ALPHA, LORA_RANK, TextEncoder, load_base_model

    tensors = load_file(str(ADAPTER_PATH))
    model = load_base_model()
    modules = dict(model[0].auto_model.named_modules())
    with torch.no_grad():
        for key in tensors:
            if key.startswith("lora.") and key.endswith(".A"):
                name = key[len("lora.") : -len(".A")]
                low_rank = torch.from_numpy(tensors[f"lora.{name}.B"]) @ torch.from_numpy(tensors[key])
                modules[name].weight += LORA_ALPHA / LORA_RANK * low_rank
    expected = model.encode(TEXTS, normalize_embeddings=True)
    got = TextEncoder().embed(TEXTS)
    assert np.abs(got - expected).max() < 1e-5
    assert np.abs(got - load_base_model().encode(TEXTS, normalize_embeddings=True)).max() > 1e-3  # the adapter acts


def test_shipped_anchor_embeddings_match_a_fresh_computation():
    from conditioning.anchor_embeddings import ANCHOR_PATH, anchor_embeddings, compute_anchor_embeddings
    from conditioning.lexicon import get_lexicon

    words = list(get_lexicon().entries)
    assert ANCHOR_PATH.exists(), "run `python -m conditioning.anchor_embeddings`"
    assert np.abs(anchor_embeddings(words) - compute_anchor_embeddings(words)).max() < 1e-5
    # a changed word list does not use the stale file
    assert anchor_embeddings(words[:-1]).shape[0] == len(words) - 1


def test_reading_text_does_not_import_torch():
    code = (
        "import sys; from conditioning import resolve; resolve('a trembling, barely held-back fear'); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
