"""video_lora on the tiny Wan2.1 T2V pipeline (no downloads): clips from a metadata.csv folder sampled to 4k+1
frames, latents cached, loss finite, resume equals uninterrupted, and the LoRA loads into plain WanPipeline."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from tiny_wan import build_tiny_wan

from finetune import video_lora
from finetune.video_data import four_k_plus_one


@pytest.fixture(scope="module")
def tiny_wan(tmp_path_factory):
    return build_tiny_wan(tmp_path_factory.mktemp("models") / "tiny-wan")


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    import imageio_ffmpeg

    folder = tmp_path_factory.mktemp("clips")
    for name, colour in (("dark", (20, 10, 40)), ("bright", (250, 220, 120))):
        writer = imageio_ffmpeg.write_frames(str(folder / f"{name}.mp4"), (32, 32), fps=16, macro_block_size=1)
        writer.send(None)
        for t in range(12):
            frame = np.full((32, 32, 3), colour, np.uint8)
            frame[:, t : t + 4] = 255
            writer.send(frame.tobytes())
        writer.close()
    rows = "video,prompt,emotion\ndark.mp4,a street at night,fear\nbright.mp4,a field,awe\nmissing.mp4,x,\n"
    (folder / "metadata.csv").write_text(rows)
    return folder


def test_four_k_plus_one():
    assert [four_k_plus_one(n) for n in (1, 4, 5, 8, 9, 81, 83)] == [1, 1, 5, 5, 9, 81, 81]


def run(tiny_wan, clips, out, *extra):
    argv = ["--model", str(tiny_wan), "--data", str(clips), "--out", str(out), "--resolution", "32"]
    assert video_lora.main([*argv, "--frames", "9", "--lr", "1e-3", *extra]) == 0


def test_train_cache_resume_and_load(tiny_wan, clips, tmp_path):
    from diffusers import WanPipeline

    common = ["--checkpoint-every", "2", "--cache-latents"]
    run(tiny_wan, clips, tmp_path / "straight", "--max-steps", "4", *common)
    assert len(list((tmp_path / "straight/latent-cache").glob("*.safetensors"))) == 2
    run(tiny_wan, clips, tmp_path / "split", "--max-steps", "2", *common)
    run(tiny_wan, clips, tmp_path / "split", "--max-steps", "4", "--resume", "latest", *common)
    a = load_file(tmp_path / "straight/pytorch_lora_weights.safetensors")
    b = load_file(tmp_path / "split/pytorch_lora_weights.safetensors")
    assert a.keys() == b.keys() and len(a) > 0
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6)
    losses = [json.loads(x)["loss"] for x in (tmp_path / "straight/log.jsonl").read_text().splitlines()]
    assert len(losses) == 4 and all(np.isfinite(losses))

    pipe = WanPipeline.from_pretrained(tiny_wan)
    pipe.set_progress_bar_config(disable=True)

    def render():
        gen = torch.Generator().manual_seed(0)
        kwargs = dict(height=32, width=32, num_frames=5, num_inference_steps=2, output_type="np")
        return pipe("a street at night", generator=gen, **kwargs).frames[0]

    before = render()
    pipe.load_lora_weights(tmp_path / "straight")
    assert np.abs(render() - before).max() > 1e-5
