"""The text adapter's recipe: EmoBank alone or EmoBank with GoEmotions' categories, on the packaged encoder."""

import argparse
import json

import numpy as np
import pytest

from conditioning.errors import StudioError
from conditioning.text_encoder import encoder_available
from eval.recognizers.judge_card import read_head_file
from finetune.text_vad import GOEMOTIONS_SOURCE, epoch_plan, main, trained_on

needs_encoder = pytest.mark.skipif(not encoder_available(), reason="sentence encoder extra not installed")


def plan_args(passes=2):
    return argparse.Namespace(batch_size=4, emobank_passes=passes)


def test_emobank_alone_sees_each_sentence_once_an_epoch():
    plan = epoch_plan(10, None, plan_args(), np.random.default_rng(0))
    assert {source for source, _ in plan} == {"emobank"}
    seen = np.concatenate([idx for _, idx in plan])
    assert len(seen) == len(set(seen.tolist())) == 8  # two full batches of four; the ragged rest waits a turn


def test_with_goemotions_emobank_repeats_and_the_two_sets_interleave():
    categories = {"train": (["a comment"] * 40, [[0]] * 40)}
    plan = epoch_plan(8, categories, plan_args(passes=3), np.random.default_rng(0))
    sources = [source for source, _ in plan]
    assert sources.count("emobank") == 3 * 2 and sources.count("goemotions") == 10
    goemotions = np.concatenate([idx for source, idx in plan if source == "goemotions"])
    assert sorted(goemotions.tolist()) == list(range(40))
    first_comment = sources.index("goemotions")
    assert "emobank" in sources[first_comment:]  # not one set's batches then the other's


def tiny_sets(root):
    """A few dozen made-up sentences in EmoBank's and GoEmotions' file formats."""
    feelings = [
        ("what a wonderful happy day", 4.3, 3.5, [17]),
        ("I am so glad you came", 4.0, 3.2, [17]),
        ("she cried over the grave of her father", 1.7, 3.0, [25]),
        ("we buried him in the rain", 1.9, 2.8, [25]),
        ("the dark shape moved toward us", 2.2, 3.7, [14]),
        ("I am terrified of what comes next", 1.9, 3.8, [14]),
        ("the meeting is at ten", 3.0, 2.9, [27]),
        ("the form has four pages", 3.0, 2.8, [27]),
    ]
    lines = ["id,split,V,A,D,text"]
    for split, copies in (("train", 6), ("dev", 3), ("test", 3)):
        for k in range(copies):
            for i, (text, v, a, _) in enumerate(feelings):
                lines.append(f"{split}{k}_{i},{split},{v + 0.01 * k},{a},{3.0 + 0.01 * i},{text} {k}")
    emobank = root / "emobank.csv"
    emobank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    goemotions = root / "goemotions"
    goemotions.mkdir()
    for split, copies in (("train", 4), ("dev", 2)):
        rows = [
            f"{text} {k}\t{','.join(map(str, ids))}\tc{k}{i}"
            for k in range(copies)
            for i, (text, *_, ids) in enumerate(feelings)
        ]
        (goemotions / f"{split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return emobank, goemotions


@needs_encoder
def test_joint_recipe_writes_an_adapter_that_names_both_sets_and_keeps_them_on_refit(tmp_path):
    from safetensors.numpy import load_file

    emobank, goemotions = tiny_sets(tmp_path)
    out = tmp_path / "adapter.safetensors"
    common = ["--data", str(emobank), "--out", str(out), "--batch-size", "8", "--threads", "1"]
    assert main([*common, "--goemotions", str(goemotions), "--epochs", "1"]) == 0
    tensors = load_file(str(out))
    b_matrices = [v for k, v in tensors.items() if k.startswith("lora.") and k.endswith(".B")]
    assert b_matrices and any(np.abs(b).max() > 0 for b in b_matrices)  # the LoRA moved off its zero start
    assert tensors["rff.head.weight"].shape == (3, tensors["rff.weight"].shape[1])
    meta = read_head_file(out, "Text adapter", arrays=False)[1]
    assert GOEMOTIONS_SOURCE in json.loads(meta["lora_trained_on"]) and "GoEmotions" in meta["source"]
    assert len(json.loads(meta["test_pearson_vad"])) == 3

    assert main([*common, "--head-only"]) == 0  # refitting the head keeps what the LoRA learned from
    assert json.loads(read_head_file(out, "Text adapter", arrays=False)[1]["lora_trained_on"]) == json.loads(
        meta["lora_trained_on"]
    )
    refit = load_file(str(out))
    assert all(np.array_equal(refit[k], tensors[k]) for k in tensors if k.startswith("lora."))


def test_a_folder_without_goemotions_files_is_refused_in_one_sentence(tmp_path):
    emobank, _ = tiny_sets(tmp_path)
    with pytest.raises(StudioError, match=r"has no train\.tsv; pass the GoEmotions folder"):
        main(["--data", str(emobank), "--out", str(tmp_path / "a.safetensors"), "--goemotions", str(tmp_path)])


def test_hostile_trained_on_metadata_is_refused_not_trusted(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "adapter.safetensors"
    save_file({"x": np.zeros(1, dtype=np.float32)}, str(path), metadata={"lora_trained_on": '{"a": 1}'})
    with pytest.raises(StudioError, match="unreadable 'lora_trained_on'"):
        trained_on(read_head_file(path, "Text adapter")[1], ["EmoBank"], path)
    save_file({"x": np.zeros(1, dtype=np.float32)}, str(path))
    assert trained_on(read_head_file(path, "Text adapter")[1], ["EmoBank"], path) == [
        "EmoBank"
    ]  # files from before the field
