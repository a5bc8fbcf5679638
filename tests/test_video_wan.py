"""The Wan2.1 backend on tiny pipelines built from configs (no downloads): T2V and I2V files, the model card's rules,
emotion LoRAs, arc segments that continue from each other, narration, and the plain call matching raw diffusers."""

import json
import re
import subprocess

import imageio.v2 as imageio
import imageio_ffmpeg
import numpy as np
import pytest
import soundfile
import torch
from PIL import Image
from tiny_wan import wan_i2v, wan_loras, wan_t2v  # noqa: F401  (session fixtures)

from conditioning import StudioError, resolve, resolve_arc
from generators.request import GenerationRequest
from generators.video import wan
from generators.video.wan_arc import SegmentPlan, assemble, plan_segments
from studio import generate_video
from studio.cli import main

TINY = {"backend": "wan", "size": "32x32", "steps": 2}


def request(model, out, emotion="awe", arc=None, **options):
    spec = resolve_arc(arc).keys[0][1] if arc else resolve(emotion)
    return GenerationRequest(
        spec=spec,
        out=out,
        text=options.pop("text", "a storm at sea"),
        seed=options.pop("seed", 3),
        arc=resolve_arc(arc) if arc else None,
        size=(32, 32),
        fps=options.pop("fps", None),
        options={"model": str(model), "steps": 2, **options},
    )


def read_frames(path):
    with imageio.get_reader(path) as reader:
        return np.stack([np.asarray(f) for f in reader]), reader.get_meta_data()


def test_text_to_video_writes_mp4_with_the_requested_frames(wan_t2v, tmp_path):  # noqa: F811
    artifact = generate_video("awe", text="a lighthouse", model=str(wan_t2v), frames=9, out=tmp_path / "a.mp4", **TINY)
    frames, meta = read_frames(artifact.path)
    assert frames.shape == (9, 32, 32, 3) and meta["codec"] == "h264" and meta["fps"] == 16
    record = json.loads(artifact.sidecar.read_text())
    params = record["parameters"]
    assert record["backend"] == "wan" and params["frames"] == 9 and params["pipeline"] == "WanPipeline"
    assert params["flow_shift"] == 3.0 and params["guidance"] == 5.0 and params["vae_dtype"] == "float32"
    prompt = params["segments"][0]["prompt"]
    phrases = prompt.split(", ")  # subject, feeling, then EmoVid's hue/colourfulness, light, motion; brushwork last
    assert phrases[:2] == ["a lighthouse", "evoking awe"]
    order = [
        next(i for i, p in enumerate(phrases) if p.endswith(end)) for end in ("palette", "light", "motion", "brushwork")
    ]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"frames": 80}, "--frames 80 must be 4k+1 (77 or 81)"),
        ({"frames": 1}, "at least 5 frames"),
        ({"size": "40x32"}, "sides must be divisible by 16; use 32x32 or 48x32"),
        ({"model": "Wan-AI/not-here-Diffusers"}, "hf download Wan-AI/not-here-Diffusers"),
        ({"i2v_from": "procedural"}, "needs an image-to-video Wan model"),
        ({"voice": "hello", "out": "clip.gif"}, "write an .mp4"),
        ({"lora": ["joy=missing.safetensors"]}, "does not exist"),
    ],
)
def test_rules_and_missing_weights_are_one_clear_sentence(wan_t2v, tmp_path, options, message):  # noqa: F811
    kwargs = {**TINY, "model": str(wan_t2v), "frames": 5, "out": tmp_path / "x.mp4", **options}
    if isinstance(kwargs["out"], str):
        kwargs["out"] = tmp_path / kwargs["out"]
    with pytest.raises(StudioError, match=re.escape(message)):
        generate_video("awe", **kwargs)


def test_plain_call_matches_raw_diffusers_frame_for_frame(wan_t2v, tmp_path):  # noqa: F811
    from diffusers import WanPipeline

    clip = wan.render(request(wan_t2v, tmp_path / "p.mp4", plain=True, frames=5, seed=11))
    raw = WanPipeline.from_pretrained(wan_t2v)(
        prompt="a storm at sea", height=32, width=32, num_frames=5, num_inference_steps=2, guidance_scale=5.0,
        generator=torch.Generator().manual_seed(11), output_type="np",
    ).frames[0]  # fmt: skip
    assert np.array_equal(clip.frames, wan.to_uint8(raw))


def test_image_to_video_from_a_user_image_starts_on_it(wan_i2v, tmp_path):  # noqa: F811
    picture = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    Image.fromarray(picture).save(tmp_path / "start.png")
    clip = wan.render(request(wan_i2v, tmp_path / "u.mp4", frames=5, i2v_from=str(tmp_path / "start.png")))
    assert clip.frames.shape == (5, 32, 32, 3) and clip.info["pipeline"] == "WanImageToVideoPipeline"
    assert np.array_equal(clip.frames[0], clip.segments[0].condition)  # centre-cropped, resized start image
    assert clip.info["start_image"]["source"] == "image"
    with pytest.raises(StudioError, match="neither procedural, diffusion nor a readable image file"):
        wan.render(request(wan_i2v, tmp_path / "v.mp4", frames=5, i2v_from=str(tmp_path / "missing.png")))


def test_image_to_video_from_the_painter_keeps_the_matching_still(wan_i2v, tmp_path):  # noqa: F811
    artifact = generate_video(
        "joy", model=str(wan_i2v), frames=5, i2v_from="procedural", out=tmp_path / "j.mp4", **TINY
    )
    still = tmp_path / "j-still.png"
    assert still.exists() and json.loads((tmp_path / "j-still.json").read_text())["backend"] == "procedural"
    assert artifact.provenance["parameters"]["start_image"] == {
        "source": "procedural",
        "path": str(still),
        "model": None,
    }
    assert read_frames(artifact.path)[0].shape == (5, 32, 32, 3)


