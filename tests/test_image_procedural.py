"""The procedural painter: deterministic, valid PNGs, and every EmoArt attribute visibly moves the picture."""

import json
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from conditioning import StudioError, resolve
from conditioning.visual_style import visual_style
from generators.image import painter
from studio import generate_image

SIZE = (192, 192)


def render(style, seed=3):
    return np.asarray(painter.paint(style, SIZE, painter.make_genes(seed)), dtype=np.float32)


def luminance(pixels):
    return pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def saturation(pixels):
    high, low = pixels.max(-1), pixels.min(-1)
    return np.where(high > 0, (high - low) / np.maximum(high, 1e-6), 0).mean()


def base_style():
    return visual_style(resolve("0.1,0.1,0"))


def test_same_seed_same_bytes_other_seed_other_picture(tmp_path):
    a = generate_image("awe", seed=7, out=tmp_path / "a.png")
    b = generate_image("awe", seed=7, out=tmp_path / "b.png")
    c = generate_image("awe", seed=8, out=tmp_path / "c.png")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.path.read_bytes() != c.path.read_bytes()


def test_png_is_valid_any_size_with_embedded_and_sidecar_provenance(tmp_path):
    artifact = generate_image("joy", seed=1, size="320x200", text="sun over the sea", out=tmp_path / "joy.png")
    with Image.open(artifact.path) as img:
        img.verify()
    with Image.open(artifact.path) as img:
        assert img.size == (320, 200) and img.mode == "RGB"
        embedded = json.loads(img.text["emotion-studio"])
    sidecar = json.loads(artifact.sidecar.read_text())
    assert embedded["spec"] == sidecar["spec"] and sidecar["spec"]["source"] == "joy"
    assert sidecar["parameters"]["motif"] == "sun" and "render_s" in sidecar["timings"]
    assert "created" not in embedded  # keeps the PNG bytes reproducible


def test_colour_attribute_moves_saturation_and_hue():
    style = base_style()
    assert (
        saturation(render(replace(style, saturation=0.9))) > saturation(render(replace(style, saturation=0.15))) + 0.1
    )
    red = render(replace(style, hue=0, saturation=0.9)).mean((0, 1))
    blue = render(replace(style, hue=230, saturation=0.9)).mean((0, 1))
    assert red[0] > red[2] and blue[2] > blue[0]


def test_light_attribute_moves_brightness_and_contrast():
    style = base_style()
    assert (
        luminance(render(replace(style, brightness=0.8))).mean()
        > luminance(render(replace(style, brightness=0.25))).mean() + 40
    )
    assert (
        luminance(render(replace(style, contrast=0.95))).std() > luminance(render(replace(style, contrast=0.05))).std()
    )


def test_composition_attribute_moves_density_and_balance():
    style = replace(base_style(), texture=0.0)
    ground = np.asarray(painter.background(style, painter.make_genes(3), SIZE, None), dtype=np.float32)
    sparse = np.abs(render(replace(style, density=0.05)) - ground).sum(-1) > 40
    dense = np.abs(render(replace(style, density=0.95)) - ground).sum(-1) > 40
    assert dense.mean() > sparse.mean() + 0.1
    genes = painter.make_genes(3)
    centred = painter.focal_point(replace(style, balance=1.0), genes)[0]
    pushed = painter.focal_point(replace(style, balance=0.0), genes)[0]
    assert abs(centred - 0.5) < 1e-9 and abs(pushed - 0.5) > 0.15


def turning(paths):
    steps = np.diff(paths, axis=1)
    heading = np.arctan2(steps[..., 1], steps[..., 0])
    return np.abs(np.angle(np.exp(1j * np.diff(heading, axis=1)))).mean()


def test_line_attribute_turns_round_paths_into_jagged_ones():
    style, genes = base_style(), painter.make_genes(3)
    round_paths = painter.stroke_paths(replace(style, angularity=0.0), genes, SIZE)
    jagged_paths = painter.stroke_paths(replace(style, angularity=1.0), genes, SIZE)
    assert turning(jagged_paths) > 3 * turning(round_paths)
    assert np.abs(render(replace(style, angularity=1.0)) - render(replace(style, angularity=0.0))).mean() > 5


def test_brushwork_attribute_moves_stroke_length_and_texture():
    style, genes = base_style(), painter.make_genes(3)
    calm = painter.stroke_paths(replace(style, stroke_energy=0.05), genes, SIZE)
    wild = painter.stroke_paths(replace(style, stroke_energy=0.95), genes, SIZE)
    length = lambda p: np.linalg.norm(np.diff(p, axis=1), axis=-1).sum(1).mean()  # noqa: E731
    assert length(wild) > 2 * length(calm)
    rough = luminance(render(replace(style, texture=1.0)))
    smooth = luminance(render(replace(style, texture=0.0)))
    high_freq = lambda x: np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean()  # noqa: E731
    assert high_freq(rough) > high_freq(smooth)


def test_emotions_look_different_in_the_documented_direction(tmp_path):
    joy = np.asarray(Image.open(generate_image("joy", out=tmp_path / "j.png", size=SIZE).path), dtype=np.float32)
    fear = np.asarray(Image.open(generate_image("fear", out=tmp_path / "f.png", size=SIZE).path), dtype=np.float32)
    assert luminance(joy).mean() > luminance(fear).mean()


@pytest.mark.parametrize(("size", "needle"), [("0x64", "positive"), ("5000x64", "4096"), ("abc", "WIDTHxHEIGHT")])
def test_bad_sizes_are_refused_before_any_file_is_written(tmp_path, size, needle):
    with pytest.raises(StudioError, match=needle):
        generate_image("joy", size=size, out=tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_bad_output_paths_fail_before_work(tmp_path):
    with pytest.raises(StudioError, match=r"must end in \.png"):
        generate_image("joy", out=tmp_path / "x.jpg")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StudioError, match="Cannot create output folder"):
        generate_image("joy", out=blocker / "x.png")


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    real_save = Image.Image.save

    def save_then_interrupt(self, fp, *args, **kwargs):
        real_save(self, fp, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", save_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        generate_image("joy", out=tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []
