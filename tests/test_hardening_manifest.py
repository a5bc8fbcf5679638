"""Hostile manifest rows end as one invalid-row line each, and no row can write outside --out."""

import json
import random

import pytest

from conditioning.errors import StudioError
from studio.batch import Job
from studio.manifest import load_manifest

GOOD = {"id": "ok", "modality": "image", "emotion": "joy", "backend": "procedural"}
BAD_ROWS = [
    {"id": "b1", "modality": "image", "emotion": {"blend": [1, 2]}, "backend": "procedural"},
    {"id": "b2", "modality": "image", "emotion": "joy", "seed": True, "backend": "procedural"},
    {"id": "b3", "modality": "image", "emotion": "jo\x00y", "backend": "procedural"},
    {"id": "b4", "modality": "image", "emotion": "joy", "options": {"allow_pickle": True}, "backend": "procedural"},
    {"id": "b5", "modality": "image", "emotion": {"arc": {"x": "calm"}}, "backend": "procedural"},
    {"id": "b6", "modality": "image", "emotion": {"a": [[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]}},
]


def write(tmp_path, lines):
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_each_bad_row_is_one_invalid_line_and_the_good_row_runs(tmp_path):
    lines = [json.dumps(GOOD)] + [json.dumps(r) for r in BAD_ROWS] + ["[" * 100000 + "]" * 100000]
    rows, errors = load_manifest(write(tmp_path, lines))
    assert [r.id for r in rows] == ["ok"]
    assert len(errors) == len(BAD_ROWS) + 1
    assert all(isinstance(e.reason, str) and e.reason for e in errors)


def test_job_name_collision_is_refused(tmp_path):
    rows, errors = load_manifest(
        write(tmp_path, [json.dumps({**GOOD, "id": "x", "count": 2}), json.dumps({**GOOD, "id": "x-0"})])
    )
    assert [r.id for r in rows] == ["x"] and errors[0].id == "x-0"


def test_format_cannot_be_a_path(tmp_path):
    row = {**GOOD, "options": {"format": "png/../../../../tmp/x.png"}}
    rows, errors = load_manifest(write(tmp_path, [json.dumps(row)]))
    assert rows == [] and len(errors) == 1 and "format" in str(errors[0])  # refused before any job exists


def test_symlinked_job_folder_out_of_out_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ok").symlink_to(tmp_path)
    rows, _ = load_manifest(write(tmp_path, [json.dumps(GOOD)]))
    with pytest.raises(StudioError):
        Job(rows[0], 0).output(out)


def garbage(rng: random.Random):
    choices = [
        lambda: rng.randbytes(rng.randint(0, 200)).decode("latin-1"),
        lambda: rng.choice([1e308, -1e308, float("inf"), 10**40, True, None]),
        lambda: "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 30))),
        lambda: {"blend": [rng.random(), rng.random()]},
        lambda: {"vad": [rng.uniform(-9, 9) for _ in range(3)]},
        lambda: {"arc": {str(rng.random()): "calm"}},
    ]
    return rng.choice(choices)()


def test_garbage_rows_end_in_a_row_or_a_reason(tmp_path):
    rng = random.Random(16)
    lines = []
    for k in range(150):
        row = {**GOOD, "id": f"g{k}", "emotion": garbage(rng)}
        try:
            lines.append(json.dumps(row))
        except (ValueError, TypeError):
            continue
    rows, errors = load_manifest(write(tmp_path, lines))
    assert len(rows) + len(errors) == len(lines)
