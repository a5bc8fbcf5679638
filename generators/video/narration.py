"""A narrated clip: speech for the same emotion (or arc) from the eSpeak NG voice backend, muxed into the MP4.

The speech is trimmed (with a 30 ms fade, so the cut does not click) or padded with silence to exactly the video's
length, then muxed by the ffmpeg binary that ships in imageio-ffmpeg: the H.264 stream is copied untouched and the
voice is encoded as AAC. moviepy would do the same through the same binary with a re-encode of the video, so it is
not needed. Both video backends call `mux_voice` on their finished (temporary) MP4 before it is renamed into place;
Wan, whose denoising takes far longer than speaking, starts the speech first (`speak_ahead`, on a thread: eSpeak
runs in C without the GIL) and muxes the finished track with `mux_track`: the same samples, so the same bytes.
eSpeak and soundfile are imported when a clip is narrated, so a video backend loads without them.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from conditioning.arc import EmotionArc
from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec

FADE_S = 0.03
AUDIO_BITRATE = "128k"


def check_voice(words, language, out: Path) -> tuple[str, str] | None:
    """Validate --voice before any rendering: (words, language), or None when there is nothing to say."""
    if words is None:
        return None
    from generators.voice.espeak import check_language

    if not isinstance(words, str) or not words.strip():
        raise StudioError('--voice needs the words to speak, e.g. --voice "the tide comes in".')
    if Path(out).suffix.lower() != ".mp4":
        raise StudioError(f"--voice adds a sound track, which {Path(out).suffix} cannot hold; write an .mp4.")
    return words.strip(), check_language(language or "en")


def fit_length(samples: np.ndarray, sample_rate: int, seconds: float) -> np.ndarray:
    """Exactly `seconds` of audio: trimmed with a short fade-out, or padded with silence."""
    target = int(round(seconds * sample_rate))
    if len(samples) <= target:
        return np.concatenate([samples, np.zeros(target - len(samples), dtype=samples.dtype)])
    cut = samples[:target].copy()
    fade = min(target, int(FADE_S * sample_rate))
    if fade:
        cut[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=cut.dtype)
    return cut


@dataclass(frozen=True)
class Spoken:
    """Speech fitted to a clip: the samples, their rate, and the narration's provenance."""

    track: np.ndarray
    rate: int
    info: dict


def speak(
    emotion: EmotionSpec | EmotionArc, words: str, duration: float, language: str = "en", seed: int = 0
) -> Spoken:
    """`words` in `emotion`'s voice, trimmed or padded to exactly `duration` seconds."""
    from generators.voice.espeak import synthesize

    samples, rate = synthesize(words, emotion, language=language, seed=seed)
    spoken_s = len(samples) / rate
    track = fit_length(samples, rate, duration)
    info = {
        "words": words,
        "language": language,
        "backend": "espeak",
        "spoken_s": round(spoken_s, 3),
        "track_s": round(len(track) / rate, 3),
        "trimmed": spoken_s > duration,
        "sample_rate": rate,
    }
    return Spoken(track, rate, info)


def speak_ahead(
    emotion: EmotionSpec | EmotionArc, words: str, duration: float, language: str = "en", seed: int = 0
) -> Future:
    """`speak` on its own thread, so the speech is ready when the video is; the Future holds its `Spoken`."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-narration")
    try:
        return pool.submit(speak, emotion, words, duration, language, seed)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def mux_track(video_path: Path, spoken: Spoken) -> dict:
    """Put `spoken` into `video_path` (replaced in place); returns the narration's provenance."""
    import soundfile

    from generators.media.ffmpeg_process import run as run_ffmpeg

    video_path = Path(video_path)
    with tempfile.TemporaryDirectory(dir=video_path.parent, prefix=".voice.") as folder:
        wav, muxed = Path(folder) / "voice.wav", Path(folder) / f"muxed{video_path.suffix}"
        soundfile.write(str(wav), spoken.track, spoken.rate, subtype="PCM_16")
        command = [
            "-v", "error", "-y", "-i", str(video_path), "-i", str(wav),
            "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-b:a", AUDIO_BITRATE,
            "-movflags", "+faststart", str(muxed),
        ]  # fmt: skip
        result = run_ffmpeg(command)
        if result.returncode != 0:
            raise RuntimeError(f"ffmpeg could not mux the narration: {result.stderr.strip()[:300]}")
        os.replace(muxed, video_path)
    return dict(spoken.info)


def mux_voice(
    video_path: Path,
    emotion: EmotionSpec | EmotionArc,
    words: str,
    duration: float,
    language: str = "en",
    seed: int = 0,
) -> dict:
    """Speak `words` in `emotion`'s voice and put it into `video_path` (replaced in place); returns provenance."""
    return mux_track(video_path, speak(emotion, words, duration, language, seed))
