"""The diffusion backend's speed options on the tiny SD: `channels_last` and `vae_tiling` stay within a bounded
difference of the default (identical where tiling does not engage), `compile` wraps the UNet in place and is undone
by the next call without it, each one is recorded in provenance, switched off again for the next plain call, and
reachable from the CLI, a manifest row and the batch grouping. A real inductor compilation of the tiny UNet takes
over a minute on a small CPU, so the compiled forward runs only under `-m slow`."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from tiny_diffusion import build_tiny_sd
from tiny_wan import wan_t2v  # noqa: F401  (session fixture)

from conditioning import StudioError, resolve
from generators.image import diffusion, diffusion_loading
from generators.request import GenerationRequest
from generators.video import wan, wan_loading
from generators.video.wan_loading import load_wan
from studio import cli
from studio.manifest import OPTION_KEYS

PROMPT = "a lighthouse in a storm"


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


def run(folder, out, size=64, steps=2, **options):
    request = GenerationRequest(
        spec=resolve("awe"),
        out=out,
        text=PROMPT,
        seed=3,
        size=(size, size),
        options={"model": str(folder), "device": "cpu", "steps": steps, "plain": True, **options},
    )
    return diffusion.generate(request)


def pixels(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def cached_unet(folder):
    loaded, _, _ = diffusion_loading.load_pipeline(str(folder), "cpu")
    return loaded, loaded.pipe.unet


@pytest.fixture
def fake_compile(monkeypatch):
    """torch.compile that records its arguments and returns the eager call: the option's plumbing without minutes
    of inductor on a CPU."""
    calls = []

    def compile(fn, **kwargs):
        calls.append(kwargs)
        return fn

    monkeypatch.setattr(torch, "compile", compile)
    yield calls
    diffusion_loading.clear_cache()
    wan_loading.clear_cache()  # no pipeline "compiled" this way outlives the test


def test_channels_last_is_close_to_default_recorded_and_undone(tiny_sd, tmp_path):
    base = run(tiny_sd, tmp_path / "base.png")
    fast = run(tiny_sd, tmp_path / "cl.png", channels_last=True)
    loaded, unet = cached_unet(tiny_sd)
    conv = unet.conv_in.weight
    assert conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()
    assert loaded.pipe.vae.decoder.conv_in.weight.is_contiguous(memory_format=torch.channels_last)
    assert fast.provenance["parameters"]["channels_last"] is True
    assert base.provenance["parameters"]["channels_last"] is False
    assert np.abs(pixels(fast.path) - pixels(base.path)).max() <= 1  # float rounding of another conv kernel
    again = run(tiny_sd, tmp_path / "again.png")
    assert unet.conv_in.weight.is_contiguous()
    assert np.array_equal(pixels(again.path), pixels(base.path))


def test_vae_tiling_is_exact_below_one_tile_and_bounded_above(tiny_sd, tmp_path):
    small = run(tiny_sd, tmp_path / "s.png", vae_tiling=True)  # 64 px: not larger than the tiny VAE's 64 px tile
    loaded, _ = cached_unet(tiny_sd)
    assert loaded.pipe.vae.use_tiling and small.provenance["parameters"]["vae_tiling"] is True
    assert np.array_equal(pixels(small.path), pixels(run(tiny_sd, tmp_path / "s0.png").path))
    assert not loaded.pipe.vae.use_tiling
    tiled = pixels(run(tiny_sd, tmp_path / "t.png", size=128, steps=1, vae_tiling=True).path)
    whole = pixels(run(tiny_sd, tmp_path / "w.png", size=128, steps=1).path)
    diff = np.abs(tiled - whole)
    assert diff.any(), "tiling did not engage at 128 px"
    assert diff.mean() < 6 and whole.std() > 20 * diff.mean()  # tiles blend over their overlap: a small seam error


def test_compile_wraps_the_unet_in_place_and_is_undone(tiny_sd, tmp_path, fake_compile):
    base = run(tiny_sd, tmp_path / "base.png")
    loaded, unet = cached_unet(tiny_sd)
    art = run(tiny_sd, tmp_path / "c.png", compile="max-autotune")
    assert fake_compile == [{"mode": "max-autotune"}] and unet._compiled_call_impl is not None
    assert loaded.pipe.unet is unet and loaded.speed["compile"] == "max-autotune"  # same module: LoRAs still load
    assert art.provenance["parameters"]["compile"] == "max-autotune"
    assert np.array_equal(pixels(art.path), pixels(base.path))
    run(tiny_sd, tmp_path / "c2.png", compile=True)
    assert fake_compile[-1] == {"mode": "default"}
    plain = run(tiny_sd, tmp_path / "p.png")
    assert unet._compiled_call_impl is None and plain.provenance["parameters"]["compile"] is None
    with pytest.raises(StudioError, match="torch.compile mode"):
        run(tiny_sd, tmp_path / "x.png", compile="fastest")


def test_cli_flags_reach_the_backend_and_its_provenance(tiny_sd, tmp_path, capsys, fake_compile):
    out = tmp_path / "cli.png"
    argv = ["generate", "image", "--backend", "diffusion", "--model", str(tiny_sd), "--emotion", "calm"]
    argv += ["--steps", "1", "--size", "64x64", "--device", "cpu", "--out", str(out), "--json"]
    assert cli.main([*argv, "--compile", "reduce-overhead", "--channels-last", "--vae-tiling"]) == 0
    params = json.loads(capsys.readouterr().out)["parameters"]
    assert (params["compile"], params["channels_last"], params["vae_tiling"]) == ("reduce-overhead", True, True)
    assert cli.main([*argv, "--compile"]) == 0
    params = json.loads(capsys.readouterr().out)["parameters"]
    assert (params["compile"], params["channels_last"], params["vae_tiling"]) == ("default", False, False)
    assert {"compile", "channels_last", "vae_tiling"} <= set(OPTION_KEYS) & set(diffusion.OPTIONS)


def test_requests_with_other_speed_settings_do_not_share_a_batch(tiny_sd, tmp_path):
    def key(**options):
        request = GenerationRequest(
            spec=resolve("joy"),
            out=tmp_path / "k.png",
            text=PROMPT,
            size=(64, 64),
            options={"model": str(tiny_sd), "device": "cpu", "steps": 1, **options},
        )
        return diffusion.prepare(request)[0].batch_key

    assert key() == key() != key(channels_last=True)
    assert key(vae_tiling=True) != key() and key(compile=True) != key()


@pytest.mark.slow
def test_compiled_unet_runs_within_float_rounding_of_eager(tiny_sd, tmp_path):
    """A real inductor compilation (~80 s for the tiny UNet on 2 CPU cores)."""
    base = run(tiny_sd, tmp_path / "base.png")
    compiled = run(tiny_sd, tmp_path / "c.png", compile=True)
    assert np.abs(pixels(compiled.path) - pixels(base.path)).max() <= 1
    diffusion_loading.clear_cache()  # leave no compiled module behind for other tests


def wan_render(model, out, **options):
    request = GenerationRequest(
        spec=resolve("awe"),
        out=out,
        text="a storm at sea",
        seed=3,
        size=(32, 32),
        options={"model": str(model), "steps": 2, "frames": 5, "device": "cpu", "plain": True, **options},
    )
    return wan.render(request)


def test_wan_channels_last_and_compile_are_close_applied_and_undone(wan_t2v, tmp_path, fake_compile):  # noqa: F811
    base = wan_render(wan_t2v, tmp_path / "a.mp4")
    fast = wan_render(wan_t2v, tmp_path / "b.mp4", channels_last=True, compile="max-autotune")
    loaded, _, _ = load_wan(str(wan_t2v), "cpu")
    patch = loaded.pipe.transformer.patch_embedding.weight
    assert patch.dim() == 5 and patch.is_contiguous(memory_format=torch.channels_last_3d)
    assert fake_compile == [{"mode": "max-autotune"}] and loaded.pipe.transformer._compiled_call_impl is not None
    assert fast.info["speed"] == {"compile": "max-autotune", "channels_last": True}
    assert np.abs(fast.frames.astype(np.int16) - base.frames).max() <= 1
    again = wan_render(wan_t2v, tmp_path / "c.mp4")
    assert loaded.pipe.transformer._compiled_call_impl is None
    assert loaded.pipe.transformer.patch_embedding.weight.is_contiguous()
    assert np.array_equal(again.frames, base.frames)
    assert {"compile", "channels_last"} <= set(wan.OPTIONS)
