"""Train the learned speech judge on RAVDESS (actors 01–16) and measure how well it agrees with people.

    python -m finetune.speech_judge [--data ../shared/data/ravdess] [--cache /tmp]
        [--out eval/data/ravdess_speech_head.safetensors] [--speaker-norm]

1. Features: `eval.recognizers.speech_judge_features.clip_features` per clip (cached as npz under --cache).
2. Selection: leave-2-speakers-out cross-validation (8 folds: actors 01+02, 03+04, …; never split by clip) over a
   small grid of the L2 strength C of a standardised multinomial logistic regression; the figures printed are
   nested (each outer fold picks C by its own inner leave-2-speakers-out CV on its 14 training actors), so the
   head's card does not flatter it. The shipped head is refit on all 16 actors with the C most folds chose.
3. Figures of the scores the recognizer outputs: arousal AUC of vad[1] (high: angry, happy, fearful, surprised vs
   low: neutral, calm, sad; disgust left out), valence AUC of vad[0] (positive: happy, calm, surprised vs negative:
   sad, angry, fearful, disgust; neutral left out), 8-class top-1, macro-F1 and the confusion matrix. The same
   figures for the heuristic speech_features judge on all 960 clips (it learns nothing), printed for its card.
4. The head: safetensors with mean, scale, weight, bias (numpy float32) and metadata card / labels /
   feature_version / normalisation. Only RAVDESS trains it: never the studio's own voices or its prosody targets.

--speaker-norm: every actor's features are z-scored by that actor's own 60 clips first
(eval/recognizers/speaker_norm.py), the same folds and grid follow, and the head goes to DEFAULT_SPEAKER_NORM_OUT; the
judge uses it only on a set of clips from one voice. Per-fold top-1 is printed for both variants, to read the
difference against the spread between folds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from conditioning import StudioError

log = logging.getLogger(__name__)

LABELS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
AROUSAL_HIGH, AROUSAL_LOW = ("angry", "happy", "fearful", "surprised"), ("neutral", "calm", "sad")
VALENCE_POS, VALENCE_NEG = ("happy", "calm", "surprised"), ("sad", "angry", "fearful", "disgust")
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "eval" / "data" / "ravdess_speech_head.safetensors"
DEFAULT_SPEAKER_NORM_OUT = DEFAULT_OUT.with_name("ravdess_speech_head_speaker_norm.safetensors")


def read_labels(data: Path) -> list[dict]:
    table = data / "labels.csv"
    if not table.is_file():
        raise StudioError(f"{table} not found; pass --data, the RAVDESS folder that holds labels.csv and audio/.")
    with table.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    bad = sorted({r["emotion"] for r in rows} - set(LABELS))
    if bad:
        raise StudioError(f"{table}: unknown emotions {bad}; expected {list(LABELS)}.")
    return rows


def _one(path: str) -> np.ndarray:
    from eval.recognizers.speech_features import load_audio
    from eval.recognizers.speech_judge_features import clip_features

    return clip_features(*load_audio(Path(path)))


def extract(paths, workers: int = 2, progress: bool = True) -> np.ndarray:
    """(n_clips, n_features) float32, one row per path, in order."""
    from tqdm import tqdm

    paths = [str(p) for p in paths]
    if workers <= 1 or len(paths) < 8:
        rows = [_one(p) for p in tqdm(paths, desc="features", disable=not progress)]
    else:
        with ProcessPoolExecutor(workers) as pool:
            rows = list(
                tqdm(pool.map(_one, paths, chunksize=8), total=len(paths), desc="features", disable=not progress)
            )
    return np.stack(rows)


def cached_features(data: Path, rows: list[dict], cache: Path, workers: int) -> np.ndarray:
    from eval.recognizers.speech_judge_features import FEATURE_VERSION

    key = hashlib.sha1(("\n".join(r["path"] for r in rows) + str(data.resolve()) + FEATURE_VERSION).encode())
    file = cache / f"speech_judge_{FEATURE_VERSION}_{key.hexdigest()[:10]}.npz"
    if file.is_file():
        log.info("features from cache %s", file)
        return np.load(file)["features"]
    features = extract([data / r["path"] for r in rows], workers)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp.npz")
    np.savez(tmp, features=features)
    tmp.replace(file)
    return features


def fit(features: np.ndarray, labels, C: float = 0.03) -> dict:
    """Standardise + multinomial L2 logistic regression; the head as numpy arrays (labels in LABELS order)."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    features = np.asarray(features, dtype=np.float64)
    y = np.array([LABELS.index(label) for label in labels])
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-8] = 1.0
    model = LogisticRegression(C=C, solver="newton-cg", max_iter=500)
    with threadpool_limits(1):  # BLAS threads on a small problem are ~15× slower on two cores
        model.fit((features - mean) / scale, y)
    weight = np.zeros((len(LABELS), features.shape[1]))
    bias = np.full(len(LABELS), -30.0)  # a class absent from training data gets ~0 probability
    weight[model.classes_], bias[model.classes_] = model.coef_, model.intercept_
    return {k: v.astype(np.float32) for k, v in {"mean": mean, "scale": scale, "weight": weight, "bias": bias}.items()}


