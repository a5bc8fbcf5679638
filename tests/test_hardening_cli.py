"""Bad flags and hostile environments end in one sentence (or a quiet exit), never a traceback or a usage block."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conditioning.errors import StudioError
from studio.cli import main
from studio.commands import app

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "argv",
    [
        ["emotion", "--scale"],
        ["generate", "--no-such-flag"],
        ["no-such-command"],
        ["app", "--port", "eighty"],
    ],
)
def test_usage_mistakes_print_one_line_that_points_to_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "error:" in lines[0] and lines[0].endswith("--help")


@pytest.mark.parametrize("host", ["999.1.1.1", "1.2.3", "-bad-.example", "has space", "a" * 300, "x..y"])
def test_app_refuses_an_unbindable_host_in_one_sentence(host):
    with pytest.raises(StudioError, match="--host"):
        app.check_host(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "::1", "localhost", "studio.local"])
def test_app_accepts_addresses_and_host_names(host):
    app.check_host(host)


def test_app_with_a_bad_host_exits_non_zero_before_starting_streamlit(capsys):
    if app.importlib.util.find_spec("streamlit") is None:
        pytest.skip("streamlit not installed")
    assert main(["app", "--host", "999.1.1.1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "999.1.1.1" in err[0]


def test_emotion_json_into_a_closed_pipe_exits_quietly():
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "studio", "emotion", *(["joy", "awe", "fear"] * 3000), "--json"]
    producer = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    producer.stdout.readline()
    producer.stdout.close()  # what `| head -1` does
    _, err = producer.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
    assert producer.returncode == 0


@pytest.mark.parametrize("option", ["/nonexistent", "./missing-clip", "~/no/such/clip"])
def test_eval_with_a_judge_that_cannot_load_exits_non_zero_in_one_sentence(option, tmp_path, capsys):
    code = main(["eval", str(tmp_path), "--recognizers", f"clip_zero_shot={option}", "--out", str(tmp_path / "r")])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0]
    assert not (tmp_path / "r").exists()


def linked_outputs(tmp_path):
    """An evaluated folder with one real output, plus links that lead out of it (media, sidecar, both)."""
    from PIL import Image

    from conditioning import resolve
    from conditioning.artifact import Artifact, provenance

    def output(path):
        Image.new("RGB", (64, 64), (200, 30, 30)).save(path)
        record = provenance(
            modality="image", spec=resolve("fear").to_dict(), backend="procedural", seed=0, parameters={}
        )
        Artifact(path=path, modality="image", provenance=record).write_sidecar()

    outside, folder = tmp_path / "secret", tmp_path / "outputs"
    outside.mkdir()
    folder.mkdir()
    output(outside / "private.png")
    output(folder / "own.png")
    (folder / "both.png").symlink_to(outside / "private.png")
    (folder / "both.json").symlink_to(outside / "private.json")
    (folder / "media.png").symlink_to(outside / "private.png")
    (folder / "media.json").write_bytes((folder / "own.json").read_bytes())
    (folder / "side.png").write_bytes((folder / "own.png").read_bytes())
    (folder / "side.json").symlink_to(outside / "private.json")
    return folder


def test_eval_does_not_follow_links_out_of_the_folder(tmp_path):
    from eval.report import score_folder

    result = score_folder(linked_outputs(tmp_path))
    assert [item["file"] for item in result["items"]] == ["own.png"]
    reasons = {skip["file"]: skip["reason"] for skip in result["skipped"]}
    for name in ("both.png", "media.png", "side.png"):
        assert reasons[name] == "links outside the folder"
    assert "secret" not in json.dumps(result)


def test_gallery_does_not_follow_links_out_of_the_folder(tmp_path):
    from studio.app_outputs import list_gallery

    assert [item["file"] for item in list_gallery(linked_outputs(tmp_path))] == ["own.png"]


@pytest.mark.parametrize("recorded", [True, "yes", 1])
def test_a_replayed_sidecar_cannot_allow_pickle(recorded, tmp_path):
    from studio import generate_image
    from studio.app_outputs import replayable_options, rerun

    first = generate_image("calm", size="64x64", out=tmp_path / "calm.png")
    record = json.loads(first.path.with_suffix(".json").read_text(encoding="utf-8"))
    record["request"]["options"] = {"allow_pickle": recorded}
    first.path.with_suffix(".json").write_text(json.dumps(record), encoding="utf-8")
    assert "allow_pickle" not in replayable_options(record["request"]["options"], allow_pickle=False)
    again = rerun(str(first.path), tmp_path / "gallery")
    assert "allow_pickle" not in again.provenance["request"]["options"]
    assert replayable_options({}, allow_pickle=True) == {"allow_pickle": True}  # the keyboard still can


@pytest.mark.parametrize("name", ["x.lora", "x.safetensors", "x.pickle", "x.bin"])
def test_a_pickle_is_refused_whatever_its_name(name, tmp_path):
    import pickle

    from generators.lora_blend import parse_loras

    path = tmp_path / name
    path.write_bytes(pickle.dumps({"weight": [1.0, 2.0]}))
    with pytest.raises(StudioError, match="not a safetensors file") as refused:
        parse_loras({"awe": str(path)})
    assert str(refused.value).count(". ") == 0 and "--allow-pickle" in str(refused.value)
    assert parse_loras({"awe": str(path)}, allow_pickle=True)["awe"].path == path.resolve()  # the keyboard may


@pytest.mark.parametrize("content", [b"", b"\x00" * 8, b"\xff" * 8 + b"{", (10**6).to_bytes(8, "little") + b"{}"])
def test_truncated_or_lying_headers_are_not_safetensors(content, tmp_path):
    from generators.weight_files import is_safetensors

    (tmp_path / "w").write_bytes(content)
    assert not is_safetensors(tmp_path / "w")


def test_a_real_safetensors_file_is_accepted_under_any_name(tmp_path):
    import torch
    from safetensors.torch import save_file

    from generators.lora_blend import parse_loras

    path = tmp_path / "awe.lora"
    save_file({"w": torch.zeros(2, 2)}, str(path))
    assert parse_loras({"awe": str(path)})["awe"].path == path.resolve()
