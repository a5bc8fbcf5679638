"""Piper's real-time factor (seconds of speech per second of compute) with and without the emotion transform, and
the peak memory for a 1,000-word text streamed to a WAV (issue: aim ≥ 5× real time with the transform on).

PYTHONPATH=. python bench/voice_piper.py [--words 1000]"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from studio.api import generate_voice

SENTENCES = (
    "I never thought I would see you here again.",
    "The train leaves at nine tomorrow morning, and nobody knows where it goes.",
    "We walked along the river until the lights of the town were gone.",
    "Tell me the truth this time, whatever it costs us both.",
)


def text_of(words: int) -> str:
    out, n, i = [], 0, 0
    while n < words:
        sentence = SENTENCES[i % len(SENTENCES)]
        out.append(sentence)
        n += len(sentence.split())
        i += 1
    return " ".join(out)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=1000)
    args = parser.parse_args()
    text = text_of(args.words)
    generate_voice("calm", text="Warm up.", out=Path(tempfile.gettempdir()) / "piper-warm.wav")  # load the voice
    before = peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        for shaped in (False, True):
            start = time.perf_counter()
            art = generate_voice("furious", text=text, prosody_transform=shaped, out=Path(folder) / f"{shaped}.wav")
            wall = time.perf_counter() - start
            audio_s = art.provenance["parameters"]["duration_s"]
            label = "with transform   " if shaped else "without transform"
            print(f"{label}: {audio_s:.1f} s of speech in {wall:.1f} s = {audio_s / wall:.2f}x real time")
    print(f"{args.words} words: peak RSS {peak_mb():.0f} MB (after loading the voice: {before:.0f} MB)")


if __name__ == "__main__":
    main()