def predict_proba(head: dict, features: np.ndarray) -> np.ndarray:
    """(n, 8) probabilities in LABELS order; numpy only (the recognizer calls this too)."""
    z = (np.atleast_2d(features) - head["mean"]) / head["scale"]
    logits = z @ head["weight"].T + head["bias"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def label_vad() -> np.ndarray:
    """(8, 3) VAD point of each label, as the recognizer's judged.label_meaning gives it."""
    from eval.recognizers.judged import label_meaning

    return np.array([label_meaning(label)[0] for label in LABELS])


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (ties count half), by ranks."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def agreement(truth: list[str], vad: np.ndarray, predicted: list[str]) -> dict:
    """The card's figures from true labels, output VAD (n, 3) and the top label of each clip."""
    truth_arr, pred_arr = np.array(truth), np.array(predicted)
    a_mask = np.isin(truth_arr, AROUSAL_HIGH + AROUSAL_LOW)
    v_mask = np.isin(truth_arr, VALENCE_POS + VALENCE_NEG)
    matrix = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    for t, p in zip(truth_arr, pred_arr):
        matrix[LABELS.index(t), LABELS.index(p)] += 1
    recall = np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)
    precision = np.diag(matrix) / np.maximum(matrix.sum(axis=0), 1)
    f1 = np.where(recall + precision > 0, 2 * recall * precision / np.maximum(recall + precision, 1e-12), 0.0)
    return {
        "arousal_auc": round(auc(vad[a_mask, 1], np.isin(truth_arr[a_mask], AROUSAL_HIGH)), 3),
        "valence_auc": round(auc(vad[v_mask, 0], np.isin(truth_arr[v_mask], VALENCE_POS)), 3),
        "top1_8class": round(float((truth_arr == pred_arr).mean()), 3),
        "chance_top1": 0.125,
        "macro_f1": round(float(f1.mean()), 3),
        "confusion": {"labels": list(LABELS), "matrix": matrix.tolist()},
    }


def speaker_folds(actors: np.ndarray, per_fold: int = 2) -> list[np.ndarray]:
    """Boolean test masks: consecutive actors in twos (01+02, …), one man and one woman per fold."""
    ids = sorted(set(actors))
    return [np.isin(actors, ids[i : i + per_fold]) for i in range(0, len(ids), per_fold)]


def cv_proba(features, labels, actors, C: float) -> np.ndarray:
    """Out-of-fold probabilities, leave-2-speakers-out."""
    labels = np.asarray(labels)
    out = np.zeros((len(labels), len(LABELS)))
    for test in speaker_folds(actors):
        out[test] = predict_proba(fit(features[~test], labels[~test], C), features[test])
    return out


def log_loss(proba: np.ndarray, labels) -> float:
    idx = np.array([LABELS.index(label) for label in labels])
    return float(-np.log(proba[np.arange(len(idx)), idx] + 1e-12).mean())


