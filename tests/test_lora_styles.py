"""Style LoRAs beside the emotion blend, LoRA folders and kohya-layout files, on the tiny SD (no downloads).

Real peft LoRAs for the tiny UNet, saved three ways: a diffusers file, a folder written by `save_lora_weights` (with
its adapter metadata: alpha 8 on rank 4, so a loader that ignored the metadata would scale it by half) and a single
file in the kohya / ComfyUI key layout (`lora_unet_…lora_down.weight`, `.alpha`) written here from the same weights.
Each is checked against plain diffusers' own `load_lora_weights` + `set_adapters`, pixel for pixel."""

import json

import numpy as np
import pytest
import torch
from PIL import Image
from tiny_diffusion import build_tiny_sd, make_unet_lora

from conditioning import StudioError, resolve
from generators.lora_blend import lora_entries, lora_weights, parse_loras
from studio import cli
from studio.api import generate

PROMPT = "a lighthouse in a storm"
FAST = {"backend": "diffusion", "steps": 2, "size": "64x64", "device": "cpu", "plain": True, "text": PROMPT}
TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
RANK, ALPHA = 4, 8


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="module")
def files(tiny_sd, tmp_path_factory):
    """{"style", "awe"}: diffusers files; "folder": a save_lora_weights folder; "kohya": the folder's weights in the
    kohya layout."""
    from diffusers import StableDiffusionPipeline
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import save_file

    from finetune.lora_io import save_lora

    root = tmp_path_factory.mktemp("loras")
    unet = adapted_unet(tiny_sd, seed=5)
    folder = root / "painted"
    save_lora(StableDiffusionPipeline, folder, unet)
    save_file(kohya_layout(get_peft_model_state_dict(unet), ALPHA), str(root / "painted_kohya.safetensors"))
    return {
        "style": make_unet_lora(root, "watercolor.safetensors", tiny_sd, seed=7),
        "awe": make_unet_lora(root, "awe.safetensors", tiny_sd, seed=0),
        "folder": folder,
        "kohya": root / "painted_kohya.safetensors",
    }


def adapted_unet(tiny_sd, seed: int):
    """The tiny UNet with a peft LoRA (rank 4, alpha 8) whose A and B are seeded and non-zero."""
    from diffusers import UNet2DConditionModel
    from peft import LoraConfig

    unet = UNet2DConditionModel.from_pretrained(tiny_sd, subfolder="unet")
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=RANK, lora_alpha=ALPHA, target_modules=TARGETS))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in unet.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    return unet


def kohya_layout(peft_state: dict, alpha: float) -> dict:
    """peft keys (`down_blocks.1….to_q.lora_A.weight`) as kohya writes them: `lora_unet_` + the module path with
    `_` for `.`, `lora_down` / `lora_up` for A / B, and one `.alpha` per module."""
    converted = {}
    for key, tensor in peft_state.items():
        module, _, part = key.rpartition(".lora_")
        base = "lora_unet_" + module.replace(".", "_")
        converted[f"{base}.{'lora_down' if part.startswith('A') else 'lora_up'}.weight"] = tensor.contiguous()
        converted[f"{base}.alpha"] = torch.tensor(float(alpha))
    return converted


