"""MP4, GIF and WAV written on the batch runner's writer threads: the bytes of a direct call, a job recorded done
only once its file is there, a failing write failing its own job only, and the writer's memory bound."""

import json
import threading

import pytest

from conditioning.background_writes import BackgroundWriter, background_writes
from studio.api import generate
from studio.batch import run_batch
from studio.ledger import read_states

EMOTIONS = ["joy", "fear", "calm", "anger", "awe", "sadness"]
WORDS = ["The tide comes in.", "Nothing moves.", "Run!", "We made it home."]


def video_rows(n, suffix="mp4", **options):
    return [
        {
            "id": f"v{i:02d}",
            "modality": "video",
            "emotion": EMOTIONS[i % len(EMOTIONS)],
            "options": {"size": "32x32", "duration": 0.5, "fps": 8, "format": suffix, **options},
        }
        for i in range(n)
    ]


def voice_rows(n):
    return [
        {
            "id": f"s{i:02d}",
            "modality": "voice",
            "backend": "espeak",  # speaks to memory, then `write_wav` (Piper streams sentences into its file)
            "emotion": EMOTIONS[i % len(EMOTIONS)],
            "text": WORDS[i % len(WORDS)],
        }
        for i in range(n)
    ]


def manifest(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def direct(row, seed, out):
    """The same job as a plain `generate` call, which writes in the caller's thread."""
    options = {k: v for k, v in row.get("options", {}).items() if k != "format"}
    backend = row.get("backend")
    return generate(
        row["modality"], row["emotion"], text=row.get("text"), seed=seed, out=out, backend=backend, **options
    ).path


@pytest.mark.parametrize(
    "rows, suffix",
    [(video_rows(3), ".mp4"), (video_rows(2, "gif"), ".gif"), (video_rows(2, voice="Hello there."), ".mp4"),
     (voice_rows(3), ".wav")],
    ids=["mp4", "gif", "narrated", "wav"],
)  # fmt: skip
def test_background_writes_keep_the_bytes_of_a_direct_call(tmp_path, rows, suffix):
    out = tmp_path / "out"
    result = run_batch(manifest(tmp_path / "jobs.jsonl", rows), out, progress=False)
    assert result.exit_code == 0 and sorted(result.done) == [row["id"] for row in rows]
    for row in rows:
        written = out / row["id"] / f"{row['id']}{suffix}"
        seed = json.loads(written.with_suffix(".json").read_text())["seed"]
        assert direct(row, seed, tmp_path / f"direct{suffix}").read_bytes() == written.read_bytes()
    assert len({(out / r["id"] / f"{r['id']}{suffix}").read_bytes() for r in rows}) == len(rows)


@pytest.mark.parametrize("rows, suffix", [(video_rows(3), ".mp4"), (voice_rows(3), ".wav")], ids=["mp4", "wav"])
def test_a_failing_background_write_fails_only_its_own_job(tmp_path, rows, suffix):
    out = tmp_path / "out"
    bad = rows[1]["id"]
    (out / bad / f"{bad}{suffix}").mkdir(parents=True)  # the write onto it fails after the job was generated
    jobs = manifest(tmp_path / "jobs.jsonl", rows)
    result = run_batch(jobs, out, progress=False)
    good = sorted(r["id"] for r in rows if r["id"] != bad)
    assert sorted(result.done) == good and list(result.failed) == [bad]
    assert "a folder has that name" in result.failed[bad]
    states = read_states(out)
    assert states[bad]["state"] == "failed" and all(states[name]["state"] == "done" for name in good)
    assert not list((out / bad).glob(f".{bad}.*.part*"))  # no half-written file left behind
    again = run_batch(jobs, out, progress=False)  # a resume skips the written ones
    assert sorted(again.skipped) == good and bad in again.failed


@pytest.mark.parametrize("row", [video_rows(1)[0], voice_rows(1)[0]], ids=["mp4", "wav"])
def test_a_deferred_file_is_there_only_once_its_write_is_taken(tmp_path, row):
    """What the batch runner relies on: `generate` returns before the file exists; the write's future, once done,
    means the file is complete (the same bytes as a direct call)."""
    suffix = ".mp4" if row["modality"] == "video" else ".wav"
    target = tmp_path / f"deferred{suffix}"
    gate = threading.Event()
    with background_writes(workers=1) as writer:
        writer.submit(tmp_path / "gate", gate.wait)  # holds the only writer thread
        try:
            path = direct(row, 7, target)
            assert not path.exists()
            pending = writer.take(path)
            assert pending is not None and not pending.done()
        finally:
            gate.set()
        pending.result()
        assert path.exists()
    assert direct(row, 7, tmp_path / f"plain{suffix}").read_bytes() == path.read_bytes()


def test_held_bytes_make_the_next_write_wait(tmp_path):
    """Two clips' frames over the writer's memory bound: the second is not taken on until the first is written."""
    gate, started = threading.Event(), []
    writer = BackgroundWriter(workers=2, backlog=8, max_bytes=100)
    first = writer.submit(tmp_path / "a", gate.wait, nbytes=80)
    second_submitted = threading.Thread(
        target=lambda: writer.submit(tmp_path / "b", lambda: started.append("b"), nbytes=80)
    )
    second_submitted.start()
    second_submitted.join(timeout=0.5)
    assert second_submitted.is_alive() and not started  # waiting for room, not queued
    gate.set()
    second_submitted.join()
    first.result()
    writer.take(tmp_path / "b").result()
    assert started == ["b"]
    lone = writer.submit(tmp_path / "c", lambda: "ran", nbytes=1000)  # larger than the bound: runs, alone
    assert lone.result() == "ran"
    writer.close()
