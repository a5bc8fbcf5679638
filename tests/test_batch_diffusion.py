"""Batched diffusion in `studio batch`: jobs that share a model and settings denoise together, and every job's PNG
is the same bytes as its single run; each job is still its own ledger entry."""

import json

import pytest
from tiny_diffusion import build_tiny_sd

from studio.batch import run_batch
from studio.cli import main
from studio.ledger import read_states

EMOTIONS = ["joy", "fear", "calm", "anger", "awe", "sadness"]


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory):
    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


def manifest(path, model, n, **options):
    rows = [
        {
            "id": f"d{i:02d}",
            "modality": "image",
            "backend": "diffusion",
            "model": str(model),
            "emotion": EMOTIONS[i % len(EMOTIONS)],
            "text": "a house by the sea",
            "options": {"steps": 3, "size": "32x32", **options},
        }
        for i in range(n)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def pngs(out):
    return {p.name: p.read_bytes() for p in sorted(out.rglob("*.png"))}


def test_a_batch_of_jobs_writes_the_same_bytes_as_single_calls(tiny_sd, tmp_path):
    rows = manifest(tmp_path / "jobs.jsonl", tiny_sd, 6)
    single = run_batch(rows, tmp_path / "single", batch_size=1, progress=False)
    batched = run_batch(rows, tmp_path / "batched", batch_size=4, progress=False)
    assert single.exit_code == batched.exit_code == 0
    assert len(batched.done) == 6
    one, many = pngs(tmp_path / "single"), pngs(tmp_path / "batched")
    assert len(one) == 6 and one == many
    assert len(set(one.values())) == 6  # different emotions and seeds: six different pictures
    sizes = [json.loads(p.read_text())["timings"]["batch"] for p in sorted((tmp_path / "batched").glob("d*/d*.json"))]
    assert sizes == [4, 4, 4, 4, 2, 2]  # really batched: 4 then the remaining 2
    states = read_states(tmp_path / "batched")
    assert all(states[f"d{i:02d}"]["state"] == "done" for i in range(6))


def test_a_resumed_batch_runs_only_the_missing_jobs_and_keeps_the_bytes(tiny_sd, tmp_path):
    rows = manifest(tmp_path / "jobs.jsonl", tiny_sd, 5)
    out = tmp_path / "out"
    assert main(["batch", str(rows), "--out", str(out), "--batch-size", "5", "--no-progress"]) == 0
    before = pngs(out)
    for name in ("d01", "d03"):  # as if killed before these were written
        (out / name / f"{name}.png").unlink()
    again = run_batch(rows, out, batch_size=5, progress=False)
    assert sorted(again.done) == ["d01", "d03"] and len(again.skipped) == 3
    assert pngs(out) == before


def test_jobs_with_different_settings_are_not_batched_together(tiny_sd, tmp_path):
    rows = manifest(tmp_path / "a.jsonl", tiny_sd, 2)
    other = manifest(tmp_path / "b.jsonl", tiny_sd, 2, guidance=3.0)
    lines = rows.read_text().splitlines() + [line.replace('"d0', '"g0') for line in other.read_text().splitlines()]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines) + "\n")
    result = run_batch(mixed, tmp_path / "out", batch_size=8, progress=False)
    assert result.exit_code == 0 and len(result.done) == 4
    sizes = {p.stem: json.loads(p.read_text())["timings"]["batch"] for p in (tmp_path / "out").glob("[dg]0*/*.json")}
    assert sizes == {"d00": 2, "d01": 2, "g00": 2, "g01": 2}


def test_a_bad_batch_size_is_refused_with_one_sentence(tiny_sd, tmp_path, capsys):
    rows = manifest(tmp_path / "jobs.jsonl", tiny_sd, 1)
    assert main(["batch", str(rows), "--out", str(tmp_path / "o"), "--batch-size", "0"]) != 0
    assert "--batch-size 0" in capsys.readouterr().err


def test_background_writes_keep_the_bytes_of_a_direct_call(tiny_sd, tmp_path):
    """The batch runner writes PNGs on writer threads; a plain `generate` writes in the caller's thread."""
    from studio.api import generate

    rows = manifest(tmp_path / "jobs.jsonl", tiny_sd, 3)
    assert run_batch(rows, tmp_path / "out", batch_size=2, progress=False).exit_code == 0
    row = json.loads(rows.read_text().splitlines()[1])
    seed = json.loads((tmp_path / "out" / "d01" / "d01.json").read_text())["seed"]
    direct = generate(
        "image", row["emotion"], backend="diffusion", model=row["model"], text=row["text"], seed=seed,
        out=tmp_path / "direct.png", **row["options"],
    )  # fmt: skip
    assert direct.path.read_bytes() == (tmp_path / "out" / "d01" / "d01.png").read_bytes()


def test_a_failing_background_write_fails_only_its_own_job(tiny_sd, tmp_path):
    rows = manifest(tmp_path / "jobs.jsonl", tiny_sd, 3)
    out = tmp_path / "out"
    (out / "d01" / "d01.png").mkdir(parents=True)  # the rename onto it fails after d01 was denoised
    result = run_batch(rows, out, batch_size=3, progress=False)
    assert sorted(result.done) == ["d00", "d02"] and list(result.failed) == ["d01"]
    states = read_states(out)
    assert states["d01"]["state"] == "failed" and states["d00"]["state"] == states["d02"]["state"] == "done"
    assert not list((out / "d01").glob(".d01.*.part*"))  # no half-written file left behind
    again = run_batch(rows, out, batch_size=3, progress=False)  # a resume skips the written ones
    assert sorted(again.skipped) == ["d00", "d02"] and "d01" in again.failed
