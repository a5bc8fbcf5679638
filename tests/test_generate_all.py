"""`studio generate all` / `generate_all`: the matched image, narrated video and voice from one resolved spec, with
one record linking the three files, on the embedded backends."""

import json

import pytest
import soundfile

from conditioning import StudioError
from studio.cli import main
from studio.matched_set import generate_all

SMALL = {"size": "64x64", "duration": 1.0, "fps": 8}


def test_the_app_form_subject_words_per_modality_options_and_progress(tmp_path):
    """What the app's "All three" passes: a subject (empty: pure mood) apart from the words spoken, its own size for
    the image and the video, and a callback told of each file as it is written."""
    told = []
    made = generate_all(
        "calm",
        text="",
        words="Hold the light steady.",
        out=tmp_path / "set",
        modality_options={"image": {"size": "96x64"}, "video": {"size": "64x64", "duration": 1.0, "fps": 8}},
        on_made=lambda modality, artifact: told.append((modality, artifact.path)),
    )
    assert told == [(m, a.path) for m, a in zip(("image", "video", "voice"), made.artifacts)]
    assert made.image.provenance["parameters"]["size"] == [96, 64] and made.video.provenance["parameters"]["size"] == [
        64,
        64,
    ]
    assert made.voice.provenance["parameters"]["text"] == "Hold the light steady."
    assert made.video.provenance["parameters"]["voice"]["words"] == "Hold the light steady."
    link = json.loads(made.record.read_text())
    assert (link["text"], link["words"]) == ("", "Hold the light steady.")
    with pytest.raises(StudioError, match="not image, video or voice"):
        generate_all("calm", text="x", out=tmp_path / "bad", modality_options={"audio": {}})


def test_three_files_one_record_and_the_same_spec_in_every_sidecar(tmp_path):
    image, video, voice, record = generate_all(
        "awe", text="a lighthouse", seed=4, out=tmp_path / "awe", taxonomy="ekman7", **SMALL
    )
    assert [a.path.suffix for a in (image, video, voice)] == [".png", ".mp4", ".wav"]
    assert all(a.path.parent == tmp_path / "awe" and a.path.exists() for a in (image, video, voice))
    link = json.loads(record.read_text())
    assert {m: f["path"] for m, f in link["files"].items()} == {
        "image": image.path.name,
        "video": video.path.name,
        "voice": voice.path.name,
    }
    sidecars = [json.loads((record.parent / f["sidecar"]).read_text()) for f in link["files"].values()]
    assert all(s["spec"] == link["spec"] for s in sidecars) and link["spec"]["taxonomy"] == "ekman7"
    assert all(s["seed"] == 4 for s in sidecars) and link["text"] == "a lighthouse"
    assert video.provenance["parameters"]["voice"]["words"] == "a lighthouse"  # narrated with the text
    assert video.provenance["parameters"]["size"] == [64, 64] and image.provenance["parameters"]["size"] == [64, 64]
    assert soundfile.info(str(voice.path)).duration > 0.3
    assert "duration" not in link["files"]["voice"]["options"]  # only the video takes --duration
    assert list(tmp_path.joinpath("awe").glob("*.tmp*")) == []


def test_the_cli_writes_the_set_and_prints_the_record(tmp_path, capsys):
    argv = ["generate", "all", "-e", "calm", "--text", "a lighthouse", "--out", str(tmp_path / "calm")]
    assert main([*argv, "--size", "64x64", "--duration", "1", "--fps", "8", "--json"]) == 0
    link = json.loads(capsys.readouterr().out)
    assert sorted(link["files"]) == ["image", "video", "voice"]
    assert all((tmp_path / "calm" / f["path"]).exists() for f in link["files"].values())
    assert link["spec"]["source"] == "calm"


def test_an_arc_drives_video_and_voice_from_the_spec_the_image_shows(tmp_path):
    image, video, voice, record = generate_all(
        arc="calm:0,fear:1", text="the tide comes in", out=tmp_path / "arc", **SMALL
    )
    assert image.provenance["arc"] is None and video.provenance["arc"] and voice.provenance["arc"]
    assert image.provenance["spec"] == video.provenance["spec"] == voice.provenance["spec"]
    assert json.loads(record.read_text())["arc"] == video.provenance["arc"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            {"steps": 20},
            r"None of the matched set's backends \(image=procedural, video=procedural, voice=\w+\) takes --steps",
        ),
        ({"sharpness": 2}, "'sharpness' is not a generation option"),
        ({"text": ""}, "A matched set needs --text"),
        ({"out": "awe.png"}, "must be a folder"),
        ({"backends": {"image": "painter"}}, "Unknown image backend 'painter'"),
    ],
)
def test_a_bad_call_is_one_sentence_and_makes_nothing(tmp_path, monkeypatch, call, message):
    monkeypatch.chdir(tmp_path)
    call = {"text": "a lighthouse", "out": tmp_path / "set", **call}
    with pytest.raises(StudioError, match=message):
        generate_all("awe", **call)
    assert not (tmp_path / "set").exists() or not any((tmp_path / "set").iterdir())


def test_the_cli_names_each_backend_of_a_set(tmp_path, capsys):
    argv = ["generate", "all", "-e", "awe", "--text", "x", "--out", str(tmp_path / "s"), "--backend", "diffusion"]
    assert main(argv) == 1
    assert "must be MODALITY=NAME" in capsys.readouterr().err
