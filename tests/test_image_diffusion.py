"""The diffusion image backend on tiny SD and SDXL pipelines built from configs (no downloads): generation through
the API and the CLI, prompt composition within the token limit, exact parity with plain diffusers when conditioning is
off, LoRA loading and blending, the VAD adapter, the procedural img2img start, and the refusals."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image
from tiny_diffusion import build_tiny_sd, build_tiny_sdxl, make_unet_lora, tiny_tokenizer

from conditioning import StudioError, resolve
from conditioning.prompt_fragments import prompt_fragments
from conditioning.spec import EmotionSpec
from generators.image import diffusion
from generators.image.prompt_compose import compose
from generators.image.vad_adapter import VADAdapter, load_adapter
from generators.lora_blend import blend_weights
from generators.prompt_fit import count_tokens
from generators.request import GenerationRequest
from studio import cli
from studio.api import generate

PROMPT = "a lighthouse in a storm"
FAST = {"backend": "diffusion", "steps": 2, "size": "64x64", "device": "cpu"}  # CPU: parity with raw_pipe anywhere


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory):
    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="session")
def tiny_sdxl(tmp_path_factory):
    return build_tiny_sdxl(tmp_path_factory.mktemp("models") / "tiny-sdxl")


@pytest.fixture(scope="session")
def loras(tiny_sd, tmp_path_factory):
    folder = tmp_path_factory.mktemp("loras")
    return {
        name: make_unet_lora(folder, f"{name}.safetensors", tiny_sd, seed=i) for i, name in enumerate(("awe", "fear"))
    }


def pixels(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def raw_pipe(folder):
    """The same model loaded by plain diffusers, independently of the studio's cache."""
    from diffusers import AutoPipelineForText2Image

    return AutoPipelineForText2Image.from_pretrained(folder, use_safetensors=True)


def raw_call(pipe, prompt=PROMPT, seed=0):
    generator = torch.Generator().manual_seed(seed)
    image = pipe(prompt, num_inference_steps=2, height=64, width=64, generator=generator).images[0]
    return np.asarray(image, dtype=np.int16)


def spec_of(label, intensity=1.0):
    """A spec that is entirely one canonical label (resolve() derives intensity itself; here we fix it)."""
    return EmotionSpec(vad=(0.2, 0.1, -0.1), intensity=intensity, categories=((label, 1.0),), source=label)


def run_backend(folder, out, spec, **options):
    request = GenerationRequest(
        spec=spec, out=out, text=PROMPT, size=(64, 64), options={"model": str(folder), "device": "cpu", **options}
    )
    return diffusion.generate(request)


def test_api_writes_png_sidecar_and_composed_prompt(tiny_sd, tmp_path):
    art = generate("image", "awe", text=PROMPT, model=str(tiny_sd), out=tmp_path / "awe.png", **FAST)
    with Image.open(art.path) as img:
        assert img.format == "PNG" and img.size == (64, 64)
        embedded = json.loads(img.text["emotion-studio"])
    side = json.loads(art.sidecar.read_text())
    params = side["parameters"]
    assert side["backend"] == embedded["backend"] == "diffusion" and side["model"] == str(tiny_sd)
    fragments = prompt_fragments(resolve("awe"))
    assert params["prompt"].startswith(PROMPT) and all(p in params["prompt"] for p in fragments.image)
    assert "awe" in params["prompt"] and params["negative"] and params["steps"] == 2
    assert count_tokens(tiny_tokenizer(), params["prompt"]) <= params["limit"] == 77


