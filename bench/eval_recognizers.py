"""Throughput of the judges and the report, each against a baseline measured in the same run.

    python bench/eval_recognizers.py [--artifacts 1000] [--demo] [--prefetch-only]

Learned judges against the heuristic ones they replace as defaults: image_judge (EfficientNet-Lite0 + OASIS head)
vs image_features in images/s on the same real painter outputs, speech_judge (RAVDESS head) vs speech_features in
seconds of speech per second, both on the machine's cores as `studio eval` runs them. `--demo` also times
`studio demo`'s evaluation (6 emotions × image, video, voice; aim < 10 s) with the learned and the heuristic judges.

Prints: image recognizer images/s on real 512×512 outputs of the procedural painter (~270 KB PNGs) on one core (aim ≥ 50; baseline: the same analysis at full resolution,
plus how far the 128-px features drift from full-size ones), speech recognizer × real time on one core (aim ≥ 50;
baseline: YIN alone at the file's own sample rate instead of 8 kHz), and seconds for `evaluate` (score +
write the report) over N artifacts (images: real 512² painter outputs; speech and video: small synthetic files) (aim < 60 s for 1,000; baseline: the same with one worker).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def picture(rng, size: int) -> np.ndarray:
    """A gradient with a few saturated discs: decodes like a real PNG, not like noise."""
    yy, xx = np.mgrid[:size, :size] / size
    base = np.stack([xx, yy, 1 - xx], axis=-1) * rng.uniform(0.3, 1.0, 3)
    for _ in range(6):
        cx, cy, r = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.05, 0.2)
        base[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = rng.uniform(0, 1, 3)
    return (base * 255).astype(np.uint8)


LABELS = ["amusement", "awe", "contentment", "excitement", "anger", "disgust", "fear", "sadness"]


def real_image(path: Path, i: int, size: int = 512) -> Path:
    """What `studio generate image` writes (the procedural painter's PNG + sidecar, ~270 KB at 512²): real outputs
    decode several times slower than a smooth gradient, and decoding is most of a recognizer's time."""
    from studio import generate_image

    return generate_image(LABELS[i % len(LABELS)], seed=i, size=f"{size}x{size}", out=path).path


def speechlike(rng, seconds: float, sr: int = 22050) -> np.ndarray:
    """Syllable-rate bursts of a gliding harmonic tone with short pauses, plus a little noise."""
    t = np.arange(int(seconds * sr)) / sr
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = (0.5 - 0.5 * np.cos(2 * np.pi * 4.5 * t)) * (np.sin(2 * np.pi * 0.4 * t) > -0.8)
    return (0.2 * voice * envelope + 0.003 * rng.standard_normal(len(t))).astype(np.float32)


def rate(fn, items) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def bench_images(tmp: Path, rng) -> None:

    from eval.recognizers import image_features

    paths = []
    for i in range(40):
        paths.append(real_image(tmp / f"img{i}.png", i))
    image_features.recognize(paths[0])  # warm-up
    fast = rate(image_features.recognize, paths)
    full = rate(lambda p: image_features.recognize(p, max_side=None), paths[:10])
    print(
        f"image recognizer: {fast:7.1f} images/s on real 512x512 outputs "
        f"({statistics.mean(p.stat().st_size for p in paths) / 1000:.0f} KB PNGs; aim >= 50)  | full-resolution baseline {full:6.1f}/s"
        f"  -> {fast / full:.1f}x"
    )
    small = [image_features.recognize(p).attributes for p in paths[:10]]
    large = [image_features.recognize(p, max_side=None).attributes for p in paths[:10]]
    for key in ("brightness", "saturation", "colourfulness"):
        a, b = np.mean([x[key] for x in small]), np.mean([x[key] for x in large])
        print(f"    {key:<13} mean at 128 px {a:7.3f} vs full size {b:7.3f} ({100 * (a - b) / b:+.1f} %)")


def bench_speech(rng) -> None:
    from eval.recognizers import speech_features
    from eval.recognizers.pitch import yin

    seconds, sr = 60.0, 22050
    signal = speechlike(rng, seconds, sr)
    speech_features.recognize_signal(signal[:sr], sr)  # warm-up
    start = time.perf_counter()
    speech_features.recognize_signal(signal, sr)
    ours = seconds / (time.perf_counter() - start)
    start = time.perf_counter()
    yin(signal.astype(np.float64), sr, int(0.01 * sr))
    naive = seconds / (time.perf_counter() - start)
    print(
        f"speech recognizer: {ours:6.0f}x real time (aim >= 50)          | YIN at {sr} Hz alone {naive:6.0f}x"
        f"  -> {ours / naive:.1f}x"
    )


def bench_judges(tmp: Path, rng) -> None:
    """Learned vs heuristic defaults, same inputs, alternated A/B rounds; median ratio."""
    from eval.recognizers import image_features, image_judge, speech_features, speech_judge

    paths = [real_image(tmp / f"judge{i}.png", i) for i in range(16)]
    image_judge.recognize(paths[0])  # model load outside the timing
    learned, heuristic = [], []
    for _ in range(3):
        learned.append(rate(image_judge.recognize, paths))
        heuristic.append(rate(image_features.recognize, paths))
    batched = rate(lambda _: image_judge.recognize_arrays([image_features.load_rgb(p, None) for p in paths]), [0])
    print(
        f"image judge: {statistics.median(learned):6.1f} images/s (batched {batched * len(paths):5.1f}/s) | "
        f"image_features {statistics.median(heuristic):6.1f}/s  -> learned costs "
        f"{statistics.median(heuristic) / statistics.median(learned):.1f}x the heuristic's time"
    )
    seconds, sr = 20.0, 22050
    signal = speechlike(rng, seconds, sr)
    speech_judge.recognize_signal(signal[:sr], sr)
    learned, heuristic = [], []
    for _ in range(3):
        learned.append(rate(lambda x: speech_judge.recognize_signal(x, sr), [signal]) * seconds)
        heuristic.append(rate(lambda x: speech_features.recognize_signal(x, sr), [signal]) * seconds)
    print(
        f"speech judge: {statistics.median(learned):6.1f} s of speech per s | speech_features "
        f"{statistics.median(heuristic):6.1f}  -> learned costs "
        f"{statistics.median(heuristic) / statistics.median(learned):.1f}x the heuristic's time"
    )


def paired(sequential, ahead, rounds: int = 5) -> tuple[float, float, float, bool]:
    """Alternate A/B rounds of two ways to score the same files: (median ratio, median s of each, same results)."""
    ratios, times, same = [], {"a": [], "b": []}, True
    for round_ in range(rounds):
        order = (("a", sequential), ("b", ahead)) if round_ % 2 == 0 else (("b", ahead), ("a", sequential))
        results = {}
        for side, run in order:
            start = time.perf_counter()
            results[side] = [r.to_dict() for r in run()]
            times[side].append(time.perf_counter() - start)
        ratios.append(times["a"][-1] / times["b"][-1])
        same &= results["a"] == results["b"]
    return statistics.median(ratios), statistics.median(times["a"]), statistics.median(times["b"]), same


def bench_prefetch(tmp: Path) -> None:
    """Decoding the next file ahead (eval/prefetch.py) vs in the judge's thread, judged one file at a time."""
    from eval.prefetch import prefetched, prefetching
    from eval.recognizers import image_features, image_judge, video_features
    from studio import generate_video

    paths = [real_image(tmp / f"ahead{i}.png", i) for i in range(32)]
    image_judge.recognize(paths[0])  # model load outside the timing

    def ahead(score, decode, files):
        def run():
            with prefetching(files):
                return [score(prefetched(decode, p)) for p in files]

        return run

    cases = [
        ("image_features", lambda: [image_features.recognize(p) for p in paths],
         ahead(image_features.recognize_array, image_features.load_rgb, paths), "PNGs"),
        ("image_judge", lambda: [image_judge.recognize(p) for p in paths[:12]],
         ahead(lambda image: image_judge.recognize_images([image])[0], image_judge.open_rgb, paths[:12]), "PNGs"),
    ]  # fmt: skip
    clips = [
        generate_video(LABELS[i % 8], seed=i, size="256x256", duration=2.0, out=tmp / f"clip{i}.mp4").path
        for i in range(8)
    ]

    def clips_ahead():
        with prefetching(clips):  # video_features decodes through eval/ffmpeg_frames, which takes the plan
            return [video_features.recognize(p) for p in clips]

    cases.append(("video_features", lambda: [video_features.recognize(p) for p in clips], clips_ahead, "clips"))
    for name, sequential, with_plan, what in cases:
        ratio, a, b, same = paired(sequential, with_plan)
        print(
            f"decode ahead, {name:<14}: {b:6.2f} s | decoding in the judge's thread {a:6.2f} s  -> {ratio:.2f}x "
            f"(median of 5 A/B rounds, real {what}); same recognitions: {same}"
        )


def bench_demo(tmp: Path) -> None:
    """`studio demo`'s evaluation step, learned judges vs heuristic ones, on the demo's own outputs."""
    from eval.recognizers.registry import get_judge
    from eval.report import score_folder
    from studio.demo import run_demo

    out = tmp / "demo"
    run_demo(out, evaluate=False)
    timings = {}
    for label, recognizers in (("learned", None), ("heuristic", "image_features,video_features,speech_features")):
        for modality in ("image", "video", "voice"):  # models loaded outside the timing, as in a warm app
            get_judge(modality)
        start = time.perf_counter()
        score_folder(out, recognizers=recognizers, exclude=out / "report")
        timings[label] = time.perf_counter() - start
    print(
        f"demo evaluation (18 outputs): learned judges {timings['learned']:5.1f} s (aim < 10) | heuristic "
        f"{timings['heuristic']:5.1f} s -> {timings['learned'] / timings['heuristic']:.1f}x"
    )


def make_artifacts(folder: Path, n: int, rng) -> None:
    import imageio.v2 as imageio
    import soundfile

    from conditioning import resolve
    from conditioning.artifact import Artifact, provenance

    labels = LABELS
    specs = {label: resolve(label).to_dict() for label in labels}
    for i in range(n):
        label = labels[i % len(labels)]
        kind = ("image", "image", "image", "voice", "voice", "video")[i % 6] if i % 10 else "video"
        if kind == "image":  # a real output with its own sidecar
            real_image(folder / f"{i:04d}_{label}.png", i)
            continue
        elif kind == "voice":
            path = folder / f"{i:04d}_{label}.wav"
            soundfile.write(path, speechlike(rng, 1.0, 16000), 16000)
        else:
            path = folder / f"{i:04d}_{label}.mp4"
            frame = picture(rng, 64)
            with imageio.get_writer(path, fps=8, macro_block_size=1) as writer:
                for k in range(8):
                    writer.append_data(np.roll(frame, 4 * k, axis=1))
        record = provenance(modality=kind, spec=specs[label], backend="synthetic", seed=i, parameters={})
        Artifact(path=path, modality=kind, provenance=record).write_sidecar()


def bench_report(tmp: Path, n: int, rng) -> None:
    from eval.report import evaluate

    folder = tmp / "artifacts"
    folder.mkdir()
    start = time.perf_counter()
    make_artifacts(folder, n, rng)
    made = time.perf_counter() - start
    timings = {}
    for workers in (os.cpu_count() or 1, 1):
        start = time.perf_counter()
        report = evaluate(folder, tmp / f"report{workers}", workers=workers)
        result, paths = report.result, report.paths
        timings[workers] = time.perf_counter() - start
    best = timings[os.cpu_count() or 1]
    size_mb = paths["html"].stat().st_size / 1e6
    counts = {m: v["n"] for m, v in result["metrics"]["by_modality"].items()}
    print(
        f"report over {n} artifacts {counts}: {best:5.1f} s (aim < 60) | one-worker baseline {timings[1]:5.1f} s"
        f"  -> {timings[1] / best:.1f}x   (html {size_mb:.1f} MB, {len(result['skipped'])} skipped, "
        f"artifacts made in {made:.0f} s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=int, default=1000)
    parser.add_argument("--demo", action="store_true", help="also time the evaluation of `studio demo`'s outputs")
    parser.add_argument("--prefetch-only", action="store_true", help="only decoding ahead vs in the judge's thread")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with tempfile.TemporaryDirectory() as tmp:
        if args.prefetch_only:
            bench_prefetch(Path(tmp))
            return 0
        if cores:
            os.sched_setaffinity(0, {min(cores)})  # the recognizer figures are per core
        bench_images(Path(tmp), rng)
        bench_speech(rng)
        if cores:
            os.sched_setaffinity(0, cores)
        bench_judges(Path(tmp), rng)
        bench_prefetch(Path(tmp))
        if args.demo:
            bench_demo(Path(tmp))
        bench_report(Path(tmp), args.artifacts, rng)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
