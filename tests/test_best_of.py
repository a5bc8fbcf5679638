"""The closed loop at generation time: best-of-N keeps the candidate the recognizer scores highest."""

import json

import pytest

from conditioning import StudioError, resolve
from eval.metrics import alignment_score
from eval.recognizers.registry import get_recognizer
from studio import generate_image
from studio.cli import main


def test_best_of_keeps_the_highest_scoring_candidate_and_records_every_score(tmp_path):
    artifact = generate_image("fear", seed=10, size="128x128", best_of=3, out=tmp_path / "fear.png")
    record = json.loads(artifact.sidecar.read_text())
    scores = record["best_of"]["scores"]
    assert [s["seed"] for s in scores] == [10, 11, 12]
    best = max(scores, key=lambda s: s["score"])
    assert record["seed"] == best["seed"] == record["best_of"]["chosen_seed"]
    rescored = alignment_score(resolve("fear"), get_recognizer("image")(artifact.path))
    assert rescored == pytest.approx(best["score"], abs=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fear.json", "fear.png"]  # candidates cleaned up
    single = generate_image("fear", seed=best["seed"], size="128x128", out=tmp_path / "again.png")
    assert single.path.read_bytes() == artifact.path.read_bytes()


def test_best_of_from_the_cli_and_bad_counts(tmp_path, capsys):
    out = tmp_path / "joy.png"
    assert main(["generate", "image", "-e", "joy", "--size", "96x96", "--best-of", "2", "--out", str(out)]) == 0
    assert "best of 2" in capsys.readouterr().out
    with pytest.raises(StudioError, match="from 1 to 64"):
        generate_image("joy", best_of=0, out=tmp_path / "x.png")
