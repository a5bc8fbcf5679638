"""Train the GoEmotions categorical head on the studio's sentence embeddings.

    python -m finetune.text_categories --data ../shared/data/goemotions [--cache /tmp/goemotions_emb.npz]

Why: going text → VAD → nearest label loses the category the encoder already holds (a plain logistic regression
on MiniLM embeddings reaches 0.60 Ekman top-1 where the VAD route gets 0.34). The head is a 28-way softmax
regression (multi-label targets spread over a comment's labels) on the same adapted embedding the VAD head reads,
so one forward pass gives both. Class weighting and the L2 strength are picked on the dev split by Ekman macro-F1.
Embeddings are cached to a file so retraining takes seconds. Deterministic (fixed init, full-batch L-BFGS).
Output: `conditioning/data/goemotions_head.safetensors` (derived from GoEmotions, CC BY 4.0, Demszky et al. 2020).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from conditioning.text_categories import EKMAN_OF_GOEMOTION, GOEMOTIONS_LABELS, HEAD_PATH

log = logging.getLogger(__name__)
EKMAN = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


def read_split(path: Path) -> tuple[list[str], list[list[int]]]:
    """Texts and their label ids from a GoEmotions TSV (text, comma-separated ids, comment id)."""
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        texts.append(parts[0])
        labels.append([int(x) for x in parts[1].split(",") if x])
    return texts, labels


def cached_embeddings(data: Path, cache: Path, split: str, limit: int) -> np.ndarray:
    """Embeddings of the first `limit` comments of a split, computed once (minutes on a small CPU), kept in `cache`."""
    path = cache / f"goemotions_{split}.npy"
    texts, _ = read_split(data / f"{split}.tsv")
    limit = min(limit, len(texts))
    if path.exists() and len(np.load(path)) >= limit:
        return np.load(path)[:limit]
    from conditioning.text_encoder import get_text_encoder

    encoder = get_text_encoder()
    chunks = []
    with tqdm(total=limit, desc=f"embedding {split}", unit="comment", disable=None) as bar:
        for start in range(0, limit, 512):
            chunks.append(encoder.embed(texts[start : min(start + 512, limit)]))
            bar.update(len(chunks[-1]))
    out = np.concatenate(chunks)
    log.info("%s: %d embedded", split, len(out))
    np.save(path, out)
    return out


def targets(labels: list[list[int]]) -> np.ndarray:
    """Soft targets: each comment's probability mass spread evenly over its labels."""
    y = np.zeros((len(labels), len(GOEMOTIONS_LABELS)), dtype=np.float32)
    for i, ids in enumerate(labels):
        y[i, ids] = 1.0 / len(ids)
    return y


def fit_softmax(x: np.ndarray, y: np.ndarray, l2: float, class_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted softmax regression by full-batch L-BFGS (deterministic: zero init, no sampling)."""
    import torch

    torch.manual_seed(0)
    xt, yt = torch.from_numpy(x).double(), torch.from_numpy(y).double()
    wt = torch.from_numpy(class_weight).double()
    w = torch.zeros(x.shape[1], y.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(y.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=300, history_size=20, line_search_fn="strong_wolfe")
    sample_w = (yt * wt).sum(1)

    def closure():
        opt.zero_grad()
        logp = torch.log_softmax(xt @ w + b, dim=1)
        loss = -(sample_w * (yt * logp).sum(1)).sum() / sample_w.sum() + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy().T.astype(np.float32), b.detach().numpy().astype(np.float32)


def ekman_probs(probs: np.ndarray) -> np.ndarray:
    """Sum GoEmotions probabilities into the 7 Ekman groups (published grouping)."""
    out = np.zeros((len(probs), len(EKMAN)), dtype=np.float32)
    for j, name in enumerate(GOEMOTIONS_LABELS):
        out[:, EKMAN.index(EKMAN_OF_GOEMOTION[name])] += probs[:, j]
    return out


def single_ekman(labels: list[list[int]]) -> np.ndarray:
    """Ekman index per comment whose labels fall in one Ekman group, −1 otherwise."""
    out = []
    for ids in labels:
        groups = {EKMAN_OF_GOEMOTION[GOEMOTIONS_LABELS[i]] for i in ids}
        out.append(EKMAN.index(groups.pop()) if len(groups) == 1 else -1)
    return np.array(out)


def ekman_scores(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Top-1 accuracy, macro-F1 and the confusion matrix (rows truth, columns prediction)."""
    confusion = np.zeros((len(EKMAN), len(EKMAN)), dtype=int)
    for t, p in zip(truth, pred):
        confusion[t, p] += 1
    tp = np.diag(confusion).astype(float)
    precision = tp / np.maximum(confusion.sum(0), 1)
    recall = tp / np.maximum(confusion.sum(1), 1)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    return float(tp.sum() / confusion.sum()), float(f1.mean()), confusion


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/goemotions"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp"), help="folder for the embedding cache")
    parser.add_argument("--train-limit", type=int, default=10**9, help="first N train comments (default: all 43,410)")
    parser.add_argument("--out", type=Path, default=HEAD_PATH)
    parser.add_argument("--embed-only", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    emb = {
        "dev": cached_embeddings(args.data, args.cache, "dev", 10**9),
        "train": cached_embeddings(args.data, args.cache, "train", args.train_limit),
    }
    if args.embed_only:
        return 0
    _, train_labels = read_split(args.data / "train.tsv")
    train_labels = train_labels[: len(emb["train"])]
    _, dev_labels = read_split(args.data / "dev.tsv")
    y = targets(train_labels)
    truth = single_ekman(dev_labels)
    keep = truth >= 0
    freq = y.sum(0) / y.sum()
    best = None
    grid = [(power, l2) for power in (0.0, 0.5) for l2 in (1e-7, 1e-6, 1e-5)]
    for power, l2 in tqdm(grid, desc="fitting heads", unit="fit", disable=None):
        class_weight = (freq.mean() / freq) ** power
        w, b = fit_softmax(emb["train"], y, l2, class_weight)
        pred = ekman_probs(softmax(emb["dev"][keep] @ w.T + b)).argmax(1)
        acc, f1, confusion = ekman_scores(pred, truth[keep])
        log.info("power %.2f l2 %g: dev Ekman top-1 %.3f macro-F1 %.3f", power, l2, acc, f1)
        if best is None or f1 + acc > best[0]:
            best = (f1 + acc, power, l2, w, b, acc, f1, confusion)
    _, power, l2, w, b, acc, f1, confusion = best
    meta = {
        "dev_ekman_top1": f"{acc:.3f}",
        "dev_ekman_macro_f1": f"{f1:.3f}",
        "class_weight_power": str(power),
        "l2": str(l2),
        "dev_single_label_n": str(int(keep.sum())),
        "train_comments": str(len(y)),
        "licence": "CC BY 4.0, derived from GoEmotions (Demszky et al. 2020)",
    }
    from safetensors.numpy import save_file

    from conditioning.atomic import atomic_path

    with atomic_path(args.out) as tmp:
        # safetensors writes the buffer as it lies in memory: a transposed view would be saved scrambled
        save_file(
            {"head.weight": np.ascontiguousarray(w), "head.bias": np.ascontiguousarray(b)}, str(tmp), metadata=meta
        )
    print(json.dumps(meta, indent=1))
    print("confusion (rows truth, columns prediction):", " ".join(EKMAN))
    for name, row in zip(EKMAN, confusion):
        print(f"{name:>9}", " ".join(f"{v:5d}" for v in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