def choose_C(features, labels, actors) -> tuple[float, dict]:
    """The C of C_GRID with the lowest leave-2-speakers-out log-loss, and each C's (log-loss, top-1)."""
    table = {}
    for C in C_GRID:
        proba = cv_proba(features, labels, actors, C)
        table[C] = (log_loss(proba, labels), float((np.array(LABELS)[proba.argmax(1)] == np.asarray(labels)).mean()))
    return min(table, key=lambda c: table[c][0]), table


def nested_cv(features, labels, actors) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold probabilities where each outer fold chose C on its own training actors."""
    from tqdm import tqdm

    labels = np.asarray(labels)
    out, chosen = np.zeros((len(labels), len(LABELS))), []
    for test in tqdm(speaker_folds(actors), desc="nested CV", unit="fold", disable=None):
        C, _ = choose_C(features[~test], labels[~test], actors[~test])
        chosen.append(C)
        out[test] = predict_proba(fit(features[~test], labels[~test], C), features[test])
        log.info("outer fold actors %s: C=%g", sorted(int(a) for a in set(actors[test])), C)
    return out, chosen


def fold_top1(proba: np.ndarray, labels, actors) -> list[float]:
    """Top-1 of each outer fold (two held-out actors), the spread a difference between variants is read against."""
    hit = np.array(LABELS)[proba.argmax(axis=1)] == np.asarray(labels)
    return [round(float(hit[test].mean()), 3) for test in speaker_folds(actors)]


SMALL_SETS = (7, 10, 14, 21)


def features_raw(args, rows) -> np.ndarray:
    return cached_features(args.data, rows, args.cache, args.workers).astype(np.float64)


def small_set_top1(raw, labels, actors, chosen: list[float], k: int, draws: int = 5) -> float:
    """Top-1 of the speaker-normalised judge when each held-out actor is normalised by the statistics of only k of
    their clips (random, `draws` times), as the judge will be on a small set: how many clips the set needs."""
    from eval.recognizers.speaker_norm import normalise_by_speaker, normalise_group

    labels, rng, hits = np.asarray(labels), np.random.default_rng(0), []
    trained = normalise_by_speaker(raw, actors)
    for C, test in zip(chosen, speaker_folds(actors)):
        head = fit(trained[~test], labels[~test], C)
        for actor in np.unique(actors[test]):
            clips = np.flatnonzero(actors == actor)
            for _ in range(draws):
                some = rng.choice(clips, k, replace=False)
                z = normalise_group(raw[some], apply_to=raw[clips])
                hits.append(np.mean(np.array(LABELS)[predict_proba(head, z).argmax(axis=1)] == labels[clips]))
    return round(float(np.mean(hits)), 3)


def window_agreement(data: Path, rows: list[dict], features, labels, actors, C: float, every: int = 3) -> dict:
    """Agreement of the recognizer's per-second estimates (1.5-s windows) on every `every`-th clip, out of fold."""
    from eval.recognizers.speech_features import load_audio
    from eval.recognizers.speech_judge import per_second

    labels, vads, truth = np.asarray(labels), label_vad(), []
    estimates = []
    for test in speaker_folds(actors):
        head = {**fit(features[~test], labels[~test], C), "labels": list(LABELS)}
        for i in np.flatnonzero(test & (np.arange(len(rows)) % every == 0)):
            for window in per_second(load_audio(data / rows[i]["path"])[0], head, vads):
                estimates.append(window["vad"])
                truth.append(labels[i])
    vad = np.array(estimates)
    nearest = [LABELS[int(np.argmin(((vads[:, :2] - v[:2]) ** 2).sum(axis=1)))] for v in vad]
    figures = agreement(truth, vad, nearest)
    return {"windows": len(vad), **{k: figures[k] for k in ("arousal_auc", "valence_auc")}}


def heuristic_agreement(data: Path, rows: list[dict], workers: int) -> dict:
    """speech_features on every clip: its vad, and its nearest RAVDESS emotion in valence–arousal."""
    from tqdm import tqdm

    from eval.recognizers import speech_features

    paths = [str(data / r["path"]) for r in rows]
    with ProcessPoolExecutor(workers) as pool:
        jobs = pool.map(_heuristic_vad, paths, chunksize=8)
        vads = list(tqdm(jobs, total=len(paths), desc=speech_features.NAME, disable=None))
    vad = np.array(vads)
    points = label_vad()[:, :2]
    nearest = [LABELS[int(np.argmin(((points - v[:2]) ** 2).sum(axis=1)))] for v in vad]
    return agreement([r["emotion"] for r in rows], vad, nearest)


