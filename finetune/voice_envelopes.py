"""Measure how people's voices change their spectral envelope with each emotion, on RAVDESS, and write the table
the voice backends apply (generators/voice/spectral_envelope.py).

    python -m finetune.voice_envelopes [--data ../shared/data/ravdess] [--cache /tmp] [--actors 1-16]
        [--out generators/voice/data/ravdess_voice_envelopes.safetensors]

Per clip, the speech judge's own features (speech_judge_features: 40 log-mel bands of the speech frames, each frame
less its mean band, so the level drops out and only the balance across frequencies is left; the same cache as
`finetune.speech_judge`). Per actor, the mean over an emotion's clips at one intensity minus the mean over the same
actor's neutral clips; per emotion and intensity, the median over actors. Deterministic, no fitting. RAVDESS is
CC BY-NC-SA 4.0, and so is the table.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from conditioning import StudioError

log = logging.getLogger(__name__)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess"
DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "generators" / "voice" / "data" / "ravdess_voice_envelopes.safetensors"
)
INTENSITIES = ("normal", "strong")
LICENCE = "CC BY-NC-SA 4.0 (derived from RAVDESS, Livingstone & Russo 2018)"


def band_columns() -> list[int]:
    from eval.recognizers.speech_judge_features import N_MELS, feature_names

    names = feature_names()
    return [names.index(f"mel{i}_mean") for i in range(N_MELS)]


def band_centres_hz() -> np.ndarray:
    """Centre frequency of each of the judge's mel bands."""
    from eval.recognizers.speech_judge_features import mel_band_edges

    return mel_band_edges()[1:-1]


def envelope_table(bands: np.ndarray, rows: list[dict], actors: set[str] | None = None) -> dict[str, np.ndarray]:
    """{"emotion/intensity": median over actors of (that delivery's mean band profile − the actor's neutral one)}
    from (n_clips, n_bands) profiles and the clips' label rows; `actors` limits which actors count."""
    emotions = np.array([r["emotion"] for r in rows])
    intensity = np.array([r["intensity"] for r in rows])
    who = np.array([f"{int(r['actor']):02d}" for r in rows])
    chosen = sorted(set(who) if actors is None else {f"{int(a):02d}" for a in actors} & set(who))
    table = {}
    for emotion in sorted(set(emotions) - {"neutral"}):
        for level in INTENSITIES:
            deltas = []
            for actor in chosen:
                neutral = (who == actor) & (emotions == "neutral")
                clips = (who == actor) & (emotions == emotion) & (intensity == level)
                if neutral.any() and clips.any():
                    deltas.append(bands[clips].mean(axis=0) - bands[neutral].mean(axis=0))
            if deltas:
                table[f"{emotion}/{level}"] = np.median(deltas, axis=0)
    if not table:
        raise StudioError("No actor has both neutral and emotional clips here; pass the RAVDESS folder with --data.")
    return table


def save_table(table: dict[str, np.ndarray], card: dict, out: Path) -> None:
    from safetensors.numpy import save_file

    from conditioning.atomic import atomic_path

    names = sorted(table)
    arrays = {
        "curves": np.ascontiguousarray(np.stack([table[n] for n in names]), dtype=np.float32),
        "centres_hz": np.ascontiguousarray(band_centres_hz(), dtype=np.float32),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        save_file(arrays, str(tmp), metadata={"rows": json.dumps(names), "card": json.dumps(card, ensure_ascii=False)})


def parse_actors(text: str) -> set[str]:
    """'1-16' or '1-8,12' → {'01', …}; a bad form is one sentence."""
    chosen = set()
    try:
        for part in filter(None, text.split(",")):
            lo, _, hi = part.partition("-")
            chosen |= {f"{a:02d}" for a in range(int(lo), int(hi or lo) + 1)}
    except ValueError:
        raise StudioError(f"--actors {text!r} must be numbers and ranges, e.g. 1-8 or 1-8,12.") from None
    return chosen


def main(argv=None) -> int:
    from finetune.speech_judge import cached_features, read_labels

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(prog="finetune.voice_envelopes", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="RAVDESS folder (labels.csv, audio/)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp"), help="where the judge's feature npz is kept")
    parser.add_argument("--actors", default="1-16", help="which actors to measure, e.g. 1-8")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    rows = read_labels(args.data)
    actors = parse_actors(args.actors)
    bands = cached_features(args.data, rows, args.cache, args.workers)[:, band_columns()].astype(np.float64)
    table = envelope_table(bands, rows, actors)
    used = sorted(actors & {f"{int(r['actor']):02d}" for r in rows})
    card = {
        "source": f"RAVDESS speech, actors {used[0]}–{used[-1]} ({len(used)}), each emotion against the actor's neutral",
        "method": "median over actors of the change in mean log-mel band profile (frame mean removed)",
        "licence": LICENCE,
    }
    save_table(table, card, args.out)
    for name, curve in sorted(table.items()):
        print(f"{name:20s} dB at every 4th band: {np.round(curve[::4] * 10 / np.log(10), 1).tolist()}")
    print(f"{len(table)} deliveries from {len(used)} actors → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
