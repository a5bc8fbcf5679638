"""Garbage in, one sentence out: the emotion parser and the manifest reader end every input in a result or one
StudioError (never another exception, never a hang), and nothing a manifest, sidecar or flag says writes outside
--out.

The corpora are seeded, so a failure names an input that reproduces. The time bound per input is a hang guard
(an alias bomb took 18 s, a quadratic phrase 100 s), not a speed assertion.
"""

import json
import os
import random
import time
from pathlib import Path

import pytest

from conditioning import resolve, resolve_arc
from conditioning.errors import StudioError
from studio.cli import main
from studio.manifest import MAX_ALIAS_EXPANSION, ManifestUnusable, load_manifest

HANG_GUARD_S = 2.0
PIECES = ["joy", "calm", "fear", "awe", "not", "very", "hint of", "but", "mikels8:", "ekman:", "foo8:", "+", "*"]
PIECES += ["%", ",", ":", "vad", "scale=1-9", "0.5", "-1", "1e308", "inf", "nan", "9", "{", "}", "[", "]", '"']
PIECES += ["\x00", "🙂", "👩‍👩‍👧", "\u202e", "\u0301", "\ufeff", "\u200d", "\udc80", "１", "é", "\n", "\t", " "]
NUMBERS = [0, -1, 0.5, 1e308, -1e308, float("inf"), float("nan"), 10**400, -(10**30), True, False, None, 1e-320]


def garbage_text(rng: random.Random) -> str:
    kind = rng.randrange(7)
    if kind == 0:
        errors = rng.choice(["replace", "surrogateescape", "ignore"])
        return rng.randbytes(rng.randint(0, 300)).decode("utf-8", errors=errors)
    if kind == 1:
        return rng.randbytes(rng.randint(0, 300)).decode("latin-1")
    if kind == 2:
        return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(0, 40)))
    if kind == 3:
        return "".join(rng.choice(PIECES) + rng.choice(["", " "]) for _ in range(rng.randint(1, 12)))
    if kind == 4:  # very long: past the length limit, or just under it in the shapes that used to be quadratic
        return rng.choice(PIECES + ["hint of joy ", "not very ", "1 ", " "]) * rng.choice([150, 990, 50_000])
    if kind == 5:
        return ",".join(rng.choice(["0.1", "-0.5", "1e999", "9", "nan", "1_0", "0x1", "١"]) for _ in range(4))
    weights = ["0.5", "inf", "nan", "1e308", "-1", "1e6", "0", "1e400"]
    return " + ".join(f"{rng.choice(['joy', 'calm', 'x'])}*{rng.choice(weights)}" for _ in range(rng.randint(2, 4)))


