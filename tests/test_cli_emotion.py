import json

from studio.cli import main


def test_emotion_json_has_the_promised_fields_for_each_input(capsys):
    assert main(["emotion", "awe", "0.6,-0.3,0.1", "slightly annoyed", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        info = json.loads(line)
        for key in ("input", "vad", "intensity", "label", "taxonomy", "nearest"):
            assert key in info
        assert len(info["vad"]) == 3 and all(-1 <= x <= 1 for x in info["vad"])
    assert json.loads(lines[0])["label"] == "awe"


def test_emotion_reads_a_file_and_honours_the_taxonomy(tmp_path, capsys):
    source = tmp_path / "inputs.txt"
    source.write_text("# a comment\nangry\n\nsad\n", encoding="utf-8")
    assert main(["emotion", "--file", str(source), "--taxonomy", "emovoice7", "--json"]) == 0
    labels = [json.loads(line)["label"] for line in capsys.readouterr().out.splitlines()]
    assert labels == ["angry", "sad"]


def test_bad_input_prints_one_line_and_exits_non_zero_but_the_rest_still_print(capsys):
    assert main(["emotion", "joy", "angyr", "1,2,3"]) == 1
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("studio: error: ") for line in errors)
    assert "did you mean anger" in errors[0] and "Arousal 2 is outside" in errors[1]
    assert captured.out.startswith("joy")


def test_unknown_taxonomy_and_missing_inputs_fail_cleanly(capsys):
    assert main(["emotion", "joy", "--taxonomy", "nope"]) == 1
    assert main(["emotion"]) == 1
    assert "Unknown taxonomy 'nope'" in capsys.readouterr().err


def test_taxonomies_lists_all(capsys):
    assert main(["taxonomies", "--json"]) == 0
    names = [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()]
    assert set(names) >= {"emoart12", "mikels8", "ekman7", "plutchik8", "goemotions28", "emovoice7", "emotion2vec9"}
