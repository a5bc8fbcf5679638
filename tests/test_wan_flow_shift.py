"""`flow_shift` for Wan: given, it overrides the shift derived from the size and is recorded; bad values and
backends that do not take it are one sentence. On the tiny Wan (no downloads)."""

import json

import numpy as np
import pytest
from tiny_wan import wan_t2v  # noqa: F401  (session fixture)

from conditioning import StudioError
from studio import generate_video
from studio.cli import main

TINY = {"backend": "wan", "size": "32x32", "steps": 2, "frames": 5}


def frames_of(path):
    import imageio.v2 as imageio

    with imageio.get_reader(path) as reader:
        return np.stack([np.asarray(f) for f in reader])


def test_a_given_flow_shift_replaces_the_derived_one_and_is_recorded(wan_t2v, tmp_path, capsys):  # noqa: F811
    derived = generate_video("awe", model=str(wan_t2v), out=tmp_path / "a.mp4", **TINY)
    argv = ["generate", "video", "-e", "awe", "--backend", "wan", "--model", str(wan_t2v), "--size", "32x32"]
    argv += ["--steps", "2", "--frames", "5", "--flow-shift", "12", "--out", str(tmp_path / "b.mp4"), "--json"]
    assert main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert derived.provenance["parameters"]["flow_shift"] == 3.0  # 32×32 is under 480p's area
    assert record["parameters"]["flow_shift"] == 12.0 and record["request"]["options"]["flow_shift"] == 12.0
    assert not np.array_equal(frames_of(derived.path), frames_of(tmp_path / "b.mp4"))  # the schedule changed
    again = generate_video("awe", model=str(wan_t2v), out=tmp_path / "c.mp4", **TINY)  # the cached pipe goes back
    assert again.provenance["parameters"]["flow_shift"] == 3.0
    assert np.array_equal(frames_of(derived.path), frames_of(again.path))


@pytest.mark.parametrize(
    ("backend", "value", "message"),
    [
        ("wan", 0, "--flow-shift 0 must be a number greater than 0"),
        ("wan", "high", "--flow-shift 'high' must be a number greater than 0"),
        ("procedural", 3.0, "does not take --flow-shift"),
    ],
)
def test_bad_flow_shifts_are_one_sentence(wan_t2v, tmp_path, backend, value, message):  # noqa: F811
    settings = {**TINY, "model": str(wan_t2v)} if backend == "wan" else {"backend": backend}
    with pytest.raises(StudioError, match=message):
        generate_video("awe", out=tmp_path / "x.mp4", flow_shift=value, **settings)