def _heuristic_vad(path: str) -> tuple:
    from eval.recognizers import speech_features

    return speech_features.recognize(Path(path)).vad


def make_card(figures: dict, C: float, n_features: int, chosen: list[float], windows: dict | None) -> dict:
    from eval.recognizers.speech_judge_features import FEATURE_VERSION

    confusion = figures.pop("confusion")
    return {
        "name": "speech_judge",
        "modality": "voice",
        "kind": "learned",
        "model": (
            f"{n_features} per-clip acoustic features ({FEATURE_VERSION}: MFCC and delta statistics, log-mel bands, "
            f"spectral shape and contrast, loudness, YIN F0, timing, tilt) → standardised multinomial logistic "
            f"regression (L2, C={C:g}) over the 8 RAVDESS emotions; valence/arousal = probability-weighted VAD of "
            f"the emotion words"
        ),
        "trained_on": "RAVDESS speech, actors 01–16 (960 clips, 8 emotions; Livingstone & Russo 2018)",
        "validated_on": "leave-2-speakers-out CV, RAVDESS actors 01–16 (nested: C chosen inside each fold)",
        "agreement": figures,
        "confusion": confusion,
        "licence": "CC BY-NC-SA 4.0 (derived from RAVDESS)",
        "notes": (
            "Acted English speech by 16 North-American actors saying two fixed sentences; figures are for new "
            "speakers of that kind. Arousal AUC: angry/happy/fearful/surprised vs neutral/calm/sad (disgust out); "
            "valence AUC: happy/calm/surprised vs sad/angry/fearful/disgust (neutral out). Loudness is relative to "
            "the clip (recording gain ignored). Synthetic voices lie outside its training data: trust its "
            f"differences between takes more than its absolute labels. Outer folds chose C = {chosen}. "
            + (
                "per_second: the same head on 1.5-s windows centred on each second (silent windows skipped); out of "
                f"fold on {windows['windows']} windows of a third of the clips they agree less than whole clips: "
                f"arousal AUC {windows['arousal_auc']:.2f}, valence AUC {windows['valence_auc']:.2f}."
                if windows
                else ""
            )
        ),
    }


def save_head(head: dict, card: dict, out: Path, normalisation: str = "none") -> None:
    from safetensors.numpy import save_file

    from conditioning.atomic import atomic_path
    from eval.recognizers.speech_judge_features import FEATURE_VERSION

    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"card": json.dumps(card, ensure_ascii=False), "labels": json.dumps(list(LABELS))}
    arrays = {k: np.ascontiguousarray(v) for k, v in head.items()}  # safetensors writes the buffer as it lies
    with atomic_path(out) as tmp:
        save_file(
            arrays, str(tmp), metadata={**meta, "feature_version": FEATURE_VERSION, "normalisation": normalisation}
        )


def format_matrix(matrix) -> str:
    width = max(len(label) for label in LABELS)
    lines = [" " * width + " " + " ".join(f"{label[:5]:>5}" for label in LABELS)]
    lines += [f"{label:>{width}} " + " ".join(f"{v:5d}" for v in row) for label, row in zip(LABELS, matrix)]
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="finetune.speech_judge", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RAVDESS folder (labels.csv, audio/)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp"), help="where the feature npz is kept")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-heuristic", action="store_true", help="do not measure speech_features")
    parser.add_argument(
        "--speaker-norm",
        action="store_true",
        help="z-score each actor's features by their own clips (head for sets of clips from one voice)",
    )
    return parser.parse_args(argv)


