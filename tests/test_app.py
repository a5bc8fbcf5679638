"""The Streamlit app, page by page, with the embedded backends (AppTest runs the script in-process, no browser):
compose from each input form, generate each modality, the gallery lists and re-runs, evaluate shows the report,
and bad input leaves a message under its widget while the rest of the page keeps working."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from generators.registry import BACKENDS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "app" / "studio_app.py")


@pytest.fixture
def at(out) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.run()
    assert_fine(app)
    return app


def assert_fine(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def generate(app: AppTest, choice: str = "Image") -> list[str]:
    app.switch_page("generate_page.py").run()
    app.segmented_control(key="gen_choice").set_value(choice).run()
    if choice in ("Video", "All three"):
        app.selectbox(key="gen_video_size").set_value(128).run()
        app.slider(key="gen_duration").set_value(1.0).run()
        app.selectbox(key="gen_fps").set_value(8).run()
    if choice in ("Image", "All three"):
        app.select_slider(key="gen_image_size").set_value(256).run()
    before = list(app.session_state["results"]) if "results" in app.session_state else []
    app.button(key="btn_generate").click().run()
    assert_fine(app)
    return [p for p in app.session_state["results"] if p not in before]


def test_compose_by_label(at):
    assert at.title[0].value == "Compose"
    at.pills(key="label_pick").set_value("fear").run()
    assert_fine(at)
    assert at.session_state["emotion"] == "mikels8:fear"
    assert metric(at, "Valence").startswith("-")
    assert any(p.value and "fear" in str(p.proto.text) for p in at.get("progress"))  # nearest-label bars
    at.selectbox(key="taxonomy").set_value("ekman7").run()
    at.pills(key="label_pick").set_value("surprise").run()
    assert at.session_state["emotion"] == "ekman7:surprise"
    assert at.markdown.values.count("### surprise") == 1


def test_compose_on_the_plane(at):
    at.segmented_control(key="compose_mode").set_value("Plane").run()
    at.slider(key="va_v").set_value(0.8).run()
    at.slider(key="va_a").set_value(-0.6).run()
    assert_fine(at)
    assert at.session_state["emotion"][:2] == [0.8, -0.6]
    assert metric(at, "Valence") == "+0.80" and metric(at, "Arousal") == "-0.60"
    at.text_input(key="va_typed").input("7,3,5 scale=1-9").run()
    assert_fine(at)
    assert at.session_state["emotion"] == [0.5, -0.5, 0.0]


def test_compose_from_words_and_blend(at):
    at.segmented_control(key="compose_mode").set_value("Words").run()
    at.text_area(key="free_text").input("a bittersweet, nostalgic calm").run()
    assert_fine(at)
    assert at.session_state["emotion"] == "a bittersweet, nostalgic calm"
    assert "bittersweet" in " ".join(c.value for c in at.caption)
    at.segmented_control(key="compose_mode").set_value("Blend").run()
    at.slider(key="blend_mix").set_value(50).run()
    assert_fine(at)
    parts = at.session_state["emotion"]["blend"]
    assert [p["emotion"] for p in parts] == ["joy", "fear"] and parts[1]["weight"] == 0.5


def test_bad_input_is_a_message_under_the_widget_and_the_page_still_works(at):
    at.segmented_control(key="compose_mode").set_value("Words").run()
    at.text_area(key="free_text").input("qwzx").run()
    assert not at.exception
    assert "Unknown emotion 'qwzx'" in at.error[0].value
    assert at.session_state["emotion"] == "awe"  # the last good emotion is kept
    assert at.metric  # the spec card still renders
    at.segmented_control(key="compose_mode").set_value("Plane").run()
    at.text_input(key="va_typed").input("1.5, 0, 0").run()
    assert not at.exception
    assert "outside [-1, 1]" in at.error[0].value
    point = at.session_state["emotion"]
    at.text_input(key="va_typed").input("quiet calm").run()  # words are not a point: a message, sliders unmoved
    assert "is not a VAD point" in at.error[0].value and at.session_state["emotion"] == point
    at.slider(key="va_v").set_value(-0.4).run()  # the sliders still drive the emotion
    assert at.session_state["emotion"][0] == -0.4
    at.segmented_control(key="compose_mode").set_value("Blend").run()
    at.text_input(key="blend_b").input("fearrr").run()
    assert "did you mean fear" in at.error[0].value
    at.text_input(key="arc_typed").input("calm:0, dread:soon").run()
    assert any("not a time in seconds" in e.value for e in at.error)


def test_arc_typed_fills_the_table(at):
    at.text_input(key="arc_typed").input("calm:0, fear:2").run()
    assert_fine(at)
    assert at.session_state["arc_rows"] == [{"t": 0.0, "emotion": "calm"}, {"t": 2.0, "emotion": "fear"}]
    assert at.session_state["use_arc"] is True
    at.text_input(key="arc_typed").input("dread:4, calm:0").run()  # out of time order: each name keeps its time
    assert at.session_state["arc_rows"] == [{"t": 0.0, "emotion": "calm"}, {"t": 4.0, "emotion": "dread"}]


def test_arc_table_edits_fold_into_the_stored_rows():
    from app.arc_editor import fold

    rows = [{"t": 0.0, "emotion": "calm"}, {"t": 4.0, "emotion": "dread"}]
    delta = {"edited_rows": {"1": {"t": 3.0}}, "added_rows": [{"t": 6.0, "emotion": "relief"}], "deleted_rows": [0]}
    assert fold(rows, delta) == [{"t": 3.0, "emotion": "dread"}, {"t": 6.0, "emotion": "relief"}]
    assert rows[1]["t"] == 4.0  # the stored rows are not changed in place


@pytest.mark.parametrize(("choice", "suffix"), [("Image", ".png"), ("Video", ".mp4"), ("Voice", ".wav")])
def test_generate_each_modality(at, out, choice, suffix):
    made = generate(at, choice)
    assert len(made) == 1 and made[0].endswith(suffix) and Path(made[0]).is_file()
    assert Path(made[0]).parent.parent == out
    assert any("✓" in m.value for m in at.markdown)
    assert any("alignment" in str(p.proto.text) for p in at.get("progress"))  # recognized-emotion score shown


def test_generate_all_three_following_an_arc(at):
    at.text_input(key="arc_typed").input("calm:0, fear:1").run()
    made = generate(at, "All three")
    assert sorted(Path(p).suffix for p in made) == [".mp4", ".png", ".wav"]
    records = {Path(p).suffix: json.loads(Path(p).with_suffix(".json").read_text()) for p in made}
    assert records[".mp4"]["arc"] and records[".wav"]["arc"] and not records[".png"]["arc"]
    folder = {Path(p).parent for p in made}  # one matched set, as `studio generate all` writes it
    assert len(folder) == 1
    (link,) = folder.pop().glob("*-set.json")
    record = json.loads(link.read_text())
    assert sorted(f["path"] for f in record["files"].values()) == sorted(Path(p).name for p in made)
    assert record["words"] == records[".wav"]["parameters"]["text"] == records[".mp4"]["parameters"]["voice"]["words"]
    assert record["arc"] == records[".mp4"]["arc"]


def test_best_of_n_keeps_one_and_records_the_scores(at):
    at.switch_page("generate_page.py").run()
    at.number_input(key="gen_best_of").set_value(3).run()
    made = generate(at, "Image")
    record = json.loads(Path(made[0]).with_suffix(".json").read_text())
    assert record["best_of"]["n"] == 3 and len(record["best_of"]["scores"]) == 3
    assert len(list(Path(made[0]).parent.iterdir())) == 2  # the kept image and its sidecar; candidates are gone


def test_model_backends_missing_extra_and_bad_model_path(at, monkeypatch):
    """An extra that is not installed is named, not offered (simulated: no other way to lose an import); a bad model
    path on the real diffusion backend is a message under the field and a disabled button."""
    monkeypatch.setitem(BACKENDS, ("image", "absent"), ("_app_test_no_such_module", "image"))
    at.switch_page("generate_page.py").run()
    assert any("absent is not installed" in c.value and "emotion-studio[image]" in c.value for c in at.caption)
    assert "absent" not in at.selectbox(key="gen_backend_image").options
    if "diffusion" not in at.selectbox(key="gen_backend_image").options:
        pytest.skip("the diffusion backend is not installed")
    at.selectbox(key="gen_backend_image").set_value("diffusion").run()
    at.text_input(key="gen_model_image").input("/no/such/model").run()
    assert not at.exception
    assert "does not exist" in at.error[0].value
    assert at.button(key="btn_generate").disabled
    at.text_input(key="gen_subject").input("a lighthouse").run()  # the rest of the page still works
    assert not at.exception


def test_gallery_lists_filters_opens_and_reruns(at, out):
    made = generate(at, "Image")[0]
    at.switch_page("gallery_page.py").run()
    assert_fine(at)
    assert any(c.value.startswith("1 of 1") for c in at.caption)
    assert any("awe" in m.value and "procedural" in m.value for m in at.markdown)
    key = next(b.key for b in at.button if b.key.startswith("btn_rerun_"))
    at.button(key=key).click().run()
    assert_fine(at)
    assert "Re-ran" in at.success[0].value
    again = at.session_state["results"][0]
    assert np.array_equal(np.asarray(Image.open(made)), np.asarray(Image.open(again)))  # same settings, same pixels
    assert any(c.value.startswith("2 of 2") for c in at.caption)
    assert at.json  # the opened item shows its provenance
    at.pills(key="gallery_modality").set_value(["voice"]).run()
    assert any(c.value.startswith("0 of 2") for c in at.caption)


def test_evaluate_folder_shows_the_report(at, out):
    generate(at, "Image")
    at.switch_page("evaluate_page.py").run()
    at.button(key="btn_evaluate").click().run()
    assert_fine(at)
    assert metric(at, "Evaluated") == "1"
    assert (out / "eval_report" / "report.html").is_file()
    assert at.subheader.values.count("Report") == 1
    at.text_input(key="eval_folder").input(str(out / "missing")).run()
    assert "is not a folder" in at.error[0].value
    assert metric(at, "Evaluated") == "1"  # the last report stays on the page


def test_recognizer_model_path_that_does_not_exist(at, out):
    at.switch_page("evaluate_page.py").run()
    judges = at.selectbox(key="eval_recognizer_image").options
    if "clip_zero_shot" not in judges:
        pytest.skip("clip_zero_shot needs the image extra (transformers)")
    at.selectbox(key="eval_recognizer_image").set_value("clip_zero_shot").run()
    at.text_input(key="eval_option_image").input("/no/such/clip").run()
    assert not at.exception
    assert "does not exist" in at.error[0].value
    assert at.button(key="btn_evaluate").disabled
    at.selectbox(key="eval_recognizer_image").set_value("image_features").run()
    assert_fine(at)
    assert not at.button(key="btn_evaluate").disabled


def test_alignment_suite_runs_and_reports(at, out):
    at.switch_page("evaluate_page.py").run()
    at.segmented_control(key="eval_mode").set_value("Alignment suite").run()
    at.button(key="btn_suite").click().run()
    assert_fine(at)
    assert metric(at, "Evaluated") == "8"  # Mikels-8 × 1 seed × image
    assert list((out / "alignment-suite").glob("*/report/report.json"))


def test_unusable_output_folder_is_a_message(at, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    at.sidebar.text_input(key="output_folder").input(str(blocker)).run()
    assert not at.exception
    assert "is a file, not a folder" in at.error[0].value
    at.pills(key="label_pick").set_value("anger").run()
    assert at.session_state["emotion"] == "mikels8:anger"


def test_studio_app_command_runs_streamlit_on_the_entry_file(monkeypatch, tmp_path):
    from studio.cli import main
    from studio.commands import app as app_command

    calls = []
    monkeypatch.setattr(app_command, "launch", lambda cmd, env: calls.append((cmd, env)) or 0)
    assert main(["app", "--port", "8600", "--host", "0.0.0.0", "--output", str(tmp_path), "--headless"]) == 0
    cmd, env = calls[0]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and Path(cmd[4]) == Path(ENTRY)
    assert cmd[cmd.index("--server.port") + 1] == "8600" and cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
    assert env["STUDIO_APP_OUTPUT"] == str(tmp_path)
    assert main(["app", "--port", "0"]) == 1


def test_diffusion_backend_with_a_local_model_folder(at, out, tmp_path):
    """The model folder typed in the app reaches the diffusion backend (a tiny SD, 2 steps)."""
    pytest.importorskip("diffusers")
    from tiny_diffusion import build_tiny_sd

    model = build_tiny_sd(tmp_path / "tiny-sd")
    at.switch_page("generate_page.py").run()
    if "diffusion" not in at.selectbox(key="gen_backend_image").options:
        pytest.skip("the diffusion backend is not installed")
    at.selectbox(key="gen_backend_image").set_value("diffusion").run()
    at.text_input(key="gen_model_image").input(str(model)).run()
    at.number_input(key="gen_steps_image").set_value(2).run()
    at.select_slider(key="gen_image_size").set_value(256).run()
    at.button(key="btn_generate").click().run()
    assert_fine(at)
    record = json.loads(Path(at.session_state["results"][0]).with_suffix(".json").read_text())
    assert record["backend"] == "diffusion" and record["parameters"]["steps"] == 2
    assert record["model"] == str(model) and record["request"]["options"]["model"] == str(model)


def test_rerun_replays_the_request_not_the_derived_parameters(tmp_path):
    """A narrated video's sidecar holds the narration record under parameters['voice']; the re-run must speak the
    words asked for again (it used to fail with '--voice needs the words to speak')."""
    from studio import generate_video
    from studio.app_outputs import rerun

    first = generate_video("calm", duration=1, size="64x64", voice="Breathe in.", out=tmp_path / "calm.mp4")
    again = rerun(str(first.path), tmp_path / "gallery")
    assert again.provenance["request"] == first.provenance["request"]
    assert again.provenance["request"]["options"]["voice"] == "Breathe in."
    assert again.path.read_bytes() == first.path.read_bytes()  # same request, same seed: the same clip


def test_scoring_a_sidecar_without_a_spec_is_one_clear_error(tmp_path):
    from conditioning import StudioError
    from studio import generate_image
    from studio.app_outputs import recognize

    made = generate_image("joy", size="64x64", out=tmp_path / "joy.png")
    record = json.loads(made.sidecar.read_text())
    del record["spec"]
    made.sidecar.write_text(json.dumps(record))
    with pytest.raises(StudioError, match="no valid spec"):
        recognize(str(made.path))