def pixels(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def run(tiny_sd, out, emotion="awe", **options):
    return generate("image", emotion, model=str(tiny_sd), out=out, **FAST, **options)


def plain_diffusers(tiny_sd, adapters: dict, weights: dict):
    """Plain diffusers: `load_lora_weights` per adapter (a folder or folder + file name), `set_adapters`, same call."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(tiny_sd, use_safetensors=True)
    for name, path in adapters.items():
        if path.is_dir():
            pipe.load_lora_weights(str(path), adapter_name=name)
        else:
            pipe.load_lora_weights(str(path.parent), weight_name=path.name, adapter_name=name)
    pipe.set_adapters(list(adapters), adapter_weights=[weights[name] for name in adapters])
    image = pipe(PROMPT, num_inference_steps=2, height=64, width=64, generator=torch.Generator().manual_seed(0))
    return np.asarray(image.images[0], dtype=np.int16)


def test_style_lora_at_a_fixed_weight_changes_the_picture_and_weight_zero_is_no_lora(tiny_sd, files, tmp_path):
    base = pixels(run(tiny_sd, tmp_path / "base.png").path)
    styled = run(tiny_sd, tmp_path / "s.png", lora=[f"watercolor={files['style']}@0.7"])
    assert styled.provenance["parameters"]["loras"]["watercolor"] == {
        "path": str(files["style"].resolve()), "kind": "style", "given_weight": 0.7, "weight": 0.7,
    }  # fmt: skip
    assert not np.array_equal(pixels(styled.path), base)
    assert np.array_equal(
        pixels(styled.path), plain_diffusers(tiny_sd, {"watercolor": files["style"]}, {"watercolor": 0.7})
    )
    for emotion in ("fear", "calm"):  # a style LoRA's weight does not follow the emotion
        other = run(tiny_sd, tmp_path / f"{emotion}.png", emotion, lora=[f"watercolor={files['style']}@0.7"])
        assert other.provenance["parameters"]["loras"]["watercolor"]["weight"] == 0.7
    zero = run(tiny_sd, tmp_path / "zero.png", lora=[f"watercolor={files['style']}@0"])
    assert np.array_equal(pixels(zero.path), base)
    full = run(tiny_sd, tmp_path / "full.png", lora=[f"watercolor={files['style']}"])  # no @: 1.0, as diffusers
    assert full.provenance["parameters"]["loras"]["watercolor"]["weight"] == 1.0
    assert np.array_equal(
        pixels(full.path), plain_diffusers(tiny_sd, {"watercolor": files["style"]}, {"watercolor": 1})
    )


def test_style_lora_composes_with_an_emotion_lora(tiny_sd, files, tmp_path):
    awe = f"awe={files['awe']}"
    style = f"watercolor={files['style']}@0.7"
    both = run(tiny_sd, tmp_path / "both.png", lora=[awe, style])
    alone = {name: pixels(run(tiny_sd, tmp_path / f"{name}.png", lora=[entry]).path) for name, entry in
             (("awe", awe), ("style", style))}  # fmt: skip
    recorded = both.provenance["parameters"]["loras"]
    assert recorded["awe"]["kind"] == "emotion" and recorded["watercolor"]["kind"] == "style"
    expected = lora_weights(resolve("awe"), parse_loras([awe, style]))
    assert recorded["awe"]["weight"] == round(expected["awe"], 4) > 0.4 and recorded["watercolor"]["weight"] == 0.7
    picture = pixels(both.path)
    assert not np.array_equal(picture, alone["awe"]) and not np.array_equal(picture, alone["style"])
    adapters = {"awe": files["awe"], "watercolor": files["style"]}
    assert np.array_equal(picture, plain_diffusers(tiny_sd, adapters, expected))


def test_at_weight_on_an_emotion_lora_scales_its_blend_weight(files):
    loras = parse_loras([f"awe={files['awe']}@0.5", f"fear={files['style']}"])
    assert {name: (lora.kind, lora.given_weight) for name, lora in loras.items()} == {
        "awe": ("emotion", 0.5), "fear": ("emotion", None),
    }  # fmt: skip
    for emotion in ("awe", "fear", "0.5 awe + 0.5 fear"):
        spec = resolve(emotion)
        unscaled = lora_weights(spec, parse_loras([f"awe={files['awe']}", f"fear={files['style']}"]))
        scaled = lora_weights(spec, loras)
        assert scaled["awe"] == pytest.approx(0.5 * unscaled["awe"]) and scaled["fear"] == unscaled["fear"]


def test_a_diffusers_folder_loads_as_plain_diffusers_loads_it(tiny_sd, files, tmp_path):
    art = run(tiny_sd, tmp_path / "folder.png", lora=[f"painted={files['folder']}"])
    assert art.provenance["parameters"]["loras"]["painted"]["path"].endswith("painted/pytorch_lora_weights.safetensors")
    assert np.array_equal(pixels(art.path), plain_diffusers(tiny_sd, {"painted": files["folder"]}, {"painted": 1.0}))
    assert not np.array_equal(pixels(art.path), pixels(run(tiny_sd, tmp_path / "base.png").path))


def test_a_kohya_layout_file_loads_from_the_cli_and_equals_its_diffusers_twin(tiny_sd, files, tmp_path, capsys):
    out = tmp_path / "kohya.png"
    argv = ["generate", "image", "--backend", "diffusion", "--model", str(tiny_sd), "--emotion", "awe"]
    argv += ["--text", PROMPT, "--steps", "2", "--size", "64x64", "--device", "cpu", "--plain"]
    argv += ["--lora", f"painted={files['kohya']}@0.7", "--out", str(out), "--json"]
    assert cli.main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["parameters"]["loras"]["painted"]["kind"] == "style"
    twin = run(tiny_sd, tmp_path / "twin.png", lora=[f"painted={files['folder']}@0.7"])
    assert np.array_equal(pixels(out), pixels(twin.path))  # same weights, alpha from the file's `.alpha`
    assert not np.array_equal(pixels(out), pixels(run(tiny_sd, tmp_path / "base.png").path))


def test_the_mapping_form_takes_the_same_strings(tiny_sd, files, tmp_path):
    listed = run(tiny_sd, tmp_path / "l.png", lora=[f"watercolor={files['style']}@0.7"])
    mapped = run(tiny_sd, tmp_path / "m.png", lora={"watercolor": f"{files['style']}@0.7"})
    assert np.array_equal(pixels(listed.path), pixels(mapped.path))
    assert mapped.provenance["parameters"]["loras"] == listed.provenance["parameters"]["loras"]


def test_a_pickle_lora_folder_is_refused_unless_pickle_is_allowed(tiny_sd, files, tmp_path, capsys):
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    folder.mkdir()
    torch.save(load_file(str(files["style"])), folder / "pytorch_lora_weights.bin")
    with pytest.raises(StudioError, match="pytorch_lora_weights.bin is not a safetensors file.*--allow-pickle"):
        run(tiny_sd, tmp_path / "x.png", lora=[f"watercolor={folder}"])
    argv = ["generate", "image", "--backend", "diffusion", "--model", str(tiny_sd), "--emotion", "awe"]
    argv += ["--device", "cpu", "--lora", f"watercolor={folder}", "--out", str(tmp_path / "y.png")]
    assert cli.main(argv) == 1
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "y.png").exists()
    allowed = run(tiny_sd, tmp_path / "ok.png", lora=[f"watercolor={folder}@0.7"], allow_pickle=True)
    safe = run(tiny_sd, tmp_path / "safe.png", lora=[f"watercolor={files['style']}@0.7"])
    assert np.array_equal(pixels(allowed.path), pixels(safe.path))


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("watercolor={style}@abc", ["'abc'", "not a number", "NAME=PATH@WEIGHT", "-2 to 2"]),
        ("watercolor={style}@3", ["'3'", "out of range", "-2 to 2"]),
        ("watercolor={style}@-2.5", ["'-2.5'", "out of range"]),
        ("watercolor={style}@nan", ["'nan'", "out of range"]),
        ("watercolor={style}@", ["''", "not a number"]),
        ("watercolor=@0.7", ["names no file", "NAME=PATH@WEIGHT"]),
        ("water.color={style}", ["'water.color'", "letters, digits"]),
        ("watercolor", ["'watercolor'", "NAME=PATH[@WEIGHT]"]),
        ("watercolor={empty}", ["holds no pytorch_lora_weights.safetensors", "give the weight file itself"]),
        ("watercolor={missing}@0.5", ["missing.safetensors does not exist"]),
    ],
)
def test_bad_lora_entries_are_one_sentence_naming_the_value_and_the_fix(files, tmp_path, entry, words):
    (tmp_path / "empty").mkdir()
    entry = entry.format(style=files["style"], empty=tmp_path / "empty", missing=tmp_path / "missing.safetensors")
    with pytest.raises(StudioError) as refused:
        parse_loras([entry])
    message = str(refused.value)
    assert all(word in message for word in words), message
    assert "\n" not in message and message.endswith(".") and ". " not in message.replace("e.g. ", "")


def test_negative_weights_and_paths_with_at_signs_are_kept(files, tmp_path):
    assert parse_loras([f"slider={files['style']}@-1"])["slider"].given_weight == -1.0
    odd = tmp_path / "v@2" / "w@home.safetensors"
    odd.parent.mkdir()
    odd.write_bytes(files["style"].read_bytes())
    assert parse_loras([f"slider={odd}"])["slider"].path == odd.resolve()
    assert parse_loras([f"slider={odd}@0.25"])["slider"].given_weight == 0.25
    with pytest.raises(StudioError, match="given twice"):
        parse_loras([f"awe={files['awe']}", f"AWE={files['awe']}@0.5"])


def test_the_syntax_is_checked_before_any_file_is_opened():
    assert lora_entries(["watercolor=nowhere/w.safetensors@0.5", "awe=nowhere/a.safetensors"]) == [
        ("watercolor", "nowhere/w.safetensors", 0.5), ("awe", "nowhere/a.safetensors", None),
    ]  # fmt: skip
    with pytest.raises(StudioError, match="'abc' after '@' is not a number"):
        lora_entries({"watercolor": "nowhere/w.safetensors@abc"})
    with pytest.raises(StudioError, match="must be NAME=PATH"):
        lora_entries(3)


def test_a_manifest_row_takes_style_loras_in_either_form(tiny_sd, files, tmp_path):
    from studio.batch import run_batch

    base = {"modality": "image", "emotion": "awe", "text": PROMPT, "backend": "diffusion", "model": str(tiny_sd)}
    options = {"steps": 2, "size": "64x64", "plain": True}
    rows = [
        {**base, "id": "listed", "options": {**options, "lora": [f"watercolor={files['style']}@0.7"]}},
        {**base, "id": "mapped", "options": {**options, "lora": {"watercolor": f"{files['style']}@0.7"}}},
        {**base, "id": "bad", "options": {**options, "lora": [f"watercolor={files['style']}@abc"]}},
    ]
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = run_batch(manifest, tmp_path / "out", progress=False)
    assert sorted(result.done) == ["listed", "mapped"]
    refused = {**{row.id: row.reason for row in result.invalid}, **result.failed}  # invalid once options check it
    assert list(refused) == ["bad"] and "weight 'abc' after '@' is not a number" in refused["bad"]
    records = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "out").rglob("*.json") if p.parent.name in
               ("listed", "mapped")}  # fmt: skip
    applied = [r["parameters"]["loras"]["watercolor"] for r in records.values()]
    assert len(applied) == 2 and all(a["kind"] == "style" and a["weight"] == 0.7 for a in applied)