def garbage_value(rng: random.Random, depth: int = 0):
    """A string, number, mapping (vad, blend, label, text, spec) or list, nested a little — or very deeply."""
    kind = rng.randrange(10) if depth < 3 else rng.randrange(3)
    if kind == 0:
        return garbage_text(rng)
    if kind == 1:
        return rng.choice(NUMBERS)
    if kind == 2:
        return rng.choice(["joy", "calm", "a quiet, uneasy calm", "mikels8:awe", "joy*0.7 + fear*0.3"])
    if kind == 3:
        return {"vad": [garbage_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]}
    if kind == 4:
        part = lambda: {"emotion": garbage_value(rng, depth + 1), "weight": rng.choice(NUMBERS)}  # noqa: E731
        return {"blend": [part() if rng.random() < 0.6 else garbage_value(rng, depth + 1) for _ in range(3)]}
    if kind == 5:
        return {"label": garbage_value(rng, depth + 1), "taxonomy": rng.choice(["mikels8", "foo8", None, 3])}
    if kind == 6:
        return {"text": garbage_value(rng, depth + 1)}
    if kind == 7:
        bad = [{"joy": float("nan")}, {"joy": 2}, [["a"]], "x", {"amusement": 0.5}]
        return {"vad": [0, 0, 0], "intensity": rng.choice(NUMBERS), "categories": rng.choice(bad)}
    if kind == 8:
        return [garbage_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    nested = {"blend": [{"emotion": "joy"}]}
    for _ in range(rng.randint(10, 3000)):
        nested = rng.choice([{"blend": [{"emotion": nested}]}, [nested], {"label": nested}, {"text": nested}])
    return nested


def garbage_arc(rng: random.Random):
    if rng.random() < 0.5:
        emotions = ["calm", "dread", "joy*inf + calm", "", "foo8:awe", "ca\x00lm"]
        times = ["0", "1", "1e9", "-1", "nan", "x", "inf", "5", "601"]
        return ",".join(f"{rng.choice(emotions)}:{rng.choice(times)}" for _ in range(rng.randint(0, 4)))
    key = {"t": rng.choice(NUMBERS), "emotion": garbage_value(rng, 2)}
    return rng.choice([{"keys": [key]}, [key], {"keys": [{"t": 0, "spec": garbage_value(rng, 2)}]}, key, "x"])


def ends_well(call, value) -> str:
    """'result' or 'refused'; anything else fails the test with the input that caused it."""
    start = time.perf_counter()
    try:
        outcome = call(value)
    except StudioError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 1000, (value, message[:300])
        outcome = "refused"
    finally:
        elapsed = time.perf_counter() - start
    assert elapsed < HANG_GUARD_S, (repr(value)[:200], elapsed)
    return outcome


def resolved(value, use_encoder=False) -> str:
    spec = resolve(value, use_encoder=use_encoder)
    json.dumps(spec.to_dict(), allow_nan=False)  # no NaN or inf can reach a sidecar
    return "result"


def arc_resolved(value) -> str:
    arc = resolve_arc(value, use_encoder=False)
    json.dumps(arc.to_dict(), allow_nan=False)
    return "result"


NAMED_BAD_EMOTIONS = [
    ("joy*inf + calm*1", "Blend weight"),
    ("joy*nan + calm", "Blend weight"),
    ("joy*1e308 + calm*1e308", "Blend weight"),
    ("joy*-1 + calm", "Blend weight"),
    ({"blend": [{"emotion": "joy", "weight": float("inf")}, {"emotion": "calm"}]}, "Blend weight"),
    ({"blend": [["joy", float("inf")], ["calm", 1]]}, "Blend part"),
    ({"blend": [1, 2]}, "Blend part"),
    ({"intensity": 0.5, "categories": {"amusement": float("nan")}, "vad": [0, 0, 0], "text": 1}, None),  # vad wins
    ({"intensity": 0.5, "categories": {"amusement": float("nan")}}, "recorded emotion spec"),
    ({"intensity": "x", "categories": {}}, "recorded emotion spec"),
    ("foo8:awe", "Unknown taxonomy 'foo8'"),
    ('{"vad": [9, 9, 9]}', "VAD point"),
    ("vad 9 9 9", "VAD point"),
    ("[0.5, 9, 9]", "outside"),
    ("ca\x00lm", "NUL"),
    ("x" * 1_000_000, "characters"),
    ({"text": "hint of joy " * 20_000}, "characters"),  # took 100 s before the length limit
    ("1" + " " * 1988 + "x", "No emotion words"),  # took 7 s in the VAD pattern before
    ({"vad": "0.1,0.2,0.3"}, "list"),
    ({"vad": [10**400, 0, 0]}, "not a number"),
    ([[[[1]]]] * 3, "not a number"),
    (
        {"blend": [{"emotion": {"blend": [{"emotion": "joy"}, {"emotion": "calm", "weight": 2}]}}]},
        None,
    ),  # nesting is fine
]


@pytest.mark.parametrize(("value", "phrase"), NAMED_BAD_EMOTIONS, ids=range(len(NAMED_BAD_EMOTIONS)))
def test_each_named_bad_emotion_is_refused_in_one_sentence(value, phrase):
    if phrase is None:
        assert ends_well(resolved, value) == "result"
        return
    with pytest.raises(StudioError, match=phrase):
        resolve(value, use_encoder=False)
    assert ends_well(resolved, value) == "refused"


def test_a_recorded_spec_with_nan_categories_is_refused():
    from conditioning.spec import EmotionSpec

    with pytest.raises(StudioError, match="probabilities"):
        EmotionSpec.from_dict({"vad": [0, 0, 0], "intensity": 0.5, "categories": {"amusement": float("nan")}})


@pytest.mark.parametrize(
    ("arc", "phrase"),
    [
        ("calm:5,dread:1", "time order"),
        ("calm:0,dread:1e9", None),  # a valid arc; rendering it is refused (next test)
        ([{"t": 3, "emotion": "calm"}, {"t": 1, "emotion": "joy"}], "time order"),
        ([{"t": "soon", "emotion": "calm"}], "not a time"),
        ([{"emotion": "calm"}], "must be an object"),
        ({"keys": [{"t": 0, "spec": {"vad": "x"}}]}, "VAD point"),
        ({"keys": [{"t": 0, "spec": {"vad": [0, 0, 0], "categories": 5}}]}, "recorded"),
        ("calm:0,foo8:awe:1", "Unknown taxonomy"),
    ],
)
def test_bad_arcs_are_refused_in_one_sentence(arc, phrase):
    assert [t for t, _ in resolve_arc("dread:4,calm:0", use_encoder=False, sort=True).keys] == [0, 4]  # the app
    if phrase is None:
        resolve_arc(arc, use_encoder=False)
        return
    with pytest.raises(StudioError, match=phrase):
        resolve_arc(arc, use_encoder=False)


def test_an_arc_past_the_duration_limit_is_refused_by_cli_api_and_manifest(tmp_path, capsys):
    from studio import generate_video

    assert main(["generate", "video", "--arc", "calm:0,dread:1e9", "--out", str(tmp_path / "v.mp4")]) == 1
    assert main(["generate", "video", "--arc", "calm:5,dread:1", "--out", str(tmp_path / "v.mp4")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "600 s" in err[0] and "time order" in err[1]
    with pytest.raises(StudioError, match="600 s"):
        generate_video(arc="calm:0,dread:601", out=tmp_path / "v.gif")
    row = {"id": "long", "modality": "video", "emotion": {"arc": "calm:0,dread:1e9"}}
    rows, errors = load_manifest(write_jsonl(tmp_path / "m.jsonl", [json.dumps(row)]))
    assert not rows and "600 s" in errors[0].reason
    assert not any(tmp_path.rglob("*.mp4")) and not any(tmp_path.rglob("*.gif"))


def test_emotion_parser_garbage_ends_in_a_result_or_one_sentence():
    rng = random.Random(16)
    outcomes = {"result": 0, "refused": 0}
    for _ in range(1500):
        outcomes[ends_well(resolved, garbage_value(rng))] += 1
    for _ in range(300):
        outcomes[ends_well(arc_resolved, garbage_arc(rng))] += 1
    assert outcomes["result"] > 100 and outcomes["refused"] > 1000  # the corpus exercises both ends


def test_emotion_parser_garbage_with_the_sentence_encoder():
    from conditioning.text_encoder import encoder_available

    if not encoder_available():
        pytest.skip("the packaged sentence encoder is not installed")
    resolved("a quiet, uneasy calm", use_encoder=True)  # loads the encoder once, outside the per-input bound
    for value in ["🙂🙂🙂 " * 300, "\u202e\u0301\u200d" * 600, "x" * 2001]:
        assert ends_well(lambda v: resolved(v, use_encoder=True), value) in ("result", "refused")


def test_nul_in_an_emotion_file_is_refused_naming_the_line(tmp_path, capsys):
    path = tmp_path / "emotions.txt"
    path.write_bytes(b"calm\n# a comment\nca\x00lm\n")
    assert main(["emotion", "--file", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "line 3" in err[0] and "NUL" in err[0]


# ---- the manifest reader ------------------------------------------------------------------------------------------

FIELDS = ["id", "modality", "emotion", "text", "backend", "model", "seed", "count", "options", "evil"]
OPTION_NAMES = ["size", "duration", "fps", "format", "allow_pickle", "lora", "init", "voice", "taxonomy", "best_of"]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def garbage_row(rng: random.Random) -> dict:
    row = {
        "id": rng.choice(["a", "b-1", "../x", "", "x" * 200, garbage_text(rng)]),
        "modality": rng.choice(["image", "video", "voice", "x", None]),
        "backend": rng.choice(["procedural", "espeak", None, "../../x"]),
    }
    for name in rng.sample(FIELDS, rng.randint(0, 5)):
        if name == "options" and rng.random() < 0.7:
            row[name] = {key: garbage_value(rng, 2) for key in rng.sample(OPTION_NAMES, 2)}
        else:
            row[name] = garbage_value(rng)
    if rng.random() < 0.2:
        row["emotion"] = {"arc": garbage_arc(rng)}
    return row


def dumped(serialise, fallback: str) -> str:
    try:
        return serialise()
    except (ValueError, TypeError, RecursionError):  # a generated value JSON cannot hold (a 3000-deep nest)
        return fallback


def garbage_jsonl(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.randrange(5)
        if kind == 0:
            lines.append(rng.randbytes(rng.randint(0, 200)))
        elif kind == 1:
            lines.append(b"[" * rng.randint(1, 200_000))
        else:
            lines.append(dumped(lambda: json.dumps(garbage_row(rng)), "{}").encode("utf-8", "surrogatepass"))
    return b"\n".join(lines)


def garbage_csv(rng: random.Random) -> bytes:
    import csv
    import io

    header = rng.sample(FIELDS, rng.randint(0, 6)) + (["id"] if rng.random() < 0.8 else [])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for _ in range(rng.randint(0, 5)):
        cells = []
        for _ in header:
            value = garbage_value(rng, 2)
            cells.append(value if isinstance(value, str) else dumped(lambda v=value: json.dumps(v), "[[["))
        if rng.random() < 0.1:
            cells.append("x" * 200_000)  # a field past csv's 128 KiB limit
        writer.writerow(cells)
    raw = buffer.getvalue().encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        raw += rng.randbytes(100)
    if rng.random() < 0.1:
        raw += b'\n"an unterminated quote,' + b"y" * 1000
    return raw


def alias_bomb(levels: int) -> bytes:
    lines = ["- id: x", "  modality: image", "  a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join([*lines, f"  emotion: {{vad: *a{levels - 1}}}"]).encode()


YAML_ODDITIES = [
    b"- !!python/object/apply:os.system ['touch pwned']",
    b"- &r [*r]",
    b"- &r {id: a, options: *r}",
    b"jobs: *undefined",
    b"- {id: a, modality: image, emotion: joy, seed: 2020-01-01}",
    b"- ? [a, b]\n  : c",
    b"%YAML 9.9\n---\n- a",
    b"- {id: a, <<: {modality: image}, emotion: joy}",
    b"\xef\xbb\xbf- {id: a, modality: image, emotion: joy}",
]


def garbage_yaml(rng: random.Random) -> bytes:
    import yaml

    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randint(0, 300))
    if kind == 1:
        return alias_bomb(rng.randint(2, 9))
    if kind == 2:
        return b"- " + b"[" * rng.choice([50, 600, 3000]) + b"]" * 5
    if kind == 3:
        return rng.choice(YAML_ODDITIES)
    rows = [garbage_row(rng) for _ in range(rng.randint(0, 4))]
    return dumped(lambda: yaml.safe_dump(rows, allow_unicode=rng.random() < 0.5), "- a").encode(
        "utf-8", "surrogatepass"
    )


def read(path: Path) -> str:
    rows, errors = load_manifest(path)
    for error in errors:
        assert error.reason and "\n" not in error.reason and len(error.reason) < 1000, error.reason[:300]
    return "result"


@pytest.fixture
def no_encoder(monkeypatch):
    """Rows of free text read by the lexicon only, so 300 manifests take seconds (the encoder has its own test)."""
    monkeypatch.setattr("conditioning.text_resolution.encoder_available", lambda: False)


def test_manifest_reader_garbage_ends_in_rows_or_one_sentence(tmp_path, no_encoder):
    rng = random.Random(16)
    makers = {"jsonl": garbage_jsonl, "csv": garbage_csv, "yaml": garbage_yaml}
    outcomes = {}
    for k in range(300):
        suffix = rng.choice(sorted(makers))
        path = tmp_path / f"m{k}.{suffix}"
        path.write_bytes(makers[suffix](rng))
        outcome = ends_well(read, path)
        outcomes[suffix, outcome] = outcomes.get((suffix, outcome), 0) + 1
    assert all(outcomes.get((suffix, "result")) for suffix in makers)
    assert outcomes.get(("yaml", "refused"))


def test_a_yaml_alias_bomb_is_refused_at_once_and_plain_anchors_still_work(tmp_path, no_encoder):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(alias_bomb(9))  # 9**9 values once expanded
    start = time.perf_counter()
    with pytest.raises(ManifestUnusable, match=f"{MAX_ALIAS_EXPANSION:,}"):
        load_manifest(bomb)
    assert time.perf_counter() - start < HANG_GUARD_S
    loop = tmp_path / "loop.yaml"
    loop.write_bytes(b"- &r {id: a, modality: image, emotion: joy, options: {size: *r}}")
    with pytest.raises(ManifestUnusable, match="own anchor"):
        load_manifest(loop)
    shared = tmp_path / "shared.yaml"
    jobs = "".join(f"  - {{id: j{k}, <<: *base, emotion: joy, options: *small}}\n" for k in range(200))
    shared.write_text(f"defaults: &small {{size: 32x32}}\nbase: &base {{modality: image}}\njobs:\n{jobs}")
    rows, errors = load_manifest(shared)
    assert len(rows) == 200 and not errors and rows[0].options == {"size": "32x32"}


def test_infinite_blend_weights_in_a_manifest_are_invalid_rows(tmp_path, no_encoder):
    lines = [
        '{"id": "a", "modality": "image", "emotion": {"blend": [{"emotion": "joy", "weight": Infinity}]}}',
        '{"id": "b", "modality": "image", "emotion": {"blend": [["joy", Infinity], ["calm", 1]]}}',
        '{"id": "c", "modality": "image", "emotion": "joy*1e308 + calm*1e308"}',
        '{"id": "d", "modality": "image", "emotion": "foo8:awe"}',
        '{"id": "e", "modality": "image", "emotion": "{\\"vad\\": [9, 9, 9]}"}',
        '{"id": "ok", "modality": "image", "emotion": "joy*0.7 + fear*0.3"}',
    ]
    rows, errors = load_manifest(write_jsonl(tmp_path / "m.jsonl", lines))
    assert [r.id for r in rows] == ["ok"]
    reasons = {e.id: e.reason for e in errors}
    assert "Blend weight inf" in reasons["a"] and "Blend part" in reasons["b"] and "Blend weight" in reasons["c"]
    assert "Unknown taxonomy" in reasons["d"] and "VAD point" in reasons["e"]


# ---- batch output folders -----------------------------------------------------------------------------------------

GOOD = {"id": "ok", "modality": "image", "emotion": "joy", "options": {"size": "32x32"}}


def test_a_batch_out_that_is_a_file_is_one_sentence(tmp_path, capsys):
    manifest = write_jsonl(tmp_path / "m.jsonl", [json.dumps(GOOD)])
    (tmp_path / "out").write_text("not a folder")
    assert main(["batch", str(manifest), "--out", str(tmp_path / "out"), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a file" in err[0]


@pytest.mark.parametrize("folder", ["ok/ok.json", "ok/ok.png", "summary.json", ".ledger"])
def test_a_folder_or_file_where_the_batch_writes_is_one_sentence(folder, tmp_path, capsys):
    manifest = write_jsonl(tmp_path / "m.jsonl", [json.dumps(GOOD)])
    out = tmp_path / "out"
    if folder == ".ledger":
        out.mkdir()
        (out / folder).write_text("a file where the ledger folder goes")
    else:
        (out / folder).mkdir(parents=True)
    assert main(["batch", str(manifest), "--out", str(out), "--no-progress"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert err and all(line.startswith("studio: ") for line in err), err
    assert any("a folder has that name" in line or "File exists" in line for line in err), err


# ---- nothing lands outside --out ----------------------------------------------------------------------------------


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir() or p.is_symlink()}


def hostile_rows(tmp_path: Path) -> list[dict]:
    outside = str(tmp_path / "escape")
    image = {"modality": "image", "emotion": "joy", "options": {"size": "32x32"}}
    return [
        {**image, "id": "../escape"},
        {**image, "id": outside},
        {**image, "id": "a/../../escape"},
        {**image, "id": ".."},
        {**image, "id": "fmt1", "options": {"size": "32x32", "format": "png/../../../escape.png"}},
        {**image, "id": "fmt2", "options": {"size": "32x32", "format": outside + ".png"}},
        {**image, "id": "fmt3", "options": {"size": "32x32", "format": "../png"}},
        {**image, "id": "model", "model": outside},
        {**image, "id": "lora", "options": {"lora": [f"x={outside}.safetensors"]}},
        {**image, "id": "init", "options": {"init": outside + ".png"}},
        {**image, "id": "pickle", "options": {"size": "32x32", "allow_pickle": True}},
        {**image, "id": "emo", "emotion": "../../escape"},
        {**image, "id": "text", "text": "../../../escape.png"},
        {**image, "id": "link"},  # out/link is a symlink to a folder outside --out
        {**image, "id": "many", "count": 2, "text": outside},
        {
            "id": "arc",
            "modality": "video",
            "emotion": {"arc": "calm:0,dread:1"},
            "text": "../../escape",
            "options": {"size": "32x32", "fps": 2, "format": "gif"},
        },
        {"id": "arc-long", "modality": "video", "emotion": {"arc": "calm:0,dread:1e9"}},
        {"id": "vid-fmt", "modality": "video", "emotion": "calm", "options": {"format": "../../escape.gif"}},
    ]


def hostile_sidecars(record: dict, tmp_path: Path) -> list[dict]:
    outside = str(tmp_path / "escape")
    request = record["request"]
    variants = [
        {"modality": "../../image"},
        {"backend": "../../procedural"},
        {"path": outside + ".png", "output": outside + ".png"},
        {"request": {**request, "options": {"format": "../../../escape.png"}}},
        {"request": {**request, "options": {"format": outside + ".png", "allow_pickle": True}}},
        {"request": {**request, "text": "../../../escape.png", "size": [32, 32]}},
        {"request": {**request, "options": {"init": outside + ".png", "lora": [f"x={outside}"]}}},
        {"spec": {**record["spec"], "source": "../../../escape"}},
        {"spec": {**record["spec"], "categories": {"amusement": float("nan")}}},
        {"arc": {"keys": [{"t": 0, "spec": record["spec"]}, {"t": 1e9, "spec": record["spec"]}]}},
        {"seed": "../../1"},
        {"seed": 2**70},
    ]
    return [{**record, **variant} for variant in variants]


def test_no_manifest_sidecar_or_flag_writes_outside_out(tmp_path, monkeypatch, no_encoder):
    from studio.app_outputs import rerun

    out, cwd = tmp_path / "out", tmp_path / "cwd"
    (tmp_path / "elsewhere").mkdir()
    cwd.mkdir()
    out.mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    monkeypatch.chdir(cwd)  # anything written relative to the working folder would land under tmp_path too
    manifest = write_jsonl(tmp_path / "m.jsonl", [json.dumps(r) for r in [GOOD, *hostile_rows(tmp_path)]])
    before = files_under(tmp_path)

    argv = ["batch", str(manifest), "--out", str(out), "--no-progress", "--retry-failed", "--batch-size", "2"]
    assert main(argv) == 1  # the hostile rows are invalid or fail; the good ones are written
    summary = json.loads((out / "summary.json").read_text())
    assert {"ok", "text", "many-0", "many-1", "arc"} <= set(summary["done"])

    sidecar = out / "ok" / "ok.json"
    record = json.loads(sidecar.read_text())
    for k, hostile in enumerate(hostile_sidecars(record, tmp_path)):
        media = out / "replay" / f"r{k}.png"
        media.parent.mkdir(exist_ok=True)
        media.write_bytes((out / "ok" / "ok.png").read_bytes())
        media.with_suffix(".json").write_text(json.dumps(hostile))
        try:
            rerun(str(media), out / "gallery")
        except StudioError:
            pass

    created = files_under(tmp_path) - before
    outside = sorted(p for p in created if not p.startswith("out" + os.sep))
    assert outside == [], outside
    assert not any((tmp_path / "elsewhere").iterdir())