def speaker_norm_card(figures: dict, C: float, n_features: int, chosen: list[float], folds: dict) -> dict:
    """The card of the speaker-normalised head: what it is, when the judge uses it, and its figures beside the
    plain head's on the same folds."""
    from eval.recognizers.speaker_norm import MIN_GROUP

    card = make_card(figures, C, n_features, chosen, windows=None)
    card["name"] = "speech_judge (speaker-normalised)"
    card["model"] = "each voice's features z-scored by that voice's own clips, then " + card["model"]
    card["notes"] = (
        "Trained with every RAVDESS actor's features z-scored by that actor's own 60 clips (speaker normalisation, "
        "Busso et al. 2009; Schuller et al. 2010); the validation normalises each held-out actor by their own 60 "
        f"clips too. Used only on a set of at least {MIN_GROUP} clips from one voice, normalised by that set: its "
        "verdicts say how each clip differs from the voice's usual self, and the set must span the voice's range "
        "(RAVDESS sets hold all 8 emotions). Top-1 when a held-out actor's statistics come from fewer clips (5 "
        f"random draws each): {folds['subsets']}. A single clip is judged by the plain head. Per-fold top-1, "
        f"normalised {folds['speaker_norm']} vs plain {folds['plain']}. Outer folds chose C = {chosen}. "
        "Acted English speech by 16 North-American actors saying two fixed sentences."
    )
    return card


def main(argv=None) -> int:
    from eval.recognizers.speaker_norm import normalise_by_speaker

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    rows = read_labels(args.data)
    labels = [r["emotion"] for r in rows]
    actors = np.array([int(r["actor"]) for r in rows])
    features = cached_features(args.data, rows, args.cache, args.workers)
    log.info("%d clips × %d features, %d actors", *features.shape, len(set(actors)))
    plain_folds = None
    if args.speaker_norm:
        plain_proba, _ = nested_cv(features, labels, actors)
        plain_folds = fold_top1(plain_proba, labels, actors)
        features = normalise_by_speaker(features, actors).astype(np.float32)
        if args.out == DEFAULT_OUT:
            args.out = DEFAULT_SPEAKER_NORM_OUT

    C, table = choose_C(features, labels, actors)
    for c, (loss, top1) in table.items():
        log.info("C=%-6g leave-2-speakers-out log-loss %.3f top-1 %.3f", c, loss, top1)
    proba, chosen = nested_cv(features, labels, actors)
    vad = proba @ label_vad()
    figures = agreement(labels, vad, [LABELS[i] for i in proba.argmax(axis=1)])
    folds = fold_top1(proba, labels, actors)
    variant = "speaker-normalised " if args.speaker_norm else ""
    print(
        f"speech_judge {variant}(nested leave-2-speakers-out CV): {json.dumps({k: v for k, v in figures.items() if k != 'confusion'})}"
    )
    print(f"per-fold top-1 {folds} (mean {np.mean(folds):.3f}, sd {np.std(folds):.3f})")
    print(format_matrix(figures["confusion"]["matrix"]))

    if args.speaker_norm:
        diffs = np.subtract(folds, plain_folds)
        print(f"plain per-fold top-1 {plain_folds}; normalised − plain per fold {diffs.round(3).tolist()}")
        subsets = {k: small_set_top1(features_raw(args, rows), labels, actors, chosen, k) for k in SMALL_SETS}
        print(f"top-1 with each held-out actor normalised by k random clips: {subsets}")
        card = speaker_norm_card(
            figures, C, features.shape[1], chosen, {"speaker_norm": folds, "plain": plain_folds, "subsets": subsets}
        )
        head = fit(features, labels, C)
        save_head(head, card, args.out, normalisation="speaker")
        print(f"head (C={C:g}, refit on all {len(set(actors))} actors) → {args.out}")
        return 0

    if not args.skip_heuristic:
        heuristic = heuristic_agreement(args.data, rows, args.workers)
        print(
            f"speech_features (heuristic, all clips): {json.dumps({k: v for k, v in heuristic.items() if k != 'confusion'})}"
        )
        print(format_matrix(heuristic["confusion"]["matrix"]))

    windows = window_agreement(args.data, rows, features, labels, actors, C)
    print(f"per-second windows (out of fold, every 3rd clip): {json.dumps(windows)}")
    head = fit(features, labels, C)
    save_head(head, make_card(figures, C, features.shape[1], chosen, windows), args.out)
    print(
        f"head (C={C:g}, refit on all {len(set(actors))} actors) → {args.out} ({args.out.stat().st_size // 1024} KiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
