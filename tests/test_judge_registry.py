"""The default judges are the learned ones; without their head files they give way to the heuristic judges, and
every report says who scored it and how well that judge agrees with people."""

import json

import numpy as np
import pytest
from PIL import Image

from conditioning import StudioError, resolve
from conditioning.artifact import Artifact, provenance
from eval.recognizers import image_judge, registry, speech_judge
from eval.report import evaluate
from studio.cli import main


@pytest.fixture(autouse=True)
def fresh_judges():
    registry.get_judge.cache_clear()
    yield
    registry.get_judge.cache_clear()


def painting(folder, name="joy", rgb=(230, 200, 60)):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    Image.fromarray(np.full((64, 64, 3), rgb, np.uint8)).save(path)
    record = provenance(modality="image", spec=resolve(name).to_dict(), backend="test", seed=0, parameters={})
    Artifact(path=path, modality="image", provenance=record).write_sidecar()
    return path


def test_defaults_are_the_learned_judges_with_cards():
    for modality, module in (("image", image_judge), ("voice", speech_judge)):
        judge = registry.get_judge(modality)
        assert judge.name == module.NAME
        assert judge.card["kind"] == "learned" and judge.card["agreement"] and judge.card["licence"]
        assert "fallback_reason" not in judge.card


def test_a_missing_head_falls_back_to_the_heuristic_judge_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(image_judge, "HEAD_PATH", tmp_path / "gone.safetensors")
    judge = registry.get_judge("image")
    assert judge.name == "image_features"
    reason = judge.card["fallback_reason"]
    assert "gone.safetensors" in reason and reason.count(". ") == 0  # one sentence naming the file
    assert judge.card["stands_in_for"] == "image_judge" and judge.card["kind"] == "heuristic"

    painting(tmp_path)
    report = evaluate(tmp_path, tmp_path / "report", taxonomy="mikels8")
    result, paths = report.result, report.paths
    assert result["recognizers"]["image"] == "image_features"
    assert result["judges"]["image"]["fallback_reason"] == reason
    assert "image_judge unavailable" in paths["md"].read_text()
    assert "image_judge unavailable" in paths["html"].read_text()


def test_a_judge_named_explicitly_that_cannot_run_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(speech_judge, "HEAD_PATH", tmp_path / "gone.safetensors")
    with pytest.raises(StudioError, match="gone.safetensors"):
        registry.get_judge("voice", "speech_judge", str(tmp_path / "gone.safetensors"))


def test_studio_eval_json_prints_the_cards_of_the_judges_that_scored(tmp_path, capsys):
    painting(tmp_path / "out")
    assert main(["eval", str(tmp_path / "out"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    card = printed["judges"]["image"]
    assert card["name"] == "image_judge" and card["agreement"]["valence_r"] > 0.5
    assert printed["metrics"]["overall"]["n"] == 1
    report = (tmp_path / "out" / "eval_report" / "report.md").read_text()
    assert "Judges: how far to trust these scores" in report and "image_judge (learned)" in report


def test_heuristic_judges_keep_their_measured_cards():
    for modality, name in registry.HEURISTIC_FALLBACKS.items():
        card = registry.get_judge(modality, name).card
        assert card["kind"] == "heuristic" and card["validated_on"] and card["agreement"]
