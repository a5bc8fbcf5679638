"""eSpeak NG voice: real-time factor and memory of `synthesize()`, against the raw library call, in one run.

    python bench/voice_espeak.py

Prints the median real-time factor (audio seconds per synthesis second) of the studio path (plan: sentences, styles,
SSML; then a fresh eSpeak session speaking each sentence) and of the raw call (a fresh session speaking the plain
text with the default voice), their time ratio (the studio's cost on top of eSpeak), the cost of the fresh session
itself, and memory: tracemalloc's peak of Python allocations during one synthesis, the process's peak RSS, and RSS
growth over many sessions (the load/unload per session must not leak). Budget (issue): RTF ≥ 50×.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PHRASES = [
    "I never thought we would see the ocean again.",
    "The train was late, so we walked the last few miles through the rain. Nobody said a word.",
    "Open the door! Open it now, before they get here!",
    "She kept the letter for years. Every spring she read it once more, and every spring it said the same thing.",
    "Well, that is one way to do it, I suppose.",
]
EMOTIONS = ["calm", "furious", "sad", "joy", "fear"]
REPEATS = 3


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    from conditioning import resolve
    from generators.voice import espeak_library as lib
    from generators.voice.espeak import SAMPLE_RATE, synthesize

    specs = {name: resolve(name) for name in EMOTIONS}

    def raw(text):
        with lib.session() as session:
            session.set_voice("en")
            return session.speak(text)

    synthesize(PHRASES[0], specs["calm"])  # warm-up: imports, file cache
    raw(PHRASES[0])
    studio_rtf, raw_rtf, ratios = [], [], []
    for _ in range(REPEATS):
        for phrase in PHRASES:
            start = time.perf_counter()
            base = raw(phrase)
            raw_s = time.perf_counter() - start
            raw_rtf.append(len(base) / SAMPLE_RATE / raw_s)
            for spec in specs.values():
                start = time.perf_counter()
                samples, _ = synthesize(phrase, spec)
                studio_s = time.perf_counter() - start
                studio_rtf.append(len(samples) / SAMPLE_RATE / studio_s)
                ratios.append(studio_s / raw_s)
    session_ms = []
    for _ in range(50):
        start = time.perf_counter()
        with lib.session():
            pass
        session_ms.append((time.perf_counter() - start) * 1000)

    longest = max(PHRASES, key=len)
    tracemalloc.start()
    samples, _ = synthesize(longest, specs["furious"])
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    before = rss_mib()
    for _ in range(200):
        synthesize(PHRASES[0], specs["sad"])
    growth = rss_mib() - before
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    studio = statistics.median(studio_rtf)
    print(f"eSpeak NG {lib.version()}, {len(PHRASES)} phrases x {len(EMOTIONS)} emotions x {REPEATS}")
    print(f"studio synthesize(): RTF {studio:.0f}x (median)   budget 50x -> {'OK' if studio >= 50 else 'UNDER'}")
    print(f"raw eSpeak call:     RTF {statistics.median(raw_rtf):.0f}x (median)")
    print(f"ratio studio/raw:    {statistics.median(ratios):.2f}x time per phrase (median)")
    print(f"fresh session (load, init, unload): {statistics.median(session_ms):.2f} ms (median)")
    print(f"tracemalloc peak, one synthesis of {len(samples) / SAMPLE_RATE:.1f} s: {py_peak / 2**20:.2f} MiB")
    print(f"process peak RSS (ru_maxrss): {maxrss_mib:.0f} MiB; RSS growth over 200 syntheses: {growth:+.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
