"""studio batch: validation per row, resume without loss, SIGKILL recovery, concurrent and sharded processes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from accelerate_run import accelerate_launch

from studio.cli import main
from studio.ledger import count_events, read_states
from studio.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def image_rows(n, size="64x64"):
    return [
        {"id": f"img{i:02d}", "modality": "image", "emotion": e, "options": {"size": size}}
        for i, e in zip(range(n), ["joy", "fear", "calm", "anger", "awe", "sadness"] * 10)
    ]


def video_rows(n):
    return [
        {"id": f"vid{i:02d}", "modality": "video", "emotion": e, "options": {"size": "96x96", "duration": 1}}
        for i, e in zip(range(n), ["joy", "fear", "calm", "anger"] * 10)
    ]


def media(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix in (".png", ".mp4", ".wav", ".gif")
    }


def studio(*args, env=None):
    return subprocess.Popen(
        [sys.executable, "-m", "studio", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_csv_jsonl_and_yaml_manifests_read_the_same(tmp_path):
    (tmp_path / "m.csv").write_text(
        'id,modality,emotion,seed,count,options\na,image,joy,3,2,"{""size"": ""64x64""}"\n'
        'b,video,"{""arc"": ""calm:0,dread:1""}",,1,\n',
        encoding="utf-8",
    )
    write_jsonl(
        tmp_path / "m.jsonl",
        [
            {"id": "a", "modality": "image", "emotion": "joy", "seed": 3, "count": 2, "options": {"size": "64x64"}},
            {"id": "b", "modality": "video", "emotion": {"arc": "calm:0,dread:1"}},
        ],
    )
    (tmp_path / "m.yaml").write_text(
        "- id: a\n  modality: image\n  emotion: joy\n  seed: 3\n  count: 2\n  options: {size: 64x64}\n"
        "- id: b\n  modality: video\n  emotion: {arc: 'calm:0,dread:1'}\n",
        encoding="utf-8",
    )
    parsed = [load_manifest(tmp_path / name) for name in ("m.csv", "m.jsonl", "m.yaml")]
    for rows, errors in parsed:
        assert errors == []
        assert [(r.id, r.modality, r.seed, r.count, r.options, r.arc) for r in rows] == [
            (p.id, p.modality, p.seed, p.count, p.options, p.arc) for p in parsed[0][0]
        ]
    assert parsed[0][0][1].arc == "calm:0,dread:1" and parsed[0][0][0].seed == 3


def test_each_malformed_row_gets_its_own_clear_error_and_valid_rows_still_run(tmp_path, capsys):
    manifest = tmp_path / "m.jsonl"
    good = {"id": "good", "modality": "image", "emotion": "joy", "options": {"size": "64x64"}}
    lines = [json.dumps(good)] + [
        json.dumps(r)
        for r in [
            {"id": "label", "modality": "image", "emotion": "angyr"},
            {"id": "nan", "modality": "image", "emotion": {"vad": [float("nan"), 0, 0]}},
            {"id": "range", "modality": "image", "emotion": {"vad": [3, 0, 0]}},
            {"id": "../up", "modality": "image", "emotion": "joy"},
            {"id": "/etc/passwd", "modality": "image", "emotion": "joy"},
            {"id": "empty", "modality": "image", "emotion": ""},
            {"id": "huge", "modality": "image", "emotion": "joy", "text": "x" * 1_000_000},
            {"id": "good", "modality": "image", "emotion": "calm"},
            {"id": "size", "modality": "image", "emotion": "joy", "options": {"size": "0x0"}},
            {"id": "steps", "modality": "image", "emotion": "joy", "options": {"steps": 20}},  # not the painter's
        ]
    ]
    raw = "\n".join(lines).encode() + b'\n{"id": "enc", "modality": "image", "emotion": "caf\xe9"}\n'
    manifest.write_bytes(raw)
    assert main(["batch", str(manifest), "--out", str(tmp_path / "out"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    expected = {
        2: "did you mean anger",
        3: "Valence is nan",
        4: "Valence 3 is outside",
        5: "no paths",
        6: "no paths",
        7: "emotion is empty",
        8: "1,000,000 characters",
        9: "duplicate id 'good'",
        10: "Size 0x0",
        11: "does not take --steps",
        12: "not valid UTF-8",
    }
    for line, needle in expected.items():
        row = next(r for r in err.splitlines() if f"line {line} " in r)
        assert needle in row, row
    assert (tmp_path / "out" / "good" / "good.png").exists()


def test_unusable_manifests_exit_2_and_strict_refuses_the_whole_file(tmp_path):
    assert main(["batch", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 2
    (tmp_path / "m.txt").write_text("hello")
    assert main(["batch", str(tmp_path / "m.txt"), "--out", str(tmp_path / "o")]) == 2
    (tmp_path / "m.yaml").write_text("- id: [unclosed\n")
    assert main(["batch", str(tmp_path / "m.yaml"), "--out", str(tmp_path / "o")]) == 2
    manifest = write_jsonl(tmp_path / "m.jsonl", image_rows(1) + [{"id": "x", "modality": "image", "emotion": "angyr"}])
    assert main(["batch", str(manifest), "--out", str(tmp_path / "o"), "--strict", "--no-progress"]) == 2
    assert not (tmp_path / "o" / "img00").exists()


def test_rerun_skips_done_jobs_and_failed_jobs_wait_for_retry_failed(tmp_path):
    manifest = write_jsonl(tmp_path / "m.jsonl", image_rows(3))
    out = tmp_path / "out"
    (out / "img01" / "img01.png").mkdir(parents=True)  # a folder where the file must go: the job fails at run time
    assert main(["batch", str(manifest), "--out", str(out), "--no-progress"]) == 1
    first = media(out)
    assert read_states(out)["img01"]["state"] == "failed"
    shutil.rmtree(out / "img01" / "img01.png")
    assert main(["batch", str(manifest), "--out", str(out), "--no-progress"]) == 1  # not retried by default
    assert read_states(out)["img01"]["state"] == "failed"
    assert main(["batch", str(manifest), "--out", str(out), "--no-progress", "--retry-failed"]) == 0
    assert count_events(out, "done") == {"img00": 1, "img01": 1, "img02": 1}
    assert {k: v for k, v in media(out).items() if k in first} == first
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"] == {"done": 1, "skipped": 2, "failed": 0, "invalid": 0, "busy": 0}


def test_sigkill_midway_then_resume_equals_an_uninterrupted_run(tmp_path):
    """The kill lands as soon as one job is done: 19 more left to go makes "midway" hold on fast and slow machines."""
    manifest = write_jsonl(tmp_path / "m.jsonl", video_rows(20))
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = studio("batch", manifest, "--out", killed, "--no-progress")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not count_events(killed, "done"):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 1 <= sum(count_events(killed, "done").values()) < 20, "the kill did not land midway"
    assert main(["batch", str(manifest), "--out", str(killed), "--no-progress"]) == 0
    assert main(["batch", str(manifest), "--out", str(clean), "--no-progress"]) == 0
    assert set(count_events(killed, "done").values()) == {1} and len(count_events(killed, "done")) == 20
    assert media(killed) == media(clean)
    assert not [p for p in killed.rglob("*.part*")]


def test_two_processes_on_one_manifest_share_the_work_without_clobbering(tmp_path):
    manifest = write_jsonl(tmp_path / "m.jsonl", image_rows(24, size="128x128"))
    out = tmp_path / "out"
    procs = [studio("batch", manifest, "--out", out, "--no-progress") for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    done = count_events(out, "done")
    assert len(done) == 24 and set(done.values()) == {1}
    assert len(media(out)) == 24


def test_sharded_processes_split_jobs_and_merge_one_summary(tmp_path):
    manifest = write_jsonl(tmp_path / "m.jsonl", image_rows(9))
    out = tmp_path / "out"
    env = {"WORLD_SIZE": "2", "MASTER_PORT": "shard-test"}
    procs = [
        studio("batch", manifest, "--out", out, "--no-progress", env={**env, "RANK": str(r), "LOCAL_RANK": str(r)})
        for r in range(2)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    by_rank: dict[int, set] = {}
    for path in (out / ".ledger").glob("*.jsonl"):
        for event in map(json.loads, path.read_text().splitlines()):
            if event["state"] == "started":
                by_rank.setdefault(event["rank"], set()).add(event["job"])
    assert by_rank[0].isdisjoint(by_rank[1]) and len(by_rank[0] | by_rank[1]) == 9
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(summary["done"]) == [f"img{i:02d}" for i in range(9)]


@pytest.mark.skipif(
    shutil.which("accelerate", path=str(Path(sys.executable).parent)) is None,
    reason="accelerate is not installed (dev extra)",
)
def test_accelerate_launch_runs_the_batch_on_two_processes(tmp_path):
    manifest = write_jsonl(tmp_path / "m.jsonl", image_rows(6))
    out = tmp_path / "out"
    result = accelerate_launch("studio", "batch", str(manifest), "--out", str(out), "--no-progress", timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    ranks = {
        json.loads(line)["rank"]
        for p in (out / ".ledger").glob("*.jsonl")
        for line in p.read_text().splitlines()
        if '"started"' in line
    }
    assert ranks == {0, 1}
    assert sorted(json.loads((out / "summary.json").read_text())["done"]) == [f"img{i:02d}" for i in range(6)]
