"""The shipped EmoBank adapter beats the README's floor on the test split (which it never trained on)."""

import csv
from pathlib import Path

import numpy as np
import pytest

from conditioning.text_encoder import encoder_available, get_text_encoder

EMOBANK = Path(__file__).resolve().parents[2] / "shared" / "data" / "emobank" / "emobank.csv"
FLOOR = (0.63, 0.44, 0.35)  # frozen-embedding ridge, ../shared/data/emobank/README.md


@pytest.mark.skipif(not encoder_available(), reason="sentence encoder extra not installed")
@pytest.mark.skipif(not EMOBANK.exists(), reason=f"EmoBank not found at {EMOBANK}")
def test_text_to_vad_beats_the_floor_on_the_test_split():
    rows = [r for r in csv.DictReader(EMOBANK.open(encoding="utf-8")) if r["split"] == "test"]
    gold = np.array([[float(r[k]) for k in "VAD"] for r in rows])
    encoder = get_text_encoder()
    predicted = encoder.vad_from_embeddings(encoder.embed([r["text"] for r in rows]))
    r = [np.corrcoef(predicted[:, i], gold[:, i])[0, 1] for i in range(3)]
    assert all(ri > floor for ri, floor in zip(r, FLOOR)), r
