"""The text reader as users meet it: first-call latency, per-phrase latency, and agreement with people.

    python bench/text_reader.py [--dev-limit N] [--skip-data]

Prints (issue 19's budgets: first answer ≤ 3 s, ≤ 10 ms per phrase after it):
- the wall time of a fresh `studio emotion "eerie calm"` process (median of 3), and the same process when it must
  import torch and sentence-transformers as the reader did before (the ratio is the figure);
- the median ms per phrase of `resolve()` on the phrase set once loaded, as the CLI runs it;
- GoEmotions dev, comments with one Ekman label: top-1, macro-F1 and the confusion matrix of the whole reader
  (`resolve(text, taxonomy="ekman7").label`, what `studio emotion --taxonomy ekman7` prints) beside the category
  head alone (the 0.60 logistic-regression floor is in the issue);
- EmoBank test split through the whole reader: how many answered, Pearson r for V, A, D (the head alone: V 0.71,
  A 0.48, D 0.44; the EmoBank-only LoRA's head V 0.71, A 0.50, D 0.39).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
PHRASES = ROOT / "tests" / "data" / "quadrant_phrases.csv"


def first_call_seconds(preload: str = "", runs: int = 3) -> float:
    code = f"{preload}import sys; from studio.cli import main; sys.exit(main(['emotion', 'eerie calm']))"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_phrase_ms() -> float:
    from conditioning import resolve

    phrases = [row["phrase"] for row in csv.DictReader(PHRASES.open(encoding="utf-8"))]
    for phrase in phrases[:5]:
        resolve(phrase)  # warm-up: encoder, anchors, heads
    times = []
    for phrase in phrases:
        start = time.perf_counter()
        resolve(phrase)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def goemotions_dev(limit: int) -> None:
    from conditioning import resolve
    from conditioning.errors import StudioError
    from conditioning.text_categories import goemotion_probabilities
    from conditioning.text_encoder import get_text_encoder
    from finetune.text_categories import EKMAN, ekman_probs, ekman_scores, read_split, single_ekman

    texts, labels = read_split(DATA / "goemotions" / "dev.tsv")
    truth = single_ekman(labels)
    keep = [i for i in np.flatnonzero(truth >= 0)][:limit]
    texts, truth = [texts[i] for i in keep], truth[keep]
    head = ekman_probs(goemotion_probabilities(get_text_encoder().embed(texts))).argmax(1)
    reader, refused = [], 0
    for text in texts:
        try:
            label = resolve(text, taxonomy="ekman7").label
        except StudioError:
            label, refused = "neutral", refused + 1
        reader.append(EKMAN.index("joy" if label == "happiness" else label))
    for name, pred in (("category head alone", head), ("whole reader (studio emotion)", np.array(reader))):
        top1, macro, confusion = ekman_scores(pred, truth)
        print(f"GoEmotions dev single-label Ekman, {name}: top-1 {top1:.3f}, macro-F1 {macro:.3f} (n={len(truth)})")
    print(f"  whole reader refused {refused}; confusion (rows truth, columns prediction: {', '.join(EKMAN)}):")
    for label, row in zip(EKMAN, confusion):
        print(f"  {label:>8} " + " ".join(f"{n:5d}" for n in row))


def emobank_test() -> None:
    from conditioning import resolve
    from conditioning.errors import StudioError

    rows = [
        r for r in csv.DictReader((DATA / "emobank" / "emobank.csv").open(encoding="utf-8")) if r["split"] == "test"
    ]
    got, want, refused = [], [], 0
    for row in rows:
        try:
            got.append(resolve(row["text"]).vad)
        except StudioError:
            refused += 1
            continue
        want.append([(float(row[k]) - 3) / 2 for k in "VAD"])
    got, want = np.array(got), np.array(want)
    r = [np.corrcoef(got[:, i], want[:, i])[0, 1] for i in range(3)]
    print(
        f"EmoBank test through the whole reader: {len(got)}/{len(rows)} answered, r V {r[0]:.3f} A {r[1]:.3f} D {r[2]:.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-limit", type=int, default=100_000, help="first N single-label dev comments")
    parser.add_argument("--skip-data", action="store_true", help="latency only")
    args = parser.parse_args()
    numpy_s = first_call_seconds()
    torch_s = first_call_seconds("import torch, sentence_transformers; ")
    print(
        f"first answer of `studio emotion 'eerie calm'`: {numpy_s:.2f} s (budget 3 s); "
        f"with torch + sentence-transformers imported as before: {torch_s:.2f} s ({torch_s / numpy_s:.1f}x)"
    )
    from conditioning.minilm_numpy import machine_busy

    threads = "one BLAS thread: the machine is busy" if machine_busy() else "all BLAS threads: the cores are idle"
    print(f"per phrase once loaded: {per_phrase_ms():.2f} ms (median over the phrase set, {threads}; budget 10 ms)")
    if not args.skip_data:
        if not (DATA / "goemotions" / "dev.tsv").exists():
            print(f"no shared data under {DATA}; accuracy skipped")
            return 0
        goemotions_dev(args.dev_limit)
        emobank_test()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
