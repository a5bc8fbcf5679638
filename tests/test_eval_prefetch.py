"""Decoding ahead in `studio eval`: the next files are decoded on the prefetch thread while the judge scores this
one, each once, and every score, skip reason and error equals the sequential path's."""

import threading
from pathlib import Path

import pytest

from eval.ffmpeg_frames import decode_frames, ffmpeg_frames
from eval.prefetch import prefetched, prefetching
from eval.recognizers import image_features
from eval.report import find_media, score_folder
from studio import generate_image, generate_video
from studio.api import generate

EMOTIONS = ["joy", "fear", "calm", "anger", "awe", "sadness"]
HEURISTIC = "image_features,video_features,speech_features"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """Real studio outputs: painter PNGs, procedural clips, an eSpeak WAV, and a clip cut short."""
    folder = tmp_path_factory.mktemp("outputs")
    for i, emotion in enumerate(EMOTIONS):
        generate_image(emotion, seed=i, size="64x64", out=folder / f"i{i}.png")
    for i, emotion in enumerate(EMOTIONS[:3]):
        generate_video(emotion, seed=i, size="32x32", duration=1.0, fps=8, out=folder / f"v{i}.mp4")
    generate("voice", "sadness", text="The tide goes out.", backend="espeak", out=folder / "s0.wav")
    broken = generate_video("joy", seed=9, size="32x32", duration=1.0, fps=8, out=folder / "v9.mp4").path
    broken.write_bytes(broken.read_bytes()[:300])
    return folder


def recognize_image(path):
    """image_features with its decoding routed through the plan (the hook a recognizer's decoder takes)."""
    return image_features.recognize_array(prefetched(image_features.load_rgb, path))


def test_the_next_files_are_decoded_ahead_once_each(outputs):
    paths = sorted(outputs.glob("i*.png"))
    decoded_on = []

    def decode(path, side):
        decoded_on.append((Path(path).name, threading.current_thread().name))
        return image_features.load_rgb(path, side)

    with prefetching(paths):
        arrays = [prefetched(decode, path, 32) for path in paths]
    assert all((a == image_features.load_rgb(p, 32)).all() for a, p in zip(arrays, paths))
    threads = dict(decoded_on)
    assert len(decoded_on) == len(threads) == len(paths)  # each file decoded once
    assert threads.pop(paths[0].name) == threading.current_thread().name  # asked for before any was ahead
    assert all(thread.startswith("studio-prefetch") for thread in threads.values())


def test_without_a_plan_or_outside_it_decoding_is_a_plain_call(outputs):
    clip = outputs / "v0.mp4"
    frames = ffmpeg_frames(clip, "fps=4")
    with prefetching(sorted(outputs.glob("i*.png"))):  # a plan that does not hold the clip
        inside = ffmpeg_frames(clip, "fps=4")
    expected = decode_frames(clip, "fps=4")
    assert len(frames) == len(inside) == len(expected) == 4
    assert all((a == b).all() and (b == c).all() for a, b, c in zip(frames, inside, expected))


def test_a_decode_error_is_raised_by_the_call_that_would_have_decoded(outputs):
    clips = [outputs / "v0.mp4", outputs / "v9.mp4", outputs / "v1.mp4"]
    with pytest.raises(Exception) as direct:
        decode_frames(clips[1], "fps=4")
    with prefetching(clips):
        first = ffmpeg_frames(clips[0], "fps=4")  # starts decoding the broken one ahead
        with pytest.raises(type(direct.value)) as ahead:
            ffmpeg_frames(clips[1], "fps=4")
        last = ffmpeg_frames(clips[2], "fps=4")
    assert str(ahead.value) == str(direct.value)
    assert len(first) == len(last) == 4


@pytest.mark.parametrize("workers", [1, 4])
def test_scores_with_prefetch_equal_the_sequential_path(outputs, workers):
    sequential = score_folder(outputs, recognizers=HEURISTIC, workers=workers)
    media, _ = find_media(outputs)
    with prefetching(media):
        ahead = score_folder(outputs, recognizers=HEURISTIC, workers=workers)
        routed = score_folder(outputs, recognizers={"image": recognize_image}, workers=workers)
    assert ahead["items"] == sequential["items"] and ahead["skipped"] == sequential["skipped"]
    assert [s["file"] for s in ahead["skipped"]] == ["v9.mp4"]
    images = [it for it in sequential["items"] if it["modality"] == "image"]
    assert [it for it in routed["items"] if it["modality"] == "image"] == images and len(images) == 6
