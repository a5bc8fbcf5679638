"""Neural voice and prosody transform: real-time factors on one core, measured in one run.

    python bench/voice_neural.py

Prints the median real-time factor (audio seconds per wall second) of
1. the prosody transform alone, on ~5 s of eSpeak's neutral voice, for several emotions (each exercising different
   effects: tempo, range, contour, tremor, creak, breath, tilt, stress) — budget (issue 8): ≥ 10×;
2. the tiny-VITS neural path, synthesis only (tests/tiny_vits.py: random weights, real architecture; no download),
   and the same path with the transform, with the ratio of transform time to synthesis time.
The tiny model is far smaller than facebook/mms-tts-eng, so its synthesis figure is an upper bound for VITS; the
transform's cost does not depend on the model, only on the seconds of audio.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_name] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

TEXT = "I never thought we would see the ocean again, after all those years away. The wind was cold."
EMOTIONS = ["furious", "sad", "fear", "joy", "disgust", "surprise"]
REPEATS = 3
BUDGET = 10.0


def main() -> int:
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from tiny_vits import save_tiny_vits

    from conditioning import resolve
    from conditioning.prosody_style import prosody_style
    from generators.voice import espeak, neural
    from generators.voice.prosody_transform import NEUTRAL, transform

    params = espeak.espeak_parameters(NEUTRAL)
    rows = [{"espeak": params, "ssml": espeak.sentence_ssml(TEXT, params)}]
    plain = espeak.render(rows, "en").astype(np.float32) / 32768.0
    sr, seconds = espeak.SAMPLE_RATE, len(plain) / espeak.SAMPLE_RATE
    transform(plain, sr, prosody_style(resolve("joy")))  # warm-up
    per_emotion = {}
    for emotion in EMOTIONS:
        style = prosody_style(resolve(emotion))
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            transform(plain, sr, style)
            times.append(time.perf_counter() - start)
        per_emotion[emotion] = seconds / statistics.median(times)
    transform_rtf = statistics.median(per_emotion.values())

    with tempfile.TemporaryDirectory() as folder:
        model = str(save_tiny_vits(Path(folder) / "tiny-vits"))
        neural.synthesize(TEXT, resolve("joy"), model, shaped=False)  # warm-up: load and first call
        synth_rtf, shaped_rtf, ratios = [], [], []
        for emotion in EMOTIONS:
            spec = resolve(emotion)
            for _ in range(REPEATS):
                start = time.perf_counter()
                samples, rate, _ = neural.synthesize(TEXT, spec, model, shaped=False)
                synth_s = time.perf_counter() - start
                start = time.perf_counter()
                shaped, rate, _ = neural.synthesize(TEXT, spec, model, shaped=True)
                both_s = time.perf_counter() - start
                synth_rtf.append(len(samples) / rate / synth_s)
                shaped_rtf.append(len(shaped) / rate / both_s)
                ratios.append((both_s - synth_s) / synth_s)

    print(f"one core (torch threads {torch.get_num_threads()}), {REPEATS} repeats, median real-time factors")
    print(
        f"prosody transform on {seconds:.1f} s of eSpeak speech ({sr} Hz): RTF {transform_rtf:.0f}x   "
        f"budget {BUDGET:.0f}x -> {'OK' if transform_rtf >= BUDGET else 'UNDER'}"
    )
    print("  per emotion: " + ", ".join(f"{e} {r:.0f}x" for e, r in per_emotion.items()))
    print(f"tiny VITS, synthesis only:        RTF {statistics.median(synth_rtf):.0f}x ({rate} Hz)")
    print(f"tiny VITS + prosody transform:    RTF {statistics.median(shaped_rtf):.0f}x")
    print(f"ratio transform / synthesis time: {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
