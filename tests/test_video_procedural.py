"""The procedural animator: valid H.264/GIF files, determinism, motion that follows arousal, arcs that change."""

import json

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

from conditioning import StudioError
from studio import generate_video


def frames_of(path):
    with imageio.get_reader(path) as reader:
        meta = reader.get_meta_data()
        return np.stack([np.asarray(f, dtype=np.float32) for f in reader]), meta


def test_mp4_is_h264_yuv420p_with_the_right_frames(tmp_path):
    artifact = generate_video("joy", seed=1, size="96x64", duration=1.0, fps=12, out=tmp_path / "joy.mp4")
    frames, meta = frames_of(artifact.path)
    assert frames.shape == (12, 64, 96, 3)
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    sidecar = json.loads(artifact.sidecar.read_text())
    assert sidecar["modality"] == "video" and sidecar["parameters"]["frames"] == 12


def test_same_seed_same_bytes(tmp_path):
    a = generate_video("fear", seed=5, size="64x64", duration=0.5, fps=12, out=tmp_path / "a.mp4")
    b = generate_video("fear", seed=5, size="64x64", duration=0.5, fps=12, out=tmp_path / "b.mp4")
    assert a.path.read_bytes() == b.path.read_bytes()


def test_gif_option(tmp_path):
    artifact = generate_video("calm", size="63x47", duration=0.5, fps=10, out=tmp_path / "calm.gif")
    with Image.open(artifact.path) as gif:
        assert gif.n_frames == 5 and gif.size == (63, 47)  # odd sides are fine for GIF


def motion_energy(frames):
    return np.abs(np.diff(frames, axis=0)).mean()


def test_aroused_emotions_move_more(tmp_path):
    kwargs = {"seed": 2, "size": "96x96", "duration": 1.0, "fps": 12}
    furious, _ = frames_of(generate_video("furious", out=tmp_path / "f.mp4", **kwargs).path)
    serene, _ = frames_of(generate_video("serenity", out=tmp_path / "s.mp4", **kwargs).path)
    assert motion_energy(furious) > 1.5 * motion_energy(serene)


def test_arc_from_calm_to_dread_darkens_and_records_per_second(tmp_path):
    artifact = generate_video(arc="calm:0,dread:2", size="64x64", fps=12, out=tmp_path / "arc.mp4")
    frames, _ = frames_of(artifact.path)
    assert len(frames) == 24  # the arc's length is the default duration
    assert frames[:4].mean() > frames[-4:].mean() + 10
    per_second = json.loads(artifact.sidecar.read_text())["styles"]["per_second"]
    assert [p["t"] for p in per_second] == [0.0, 1.0]
    assert per_second[0]["vad"][0] > per_second[1]["vad"][0]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"size": "65x64"}, "even sides"),
        ({"duration": 0}, "positive"),
        ({"fps": 0}, "Frame rate"),
        ({"duration": 0.05, "fps": 10}, "fewer than 2 frames"),
    ],
)
def test_bad_video_settings_are_refused_without_files(tmp_path, kwargs, needle):
    with pytest.raises(StudioError, match=needle):
        generate_video("joy", out=tmp_path / "x.mp4", **kwargs)
    assert list(tmp_path.iterdir()) == []
