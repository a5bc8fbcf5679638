"""Text → EmotionSpec latency with the model loaded, on one core; against the raw sentence-encoder call.

    python bench/text_to_spec.py

Prints the median milliseconds per phrase for `resolve()` and for a bare `SentenceTransformer.encode()` of the same
phrase, and their ratio (the studio's cost on top of the encoder). Budget (issue 2): under 20 ms per phrase.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PHRASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "quadrant_phrases.csv"


def median_ms(fn, items, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        for item in items:
            start = time.perf_counter()
            fn(item)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    import torch

    torch.set_num_threads(1)
    from conditioning import resolve
    from conditioning.text_encoder import get_text_encoder
    from conditioning.text_resolution import get_anchor_index

    phrases = [row["phrase"] for row in csv.DictReader(PHRASES.open(encoding="utf-8"))]
    start = time.perf_counter()
    encoder = get_text_encoder()
    get_anchor_index()
    load_s = time.perf_counter() - start
    for phrase in phrases[:5]:
        resolve(phrase)  # warm-up
    raw = median_ms(lambda p: encoder.model.encode([p], show_progress_bar=False), phrases)
    studio = median_ms(resolve, phrases)
    print(f"model load (encoder + anchors): {load_s:.1f} s")
    print(f"raw encoder.encode: {raw:.2f} ms/phrase (median, 1 thread, {len(phrases)} phrases x 3)")
    print(f"studio resolve():   {studio:.2f} ms/phrase   budget 20 ms -> {'OK' if studio < 20 else 'OVER'}")
    print(f"ratio resolve/raw:  {studio / raw:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
