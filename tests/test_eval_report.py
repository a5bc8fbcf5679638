"""`studio eval` and `studio.api.evaluate` on folders of outputs, including broken ones that must be skipped, not
fatal."""

import json

import imageio.v2 as imageio
import numpy as np
import pytest
import soundfile
from PIL import Image

from conditioning import StudioError, resolve, resolve_arc
from conditioning.artifact import Artifact, provenance
from eval.report import score_folder
from studio.api import EvaluationReport, evaluate, generate
from studio.cli import main


def sidecar(path, modality, emotion, backend="procedural", arc=None):
    record = provenance(
        modality=modality,
        spec=resolve(emotion).to_dict(),
        backend=backend,
        seed=0,
        parameters={},
        arc=arc.to_dict() if arc else None,
    )
    Artifact(path=path, modality=modality, provenance=record).write_sidecar()


@pytest.fixture
def outputs(tmp_path):
    folder = tmp_path / "outputs"
    folder.mkdir()
    Image.fromarray(np.full((256, 256, 3), (240, 225, 200), np.uint8)).save(folder / "content.png")
    sidecar(folder / "content.png", "image", "contentment")
    dark = np.zeros((256, 256, 3), np.uint8)
    dark[::8] = (200, 20, 20)
    Image.fromarray(dark).save(folder / "fear.png")
    sidecar(folder / "fear.png", "image", "fear")
    t = np.arange(2 * 22050) / 22050
    soundfile.write(folder / "sad.wav", 0.05 * np.sin(2 * np.pi * 110 * t), 22050)
    sidecar(folder / "sad.wav", "voice", "sadness", backend="espeak")
    with imageio.get_writer(folder / "arc.mp4", fps=12, macro_block_size=1) as writer:
        for i in range(36):
            writer.append_data(np.full((64, 64, 3), 60 + 5 * i, np.uint8))
    sidecar(folder / "arc.mp4", "video", "calm", arc=resolve_arc("calm:0,anger:3"))
    # the bad apples
    (folder / "broken.png").write_bytes((folder / "content.png").read_bytes()[:300])
    sidecar(folder / "broken.png", "image", "awe")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / "stray.png")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / "odour.png")
    record = provenance(modality="smell", spec=resolve("joy").to_dict(), backend="nose", seed=0, parameters={})
    (folder / "odour.json").write_text(json.dumps(record), encoding="utf-8")
    (folder / "lost.json").write_text(json.dumps(record), encoding="utf-8")  # a sidecar whose media is gone
    (folder / "summary.json").write_text("{}", encoding="utf-8")  # other JSON is none of our business
    return folder


def test_studio_eval_writes_three_reports_and_lists_the_skipped(outputs, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["eval", str(outputs), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "evaluated 4 outputs, skipped 4" in printed and str(out / "report.html") in printed
    result = json.loads((out / "report.json").read_text(encoding="utf-8"))
    reasons = {s["file"]: s["reason"] for s in result["skipped"]}
    assert set(reasons) == {"broken.png", "stray.png", "odour.png", "lost.json"}
    assert "truncated" in reasons["broken.png"] or "OSError" in reasons["broken.png"]
    assert "no provenance sidecar" in reasons["stray.png"] and "smell" in reasons["odour.png"]
    metrics = result["metrics"]
    assert metrics["overall"]["n"] == 4 and set(metrics["by_modality"]) == {"image", "video", "voice"}
    assert "voice/espeak" in metrics["by_backend"] and 0 <= metrics["overall"]["alignment"] <= 1
    arc_item = next(it for it in result["items"] if it["file"] == "arc.mp4")
    assert len(arc_item["recognition"]["per_second"]) == 3 and arc_item["arc_error"] is not None
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3 and 'class="gallery"' in html and "data:image/jpeg;base64," in html
    assert "data:audio/wav;base64," in html and "broken.png" in html and "<script" not in html
    assert "http://" not in html and "https://" not in html
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| overall | 4 |" in markdown and "`odour.png`" in markdown


def test_default_out_is_inside_the_folder_and_is_not_evaluated_again(outputs, capsys, monkeypatch):
    assert main(["eval", str(outputs)]) == 0
    assert main(["eval", str(outputs)]) == 0
    assert "evaluated 4 outputs, skipped 4" in capsys.readouterr().out.splitlines()[-2]
    (outputs / "eval_report" / "kept.png").write_bytes((outputs / "content.png").read_bytes())
    monkeypatch.chdir(outputs.parent)  # a relative folder, as `studio eval out/` gives it
    assert main(["eval", outputs.name]) == 0
    assert "evaluated 4 outputs, skipped 4" in capsys.readouterr().out.splitlines()[-2]
    assert (outputs / "eval_report" / "report.html").exists()


def test_other_taxonomy_custom_recognizer_and_empty_folder(outputs, tmp_path):
    from eval.recognition import from_vad

    def always_sad(path):
        return from_vad("always_sad", (-0.7, -0.4, 0.0))

    result = score_folder(outputs, recognizers={"image": always_sad}, taxonomy="emovoice7")
    assert result["labels"][0] == "angry" and len(result["confusion"]) == 7
    images = [it for it in result["items"] if it["modality"] == "image"]
    assert {it["recognized"]["label"] for it in images} == {"sad"}
    assert result["recognizers"]["voice"] == "speech_judge"  # modalities not given keep their default
    assert result["judges"]["image"]["kind"] == "custom"  # a caller's function: nothing measured about it
    empty = tmp_path / "empty"
    empty.mkdir()
    assert score_folder(empty)["metrics"]["overall"]["n"] == 0


def test_bad_arguments_exit_non_zero(outputs, tmp_path, capsys):
    assert main(["eval", str(tmp_path / "missing")]) == 1
    assert main(["eval", str(outputs), "--recognizers", "smell_features"]) == 1
    assert main(["eval", str(outputs), "--taxonomy", "nope"]) == 1
    assert capsys.readouterr().err.count("studio: error:") == 3


def test_evaluate_scores_real_outputs_and_returns_what_it_wrote(tmp_path):
    folder = tmp_path / "made"
    for emotion in ("joy", "fear"):
        generate("image", emotion, seed=1, size="96x96", out=folder / f"{emotion}.png")
    report = evaluate(folder, recognizers="image_features")
    assert isinstance(report, EvaluationReport)
    assert report.overall["n"] == 2 and not report.result["skipped"]
    fear = next(it for it in report.result["items"] if it["file"] == "fear.png")
    assert fear["intended"]["label"] == "fear" and fear["recognition"]["recognizer"] == "image_features"
    assert set(report.paths) == {"json", "md", "html"}
    assert all(path.parent == folder / "eval_report" and path.is_file() for path in report.paths.values())
    written = json.loads(report.paths["json"].read_text(encoding="utf-8"))
    assert written["metrics"] == json.loads(json.dumps(report.result["metrics"]))  # the object is what was written
    assert "fear.png" in report.paths["html"].read_text(encoding="utf-8")
    assert evaluate(folder, recognizers="image_features").overall["n"] == 2  # its own report is never scored


def test_evaluate_refuses_bad_arguments_before_writing_anything(outputs, tmp_path):
    out = tmp_path / "never"
    with pytest.raises(StudioError, match="nope"):
        evaluate(outputs, out, taxonomy="nope")
    with pytest.raises(StudioError, match="no_such_judge"):
        evaluate(outputs, out, recognizers="no_such_judge")
    with pytest.raises(StudioError, match="is not a folder"):
        evaluate(tmp_path / "missing", out)
    assert not out.exists()
