"""video_lora on the tiny Wan2.1 T2V pipeline (no downloads): clips from a metadata.csv folder sampled to 4k+1
frames, latents cached, loss finite, resume equals uninterrupted, the LoRA loads into plain WanPipeline, bf16 with
gradient checkpointing tracks fp32, and two gloo processes train one LoRA together."""

import json

import numpy as np
import pytest
import torch
from accelerate_run import accelerate_launch
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
    validation = [] if "--validation-seeds" in extra else ["--validation-seeds", "0"]
    assert video_lora.main([*argv, "--frames", "9", "--lr", "1e-3", *validation, *extra]) == 0


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
    values = losses(tmp_path / "straight")
    assert len(values) == 4 and all(np.isfinite(values))

    pipe = WanPipeline.from_pretrained(tiny_wan)
    pipe.set_progress_bar_config(disable=True)

    def render():
        gen = torch.Generator().manual_seed(0)
        kwargs = dict(height=32, width=32, num_frames=5, num_inference_steps=2, output_type="np")
        return pipe("a street at night", generator=gen, **kwargs).frames[0]

    before = render()
    pipe.load_lora_weights(tmp_path / "straight")
    assert np.abs(render() - before).max() > 1e-5


def losses(out) -> list[float]:
    return [r["loss"] for r in map(json.loads, (out / "log.jsonl").read_text().splitlines()) if "loss" in r]


def test_validation_clips_are_scored_during_training(tiny_wan, clips, tmp_path):
    """The eval loop inside training: clips per emotion at step 1 and at the end, scored by the video recognizer,
    logged beside the loss, with sidecars that make the folder an ordinary studio output."""
    validation = ["--validate-every", "1", "--validation-seeds", "1", "--validation-steps", "2"]
    run(
        tiny_wan,
        clips,
        tmp_path,
        "--max-steps",
        "2",
        "--checkpoint-every",
        "0",
        *validation,
        "--validation-frames",
        "5",
    )
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert "validation" in log[0] and log[-1]["final"] and 0 <= log[-1]["validation"]["alignment"] <= 1
    clips_at_1 = sorted(p.name for p in (tmp_path / "validation/step-1").glob("*.mp4"))
    assert clips_at_1 == ["awe-0.mp4", "fear-0.mp4"]
    sidecar = json.loads((tmp_path / "validation/step-1/fear-0.json").read_text())
    assert sidecar["modality"] == "video" and sidecar["parameters"]["frames"] == 5
    assert (tmp_path / "validation/step-2/report/report.html").is_file()


def test_bf16_and_gradient_checkpointing_match_fp32(tiny_wan, clips, tmp_path):
    run(tiny_wan, clips, tmp_path / "fp32", "--max-steps", "2", "--checkpoint-every", "0")
    half = ["--mixed-precision", "bf16", "--gradient-checkpointing"]
    run(tiny_wan, clips, tmp_path / "bf16", "--max-steps", "2", "--checkpoint-every", "0", *half)
    full, low = losses(tmp_path / "fp32"), losses(tmp_path / "bf16")
    assert np.isfinite(low).all() and abs(low[0] - full[0]) < 0.05 * full[0]
    weights = load_file(tmp_path / "bf16/pytorch_lora_weights.safetensors")
    reference = load_file(tmp_path / "fp32/pytorch_lora_weights.safetensors")
    assert weights and all(w.dtype == torch.float32 for w in weights.values())
    trained = [k for k in weights if "lora_B" in k or "lora.up" in k]
    assert trained and all(weights[k].abs().max() > 0 for k in trained)  # gradients flowed through checkpointing
    a, b = (torch.cat([w[k].flatten() for k in trained]) for w in (weights, reference))
    assert torch.nn.functional.cosine_similarity(a, b, dim=0) > 0.9  # and bf16 learned what fp32 learned


def test_accelerate_launch_two_processes(tiny_wan, clips, tmp_path):
    """`accelerate launch --multi_gpu --num_processes 2` on a CPU-only machine: gloo DDP, one log, one LoRA, and a
    checkpoint holding both ranks' RNG state (so two processes really trained)."""
    args = ["--model", str(tiny_wan), "--data", str(clips), "--out", str(tmp_path), "--resolution", "32"]
    args += ["--frames", "9", "--max-steps", "2", "--checkpoint-every", "2", "--lr", "1e-3"]
    done = accelerate_launch("finetune.video_lora", *args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(losses(tmp_path)) == 2  # one writer, not two unconnected copies
    assert (tmp_path / "pytorch_lora_weights.safetensors").is_file()
    assert (tmp_path / "checkpoint-2/random_states_1.pkl").is_file()


def test_refuses_an_i2v_model_and_records_the_resolution_it_used(tiny_wan, clips, tmp_path, capsys):
    from tiny_wan import build_tiny_wan_i2v

    i2v = build_tiny_wan_i2v(tmp_path / "i2v")
    argv = ["--model", str(i2v), "--data", str(clips), "--out", str(tmp_path / "x"), "--max-steps", "1"]
    assert video_lora.main(argv) == 1
    assert "image-to-video" in capsys.readouterr().err
    run(tiny_wan, clips, tmp_path / "ok", "--max-steps", "1", "--checkpoint-every", "0")
    assert json.loads((tmp_path / "ok/train_config.json").read_text())["resolution"] == 32