def test_image_to_video_from_the_diffusion_image_backend(wan_i2v, tmp_path):  # noqa: F811
    from tiny_diffusion import build_tiny_sd

    sd = build_tiny_sd(tmp_path / "sd")
    artifact = generate_video(
        "awe",
        model=str(wan_i2v),
        frames=5,
        i2v_from="diffusion",
        image_model=str(sd),
        image_steps=2,
        out=tmp_path / "d.mp4",
        **TINY,
    )
    start = artifact.provenance["parameters"]["start_image"]
    assert start["source"] == "diffusion" and start["model"] == str(sd)
    assert json.loads((tmp_path / "d-still.json").read_text())["backend"] == "diffusion"
    with pytest.raises(StudioError, match="image_model"):
        generate_video("awe", model=str(wan_i2v), frames=5, i2v_from="diffusion", out=tmp_path / "e.mp4", **TINY)


def test_emotion_loras_load_blend_and_unload(wan_t2v, wan_loras, tmp_path):  # noqa: F811
    loras = [f"{label}={path}" for label, path in wan_loras.items()]
    base = wan.render(request(wan_t2v, tmp_path / "b.mp4", emotion="awe", frames=5)).frames
    awe = wan.render(request(wan_t2v, tmp_path / "l.mp4", emotion="awe", frames=5, lora=loras))
    blend = wan.render(request(wan_t2v, tmp_path / "m.mp4", emotion="0.5 awe + 0.5 fear", frames=5, lora=loras))
    weights = awe.segments[0].lora_weights
    assert max(weights, key=weights.get) == "awe" and 0.4 <= weights["awe"] <= 1 and weights["fear"] < 0.01
    mixed = blend.segments[0].lora_weights
    assert mixed["awe"] == pytest.approx(mixed["fear"], abs=0.02) and 0.3 < mixed["awe"] < 0.5
    assert not np.array_equal(base, awe.frames) and not np.array_equal(awe.frames, blend.frames)
    again = wan.render(request(wan_t2v, tmp_path / "c.mp4", emotion="awe", frames=5)).frames
    assert np.array_equal(base, again)  # a request without LoRAs gets the untouched model back


def test_arc_segments_continue_from_the_frame_before(wan_i2v, tmp_path):  # noqa: F811
    clip = wan.render(request(wan_i2v, tmp_path / "arc.mp4", arc="calm:0,dread:1", frames=9, fps=8))
    first, second = clip.segments
    assert [s.plan.spec.source for s in clip.segments] == ["calm", "dread"]
    assert first.prompt.prompt != second.prompt.prompt and "dread" in second.prompt.prompt
    handed = first.frames[first.plan.handoff]
    assert np.array_equal(second.condition, handed) and np.array_equal(second.frames[0], handed)
    assert clip.frames.shape == (9, 32, 32, 3)
    assert np.array_equal(clip.frames[second.plan.start], handed)


def test_arc_plan_crossfades_and_keeps_4k_plus_1():
    arc = resolve_arc("calm:0,joy:2,dread:4")
    plans = plan_segments(arc, 65, 16)
    assert [(p.start, p.frames, p.overlap) for p in plans] == [(0, 21, 5), (16, 37, 5), (48, 17, 0)]
    assert all(p.frames % 4 == 1 for p in plans)
    a, b = np.full((9, 2, 2, 3), 0, np.uint8), np.full((9, 2, 2, 3), 200, np.uint8)
    two = [SegmentPlan(0, arc.keys[0][1], 0, 9, 5), SegmentPlan(1, arc.keys[1][1], 4, 9, 0)]
    clip = assemble(two, [a, b], 13)
    assert [int(f[0, 0, 0]) for f in clip] == [0, 0, 0, 0, 0, 50, 100, 150, 200, 200, 200, 200, 200]
    with pytest.raises(StudioError, match="clip ends at"):
        plan_segments(arc, 9, 16)


def test_narrated_clip_has_a_voice_as_long_as_the_video(wan_t2v, tmp_path):  # noqa: F811
    artifact = generate_video(
        "sadness", model=str(wan_t2v), frames=13, fps=8, voice="The tide goes out. It does not come back.",
        out=tmp_path / "n.mp4", **TINY,
    )  # fmt: skip
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(artifact.path))
    wav = tmp_path / "n.wav"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(artifact.path), "-vn", str(wav)], check=True
    )
    audio, rate = soundfile.read(wav)
    assert frames == 13 and abs(len(audio) / rate - 13 / 8) < 0.1 and np.abs(audio).max() > 0.05
    assert artifact.provenance["parameters"]["voice"]["trimmed"] is True


def test_procedural_backend_narrates_too(tmp_path):
    artifact = generate_video("joy", size="64x64", duration=1.0, fps=12, voice="Hello there.", out=tmp_path / "v.mp4")
    wav = tmp_path / "v.wav"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(artifact.path), str(wav)], check=True)
    audio, rate = soundfile.read(wav)
    assert abs(len(audio) / rate - 1.0) < 0.1 and artifact.provenance["parameters"]["voice"]["trimmed"] is False


def test_cli_generates_a_wan_clip(wan_t2v, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "cli.mp4"
    argv = ["generate", "video", "--backend", "wan", "--model", str(wan_t2v), "--emotion", "fear", "--frames", "5",
            "--size", "32x32", "--steps", "2", "--seed", "4", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0 and str(out) in capsys.readouterr().out
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["backend"] == "wan" and record["seed"] == 4 and record["parameters"]["frames"] == 5
    assert record["spec"]["source"] == "fear" and record["parameters"]["size"] == [32, 32]
