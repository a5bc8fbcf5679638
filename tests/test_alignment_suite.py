"""The alignment suite runs end to end on the embedded backends and writes the report users quote."""

import json

from studio.cli import main


def test_suite_generates_every_label_and_reports(tmp_path, capsys):
    out = tmp_path / "suite"
    code = main(
        [
            "alignment-suite",
            "--taxonomy",
            "mikels8",
            "--seeds",
            "1",
            "--modalities",
            "image,voice",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    report = json.loads((out / "report" / "report.json").read_text())
    ids = {item["file"].split("/")[0] for item in report["items"]}
    assert len(ids) == 16  # 8 labels × 2 modalities × 1 seed
    assert report["metrics"]["overall"]["n"] == 16
    html = (out / "report" / "report.html").read_text()
    assert "<svg" in html and "audio" in html
    assert "alignment report" in capsys.readouterr().out
    assert main(["alignment-suite", "--seeds", "1", "--modalities", "smell", "--out", str(out)]) == 1
