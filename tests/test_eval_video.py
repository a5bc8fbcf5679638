"""Video recognizer on synthetic clips: motion energy, rhythm, per-second VAD."""

import imageio.v2 as imageio
import numpy as np
import pytest

from conditioning import StudioError
from eval.recognizers import video_features


def moving_disc(speed_hz: float, seconds: int = 3, fps: int = 16, size: int = 128) -> list[np.ndarray]:
    """A bright disc swinging left–right `speed_hz` times a second over a dark ground."""
    yy, xx = np.mgrid[:size, :size]
    frames = []
    for i in range(seconds * fps):
        cx = size / 2 + size * 0.3 * np.sin(2 * np.pi * speed_hz * i / fps)
        frame = np.full((size, size, 3), 40, np.uint8)
        frame[(xx - cx) ** 2 + (yy - size / 2) ** 2 < (size * 0.12) ** 2] = (230, 180, 60)
        frames.append(frame)
    return frames


def write_mp4(path, frames, fps=16):
    with imageio.get_writer(path, fps=fps, macro_block_size=1) as writer:
        for frame in frames:
            writer.append_data(frame)
    return path


def test_faster_motion_has_more_motion_energy_and_arousal(tmp_path):
    slow = video_features.recognize(write_mp4(tmp_path / "slow.mp4", moving_disc(0.25)))
    fast = video_features.recognize(write_mp4(tmp_path / "fast.mp4", moving_disc(1.5)))
    assert fast.attributes["motion_energy"] > 2 * slow.attributes["motion_energy"]
    assert fast.vad[1] > slow.vad[1]
    assert abs(fast.attributes["motion_rhythm_hz"] - 3.0) < 0.5  # energy peaks twice per swing


def test_per_second_vad_has_one_entry_per_second(tmp_path):
    rec = video_features.recognize(write_mp4(tmp_path / "v.mp4", moving_disc(1.0, seconds=4)))
    assert rec.attributes["duration_s"] == pytest.approx(4.0, abs=0.1)
    assert [round(s["t"], 2) for s in rec.per_second] == [0.5, 1.5, 2.5, 3.5]
    assert all(len(s["vad"]) == 3 for s in rec.per_second)


def test_gif_reads_like_mp4(tmp_path):
    path = tmp_path / "v.gif"
    imageio.mimsave(path, moving_disc(1.0, seconds=2, fps=10), duration=100, loop=0)
    rec = video_features.recognize(path)
    assert len(rec.per_second) == 2 and rec.attributes["motion_energy"] > 0


def test_brightness_changes_show_in_the_per_second_track():
    frames = np.concatenate([np.full((12, 32, 32, 3), v, np.uint8) for v in (30, 220)])
    rec = video_features.recognize_frames(frames, fps=12)
    assert rec.per_second[1]["vad"][0] > rec.per_second[0]["vad"][0]


def test_truncated_video_is_a_studio_error(tmp_path):
    good = write_mp4(tmp_path / "good.mp4", moving_disc(1.0))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(good.read_bytes()[:200])
    with pytest.raises(StudioError):
        video_features.recognize(bad)