def test_cli_generates_with_sdxl(tiny_sdxl, tmp_path, capsys):
    out = tmp_path / "fear.png"
    argv = ["generate", "image", "--backend", "diffusion", "--model", str(tiny_sdxl), "--emotion", "fear"]
    argv += ["--text", PROMPT, "--steps", "2", "--size", "64x64", "--guidance", "4", "--seed", "3"]
    argv += ["--device", "cpu", "--out", str(out)]
    assert cli.main([*argv, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["parameters"]["pipeline"] == "StableDiffusionXLPipeline" and record["parameters"]["guidance"] == 4
    assert Image.open(out).size == (64, 64) and out.with_suffix(".json").exists()


def test_prompt_drops_least_important_phrases_to_fit_the_token_limit():
    pipe = SimpleNamespace(tokenizer=tiny_tokenizer(max_length=20))
    spec = resolve("fear")
    composed = compose(spec, PROMPT, pipe)
    fragments = prompt_fragments(spec)
    assert composed.prompt.startswith(f"{PROMPT}, {fragments.image[0]}")  # subject, then the feeling
    assert composed.dropped == fragments.image[len(fragments.image) - len(composed.dropped) :]  # from the end
    assert composed.dropped and count_tokens(pipe.tokenizer, composed.prompt) <= 20
    assert count_tokens(pipe.tokenizer, composed.negative) <= 20
    assert compose(spec, PROMPT, pipe, negative="rain", plain=True).prompt == PROMPT


def test_conditioning_off_matches_plain_diffusers_pixels(tiny_sd, tmp_path):
    """plain=True (no prompt fragments) without LoRA or adapter is exactly the diffusers call."""
    art = generate("image", "awe", text=PROMPT, model=str(tiny_sd), out=tmp_path / "p.png", plain=True, **FAST)
    assert art.provenance["parameters"]["prompt"] == PROMPT
    assert np.array_equal(pixels(art.path), raw_call(raw_pipe(tiny_sd)))


def test_single_lora_at_full_weight_matches_diffusers_load_lora_weights(tiny_sd, loras, tmp_path):
    spec = spec_of("awe")
    assert blend_weights(spec, ["awe"]) == {"awe": 1.0}
    art = run_backend(tiny_sd, tmp_path / "l.png", spec, steps=2, plain=True, lora=[f"awe={loras['awe']}"])
    pipe = raw_pipe(tiny_sd)
    base = raw_call(pipe)
    pipe.load_lora_weights(str(loras["awe"].parent), weight_name=loras["awe"].name, adapter_name="awe")
    assert np.array_equal(pixels(art.path), raw_call(pipe))
    assert not np.array_equal(pixels(art.path), base)
    again = run_backend(tiny_sd, tmp_path / "n.png", spec, steps=2, plain=True)  # cached pipe, LoRA unloaded
    assert np.array_equal(pixels(again.path), base)


def test_two_loras_blend_by_the_spec_and_match_diffusers_set_adapters(tiny_sd, loras, tmp_path):
    options = {"steps": 2, "plain": True, "lora": {name: str(path) for name, path in loras.items()}}
    outputs, weights = {}, {}
    for emotion in ("awe", "fear", "awe*0.5 + fear*0.5"):
        art = run_backend(tiny_sd, tmp_path / f"{len(outputs)}.png", resolve(emotion), **options)
        outputs[emotion] = pixels(art.path)
        weights[emotion] = {k: v["weight"] for k, v in art.provenance["parameters"]["loras"].items()}
    assert weights["awe"]["awe"] > 0.5 > weights["awe"]["fear"] and weights["fear"]["fear"] > weights["fear"]["awe"]
    half = weights["awe*0.5 + fear*0.5"]
    assert abs(half["awe"] - half["fear"]) < 0.05 and sum(half.values()) <= 1.0
    assert not np.array_equal(outputs["awe"], outputs["fear"])
    assert not np.array_equal(outputs["awe"], outputs["awe*0.5 + fear*0.5"])
    pipe = raw_pipe(tiny_sd)
    for name, path in loras.items():
        pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name)
    exact = blend_weights(resolve("fear"), ["awe", "fear"])
    pipe.set_adapters(["awe", "fear"], adapter_weights=[exact["awe"], exact["fear"]])
    assert np.array_equal(outputs["fear"], raw_call(pipe))


def monotonic_adapter(embed_dim):
    """Positive weights, uniform attention (zero keys), pre-activations where SiLU rises: the edit on the all-ones
    direction must then increase with V — a constructed case that checks the V path end to end."""
    torch.manual_seed(0)
    adapter = VADAdapter(embed_dim, tokens=4, hidden=8, width=8, heads=2)
    with torch.no_grad():
        for param in adapter.parameters():
            param.uniform_(0.05, 0.5)
        adapter.value_mlps[0][0].weight.uniform_(0.05, 0.3)
        adapter.value_mlps[0][0].bias.fill_(2.0)
        for param in (adapter.key.weight, adapter.key.bias, adapter.ff[-1].weight, adapter.ff[-1].bias):
            param.zero_()
    return adapter


def test_vad_adapter_noop_untrained_monotonic_in_valence_and_round_trips(tiny_sd, tmp_path):
    pipe = raw_pipe(tiny_sd)
    embeds, _ = pipe.encode_prompt(PROMPT, "cpu", 1, True)
    assert torch.equal(VADAdapter(32).apply(embeds, (0.9, 0.5, 0.0)), embeds)
    adapter = monotonic_adapter(32)
    shifts = [(adapter.apply(embeds, (v, 0.3)) - embeds).sum().item() for v in np.linspace(-1, 1, 9)]
    assert all(b > a for a, b in zip(shifts, shifts[1:])), shifts
    path = adapter.save(tmp_path / "vad.safetensors")
    assert torch.equal(load_adapter(path).apply(embeds, (0.4, 0.3)), adapter.apply(embeds, (0.4, 0.3)))
    zero = VADAdapter(32).save(tmp_path / "zero.safetensors")
    plain = run_backend(tiny_sd, tmp_path / "a.png", resolve("joy"), steps=2, plain=True)
    noop = run_backend(tiny_sd, tmp_path / "b.png", resolve("joy"), steps=2, plain=True, vad_adapter=str(zero))
    moved = run_backend(tiny_sd, tmp_path / "c.png", resolve("joy"), steps=2, plain=True, vad_adapter=str(path))
    assert np.array_equal(pixels(plain.path), pixels(noop.path))
    assert not np.array_equal(pixels(plain.path), pixels(moved.path))


def test_sdxl_adapter_path_is_exact_and_other_widths_are_refused(tiny_sdxl, tmp_path):
    """SDXL's encode_prompt returns pooled embeddings too: the untrained adapter must still change nothing."""
    zero = VADAdapter(64).save(tmp_path / "xl.safetensors")
    plain = run_backend(tiny_sdxl, tmp_path / "a.png", resolve("joy"), steps=2, plain=True)
    noop = run_backend(tiny_sdxl, tmp_path / "b.png", resolve("joy"), steps=2, plain=True, vad_adapter=str(zero))
    assert np.array_equal(pixels(plain.path), pixels(noop.path))
    path = VADAdapter(32).save(tmp_path / "sd15.safetensors")
    with pytest.raises(StudioError, match="64"):
        run_backend(tiny_sdxl, tmp_path / "x.png", resolve("joy"), steps=2, vad_adapter=str(path))


def test_procedural_init_runs_img2img_and_differs_from_txt2img(tiny_sd, tmp_path):
    txt = generate("image", "calm", text=PROMPT, model=str(tiny_sd), out=tmp_path / "t.png", **FAST)
    art = generate(
        "image",
        "calm",
        text=PROMPT,
        model=str(tiny_sd),
        out=tmp_path / "i.png",
        init="procedural",
        strength=0.6,
        **FAST,
    )
    params = art.provenance["parameters"]
    assert params["pipeline"] == "StableDiffusionImg2ImgPipeline" and params["strength"] == 0.6
    assert not np.array_equal(pixels(art.path), pixels(txt.path))
    with pytest.raises(StudioError, match="--init"):
        generate("image", "calm", model=str(tiny_sd), out=tmp_path / "s.png", strength=0.5, **FAST)


def test_pickle_weights_are_refused(tiny_sd, tmp_path):
    (tmp_path / "awe.bin").write_bytes(b"not really a pickle")
    with pytest.raises(StudioError, match="allow_pickle"):
        run_backend(tiny_sd, tmp_path / "x.png", resolve("awe"), lora=[f"awe={tmp_path / 'awe.bin'}"])
    folder = tmp_path / "pickled"
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    (folder / "unet" / "diffusion_pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(StudioError, match="pickle weights only"):
        run_backend(folder, tmp_path / "y.png", resolve("awe"))


def test_uncached_hub_id_fails_at_once_with_how_to_download(tmp_path):
    with pytest.raises(StudioError) as caught:
        generate(
            "image", "awe", backend="diffusion", model="nobody/not-a-cached-model", out=tmp_path / "x.png", device="cpu"
        )
    message = str(caught.value)
    assert "`hf download nobody/not-a-cached-model`" in message and "\n" not in message


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"size": "63x64"}, "multiples of 2"),
        ({"steps": 0}, "--steps"),
        ({"lora": ["awe"]}, "NAME=PATH"),
        ({"lora": ["wonder=x.safetensors"]}, "does not exist"),  # not an emotion: a style LoRA
        ({"lora": ["wonder=x.safetensors@abc"]}, "not a number"),
        ({"dtype": "float8"}, "Dtype"),
    ],
)
def test_bad_options_are_one_sentence_errors(tiny_sd, tmp_path, options, match):
    kwargs = {**FAST, **options}
    with pytest.raises(StudioError, match=match):
        generate("image", "awe", model=str(tiny_sd), out=tmp_path / "x.png", **kwargs)


def test_best_of_and_batch_rows_load_the_pipeline_once(tiny_sd, tmp_path, monkeypatch):
    from generators.image import diffusion_loading
    from studio.batch import run_batch

    diffusion_loading.clear_cache()
    loads = []
    original = diffusion_loading._from_pretrained
    monkeypatch.setattr(diffusion_loading, "_from_pretrained", lambda *args: loads.append(args) or original(*args))
    best = generate("image", "awe", text=PROMPT, model=str(tiny_sd), out=tmp_path / "best.png", best_of=2, **FAST)
    assert best.provenance["best_of"]["n"] == 2 and best.path.exists()
    row = {"id": "calm", "modality": "image", "emotion": "calm", "text": PROMPT, "backend": "diffusion"}
    row.update(model=str(tiny_sd), count=2, options={"steps": 2, "size": "64x64", "lora": [], "negative": "rain"})
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(json.dumps(row) + "\n")
    assert len(loads) == 1
    result = run_batch(manifest, tmp_path / "batch", progress=False)
    assert len(result.done) == 2 and not result.failed, result.failed
    assert len(loads) == 1 + torch.cuda.is_available()  # the batch picks its own device (CUDA where there is one)
