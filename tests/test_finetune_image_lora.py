"""image_lora on tiny SD / SDXL pipelines built from configs (no downloads): the loss falls on a tiny overfit set,
`--resume latest` gives the same LoRA as an uninterrupted run, the saved file loads into plain diffusers and changes
its output, validation writes scored, studio-readable images, and two gloo processes train one LoRA together."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from accelerate_run import accelerate_launch
from safetensors.torch import load_file
from tiny_diffusion import build_tiny_sd, build_tiny_sdxl

from conditioning import resolve
from conditioning.visual_style import visual_style
from finetune import image_lora
from generators.image.painter import make_genes, paint

FAST = ["--checkpoint-every", "0", "--validation-seeds", "0"]


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory):
    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="session")
def paintings(tmp_path_factory):
    """An HF imagefolder of two procedural paintings captioned with their emotion."""
    folder = tmp_path_factory.mktemp("paintings")
    rows = []
    for i, emotion in enumerate(("fear", "contentment")):
        paint(visual_style(resolve(emotion)), (64, 64), make_genes(i)).save(folder / f"{emotion}.png")
        rows.append({"file_name": f"{emotion}.png", "text": f"a painting, evoking {emotion}"})
    (folder / "metadata.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def losses(out: Path) -> list[float]:
    return [r["loss"] for r in map(json.loads, (out / "log.jsonl").read_text().splitlines()) if "loss" in r]


def run(tiny_sd, data, out, *extra):
    argv = ["--model", str(tiny_sd), "--data", str(data), "--out", str(out), *extra]
    assert image_lora.main(argv) == 0


def test_loss_finite_and_falling_on_tiny_overfit_set(tiny_sd, paintings, tmp_path):
    run(tiny_sd, paintings, tmp_path, "--max-steps", "60", "--lr", "1e-2", "--rank", "8", "--batch-size", "2", *FAST)
    values = losses(tmp_path)
    assert len(values) == 60 and all(np.isfinite(values))
    assert np.mean(values[-10:]) < np.mean(values[:10]) - 0.03


def test_resume_latest_equals_uninterrupted(tiny_sd, paintings, tmp_path):
    common = ["--lr", "5e-3", "--checkpoint-every", "2", "--validation-seeds", "0"]
    run(tiny_sd, paintings, tmp_path / "straight", "--max-steps", "4", *common)
    run(tiny_sd, paintings, tmp_path / "split", "--max-steps", "2", *common)
    assert (tmp_path / "split/checkpoint-2/trainer_state.json").is_file()
    run(tiny_sd, paintings, tmp_path / "split", "--max-steps", "4", "--resume", "latest", *common)
    a = load_file(tmp_path / "straight/pytorch_lora_weights.safetensors")
    b = load_file(tmp_path / "split/pytorch_lora_weights.safetensors")
    assert a.keys() == b.keys() and len(a) > 0
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6)
    assert losses(tmp_path / "straight") == losses(tmp_path / "split")


def test_saved_lora_loads_in_plain_diffusers_and_changes_output(tiny_sd, paintings, tmp_path):
    from diffusers import StableDiffusionPipeline

    run(tiny_sd, paintings, tmp_path, "--max-steps", "5", "--lr", "1e-2", *FAST)
    pipe = StableDiffusionPipeline.from_pretrained(tiny_sd)
    pipe.set_progress_bar_config(disable=True)

    def render():
        gen = torch.Generator().manual_seed(0)
        return pipe("a painting, evoking fear", num_inference_steps=2, generator=gen, output_type="np").images[0]

    before = render()
    pipe.load_lora_weights(tmp_path)
    assert np.abs(render() - before).max() > 1e-4


def test_validation_is_scored_and_readable_by_the_studio(tiny_sd, paintings, tmp_path):
    from eval.report import score_folder

    argv = ["--max-steps", "2", "--validate-every", "1", "--validation-seeds", "1", "--validation-steps", "2"]
    run(tiny_sd, paintings, tmp_path, *argv, "--checkpoint-every", "0")
    records = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert "validation" in records[0] and "loss" in records[0]
    assert set(records[-1]["validation"]) >= {"top1", "quadrant", "alignment"}
    result = score_folder(tmp_path / "validation/step-2", exclude=tmp_path / "validation/step-2/report")
    assert result["metrics"]["overall"]["n"] == 2 and not result["skipped"]
    assert (tmp_path / "validation/step-2/report/report.html").is_file()


def test_per_emotion_loras_and_sdxl(tmp_path, paintings):
    sdxl = build_tiny_sdxl(tmp_path / "tiny-sdxl")
    run(sdxl, paintings, tmp_path / "out", "--max-steps", "2", "--per-emotion", "--train-text-encoder", *FAST)
    for emotion in ("fear", "contentment"):
        weights = load_file(tmp_path / f"out/{emotion}/pytorch_lora_weights.safetensors")
        assert any(k.startswith("unet.") for k in weights) and any(k.startswith("text_encoder.") for k in weights)


def test_bf16_and_gradient_checkpointing_match_fp32(tiny_sd, paintings, tmp_path):
    """The GPU memory savers run on a CPU too: the first loss (same batch, same noise) stays within bf16's precision
    of the fp32 one, and the saved LoRA is fp32 and trained."""
    common = ["--max-steps", "2", "--lr", "1e-2", *FAST]
    run(tiny_sd, paintings, tmp_path / "fp32", *common)
    run(tiny_sd, paintings, tmp_path / "bf16", *common, "--mixed-precision", "bf16", "--gradient-checkpointing")
    full, half = losses(tmp_path / "fp32"), losses(tmp_path / "bf16")
    assert all(np.isfinite(half)) and abs(half[0] - full[0]) < 0.05 * full[0]
    weights = load_file(tmp_path / "bf16/pytorch_lora_weights.safetensors")
    assert all(w.dtype == torch.float32 for w in weights.values())
    assert any(w.abs().max() > 0 for k, w in weights.items() if "lora_B" in k or "lora.up" in k)


def test_accelerate_launch_two_processes(tiny_sd, paintings, tmp_path):
    """`accelerate launch --multi_gpu --num_processes 2` on a CPU-only machine: gloo DDP, one log, one LoRA, and a
    checkpoint holding both ranks' RNG state (so two processes really trained)."""
    args = ["--model", str(tiny_sd), "--data", str(paintings), "--out", str(tmp_path), "--max-steps", "3"]
    done = accelerate_launch("finetune.image_lora", *args, "--checkpoint-every", "3", "--validation-seeds", "0")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(losses(tmp_path)) == 3  # one writer, not two unconnected copies
    assert (tmp_path / "pytorch_lora_weights.safetensors").is_file()
    assert (tmp_path / "checkpoint-3/lora_0.safetensors").is_file()
    assert (tmp_path / "checkpoint-3/random_states_1.pkl").is_file()
