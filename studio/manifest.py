"""Batch manifests (CSV, JSONL or YAML): one row per job, every row validated before anything runs.

A row that cannot run (unknown label, NaN VAD, `../` in its id, empty or 1 MB text, bad bytes, a duplicate id) is
reported with its line number and reason; the other rows still run. Only a file that cannot be read as a manifest
at all (missing, unknown format, no rows, broken YAML) is `ManifestUnusable`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from conditioning import resolve, resolve_arc
from conditioning.errors import StudioError, brief
from generators.options import BY_NAME, CATALOGUE, GENERATE_OPTIONS
from generators.registry import DEFAULT_BACKENDS, check_options, get_backend
from generators.request import check_arc, check_duration, check_fps, check_seed, parse_size

FIELDS = ("id", "modality", "emotion", "text", "backend", "model", "seed", "count", "options")
OPTION_KEYS = tuple(o.name for o in CATALOGUE if o.manifest)
"""Declared in generators/options.py. Not `allow_pickle`: a manifest row may not allow pickled weights, only the
person at the keyboard may; not `model` (a column of its own) nor `device` (the batch places jobs on devices)."""
GENERATE_KEYS = GENERATE_OPTIONS
"""Options every row may carry: `generate`'s own arguments, not the backend's."""
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MAX_TEXT_CHARS = 5000
MAX_COUNT = 1000


class ManifestUnusable(StudioError):
    """The manifest as a whole cannot be read (exit code 2)."""


@dataclass(frozen=True)
class Row:
    """A validated manifest row. `emotion` and `arc` are as written (resolved again in the worker, cheaply)."""

    line: int
    id: str
    modality: str
    emotion: object
    arc: object
    text: str
    backend: str
    model: str | None
    seed: int
    count: int
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    line: int
    id: str | None
    reason: str


def default_seed(row_id: str) -> int:
    """A stable seed per id, so a resumed or sharded run makes the same files as an uninterrupted one."""
    return zlib.crc32(row_id.encode("utf-8")) % 2**31


def read_records(path: Path) -> list[tuple[int, dict | RowError]]:
    """(line number, raw dict) per row; rows whose bytes or syntax are broken come back as RowError."""
    path = Path(path)
    if not path.is_file():
        raise ManifestUnusable(f"Manifest {path} does not exist; give the path to a .csv, .jsonl or .yaml file.")
    suffix = path.suffix.lower()
    raw = path.read_bytes()
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(raw)
    if suffix == ".csv":
        return _read_csv(raw)
    if suffix in (".yaml", ".yml"):
        return _read_yaml(raw, path)
    raise ManifestUnusable(f"Manifest {path.name} has unknown format {suffix!r}; use .csv, .jsonl or .yaml.")


def _decode_lines(raw: bytes) -> list[tuple[int, str | None]]:
    out = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            out.append((number, line.decode("utf-8").rstrip("\r")))
        except UnicodeDecodeError:
            out.append((number, None))
    return out


def _read_jsonl(raw: bytes) -> list:
    records = []
    for number, text in _decode_lines(raw):
        if text is None:
            records.append((number, RowError(number, None, "not valid UTF-8; save the manifest as UTF-8")))
        elif text.strip() and not text.lstrip().startswith("#"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                records.append((number, RowError(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})")))
                continue
            except RecursionError:
                records.append((number, RowError(number, None, "the JSON is nested too deeply")))
                continue
            if not isinstance(value, dict):
                records.append((number, RowError(number, None, 'a JSONL row must be an object {"id": …}')))
            else:
                records.append((number, value))
    return records


def _read_csv(raw: bytes) -> list:
    lines = _decode_lines(raw)
    if not lines or lines[0][1] is None or not lines[0][1].strip():
        raise ManifestUnusable("The CSV manifest has no header row; the first line must name the columns (id,…).")
    header = next(csv.reader([lines[0][1]]))
    if "id" not in header:
        raise ManifestUnusable(f"The CSV header {header} has no 'id' column; columns are {', '.join(FIELDS)}.")
    records = []
    for number, text in lines[1:]:
        if text is None:
            records.append((number, RowError(number, None, "not valid UTF-8; save the manifest as UTF-8")))
            continue
        if not text.strip():
            continue
        try:
            values = next(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            records.append((number, RowError(number, None, f"not a valid CSV line ({exc})")))
            continue
        row = dict(zip(header, values))
        if isinstance(row.get("options"), str) and row["options"].strip():
            try:
                row["options"] = json.loads(row["options"])
            except (json.JSONDecodeError, RecursionError):
                records.append((number, RowError(number, row.get("id"), "options must be a JSON object")))
                continue
        if isinstance(row.get("emotion"), str) and row["emotion"].lstrip().startswith("{"):
            try:
                row["emotion"] = json.loads(row["emotion"])
            except (json.JSONDecodeError, RecursionError):
                records.append((number, RowError(number, row.get("id"), "emotion object is not valid JSON")))
                continue
        records.append((number, {k: v for k, v in row.items() if v not in ("", None)}))
    return records


MAX_ALIAS_EXPANSION = 100_000
"""How many nodes YAML aliases may add when expanded: a row can reuse an anchored `options` block thousands of
times, but a nested "billion laughs" (`*a` of `*b` of …) would expand to billions and hang every later step."""


def _bounded_yaml_loader():
    """A SafeLoader that tracks each node's expanded size while composing and refuses an alias bomb (or an alias
    to a node that contains itself) before anything is constructed from it."""
    import yaml
    from yaml.events import AliasEvent
    from yaml.nodes import MappingNode, ScalarNode

    class BoundedLoader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self.expanded: dict[int, int] = {}  # id(node) → nodes it stands for once every alias is expanded
            self.composed = 0

        def compose_node(self, parent, index):
            if self.check_event(AliasEvent):
                target = self.anchors.get(self.peek_event().anchor)
                if target is not None and id(target) not in self.expanded:
                    raise ManifestUnusable("The YAML manifest has an alias inside its own anchor; write the value out.")
            node = super().compose_node(parent, index)
            if id(node) in self.expanded:  # an alias: already counted where it was anchored
                return node
            if isinstance(node, ScalarNode):
                size = 1
            else:
                children = [x for pair in node.value for x in pair] if isinstance(node, MappingNode) else node.value
                size = 1 + sum(self.expanded[id(child)] for child in children)
            self.expanded[id(node)] = size
            self.composed += 1
            if size - self.composed > MAX_ALIAS_EXPANSION:
                raise ManifestUnusable(
                    f"The YAML manifest's aliases expand to over {MAX_ALIAS_EXPANSION:,} extra values (an alias "
                    "bomb?); write the rows out or use fewer nested aliases."
                )
            return node

    return BoundedLoader


def _read_yaml(raw: bytes, path: Path) -> list:
    import yaml

    try:
        data = yaml.load(raw.decode("utf-8"), Loader=_bounded_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError:
        raise ManifestUnusable(f"{path.name} is not valid UTF-8; save it as UTF-8.") from None
    except yaml.YAMLError as exc:
        raise ManifestUnusable(f"{path.name} is not valid YAML ({str(exc).splitlines()[0]}).") from None
    except RecursionError:
        raise ManifestUnusable(f"{path.name} is nested too deeply to be a manifest; flatten its rows.") from None
    if isinstance(data, dict) and "jobs" in data:
        data = data["jobs"]
    if not isinstance(data, list):
        raise ManifestUnusable(f"{path.name} must be a list of jobs (or a mapping with a 'jobs' list).")
    text = raw.decode("utf-8").splitlines()
    starts = [i + 1 for i, line in enumerate(text) if line.lstrip().startswith("- ") and not line.startswith(" ")]
    records = []
    for index, item in enumerate(data):
        number = starts[index] if index < len(starts) else index + 1
        records.append((number, item if isinstance(item, dict) else RowError(number, None, "a job must be a mapping")))
    return records


def validate(number: int, record: dict, seen: set[str]) -> Row:
    """One row → Row, or StudioError with the reason (the caller adds the line number)."""
    _refuse_nul(record)
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise StudioError(f"unknown field(s) {brief(sorted(map(str, unknown)))}; fields are {', '.join(FIELDS)}")
    row_id = str(record.get("id", "")).strip()
    if not row_id:
        raise StudioError("missing id")
    if not ID_PATTERN.fullmatch(row_id) or ".." in row_id:
        raise StudioError(f"id {row_id[:60]!r} must be letters, digits, '.', '_' or '-' (no paths, no '..')")
    if row_id in seen:
        raise StudioError(f"duplicate id {row_id!r}")
    seen.add(row_id)
    modality = str(record.get("modality", "")).strip().lower()
    if modality not in DEFAULT_BACKENDS:
        raise StudioError(f"modality {brief(modality)} must be image, video or voice")
    backend = str(record.get("backend") or DEFAULT_BACKENDS[modality])
    module = get_backend(modality, backend)
    text = record.get("text") or ""
    if not isinstance(text, str):
        raise StudioError("text must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise StudioError(f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    if modality == "voice" and not text.strip():
        raise StudioError("text to speak is empty")
    emotion, arc = record.get("emotion"), None
    if isinstance(emotion, dict) and "arc" in emotion:
        arc, emotion = emotion["arc"], None
        check_arc(resolve_arc(arc))
    elif emotion is None or (isinstance(emotion, str) and not emotion.strip()):
        raise StudioError('emotion is empty; give a label, {"vad": [v, a, d]} or {"arc": …}')
    else:
        resolve(emotion)
    options = record.get("options") or {}
    if not isinstance(options, dict):
        raise StudioError('options must be an object, e.g. {"size": "256x256"}')
    bad = set(options) - set(OPTION_KEYS)
    if bad:
        raise StudioError(f"unknown option(s) {brief(sorted(map(str, bad)))}; options are {', '.join(OPTION_KEYS)}")
    if options.get("format") is not None:
        wanted = f".{str(options['format']).lower().lstrip('.')}"
        if wanted not in module.SUFFIXES:
            raise StudioError(f"format {brief(options['format'])} must be one of {', '.join(module.SUFFIXES)}")
    if "size" in options:
        parse_size(options["size"], even=modality == "video" and options.get("format") != "gif")
    if "duration" in options:
        check_duration(options["duration"])
    if "fps" in options:
        check_fps(options["fps"])
    for_backend = {k: v for k, v in options.items() if k not in GENERATE_KEYS}
    for key in (k for k in GENERATE_KEYS if k in options):
        BY_NAME[key].check(options[key])
    model = {"model": record["model"]} if record.get("model") else {}
    check_options(module, modality, backend, {**for_backend, **model})
    seed = record.get("seed")
    if isinstance(seed, bool) or isinstance(record.get("count"), bool):
        raise StudioError("seed and count must be whole numbers, not true/false")
    seed = default_seed(row_id) if seed in (None, "") else check_seed(_as_int(seed, "seed"))
    count = _as_int(record.get("count", 1), "count")
    if not 1 <= count <= MAX_COUNT:
        raise StudioError(f"count {count} must be from 1 to {MAX_COUNT}")
    return Row(number, row_id, modality, emotion, arc, text, backend, record.get("model"), seed, count, options)


def _refuse_nul(value, depth: int = 0) -> None:
    """NUL bytes in any field, and nesting deeper than any real row, are refused before anything reads them."""
    if depth > 20:
        raise StudioError("a field is nested too deeply")
    if isinstance(value, str) and "\x00" in value:
        raise StudioError("a field holds a NUL byte; remove it")
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, depth + 1)
            _refuse_nul(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item, depth + 1)


def _as_int(value, name: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise StudioError(f"{name} {brief(value)} is not a whole number") from None
    if not number.is_integer():
        raise StudioError(f"{name} {brief(value)} is not a whole number")
    return int(number)


def load_manifest(path: Path) -> tuple[list[Row], list[RowError]]:
    """Every row validated: (runnable rows, errors with line numbers)."""
    rows, errors, seen, names = [], [], set(), set()
    records = read_records(path)
    if not records:
        raise ManifestUnusable(f"Manifest {Path(path).name} has no rows.")
    for number, record in records:
        if isinstance(record, RowError):
            errors.append(record)
            continue
        try:
            row = validate(number, record, seen)
        except StudioError as exc:
            errors.append(RowError(number, _row_id(record), str(exc).rstrip(".")))
            continue
        except RecursionError:
            errors.append(RowError(number, _row_id(record), "a field is nested too deeply"))
            continue
        except Exception as exc:  # a row must never abort the batch: any other failure is this row's reason
            errors.append(RowError(number, _row_id(record), f"cannot read this row ({type(exc).__name__})"))
            continue
        clash = _job_names(row) & names
        if clash:
            errors.append(RowError(number, row.id, f"output name {sorted(clash)[0]!r} is already used by another row"))
            continue
        names |= _job_names(row)
        rows.append(row)
    return rows, errors


def _row_id(record: dict) -> str | None:
    value = record.get("id")
    return value[:60] if isinstance(value, str) and value else None


def _job_names(row: Row) -> set[str]:
    """The ledger keys a row's outputs take (`x` with count 2 takes `x-0`, `x-1`)."""
    return {row.id} if row.count == 1 else {f"{row.id}-{k}" for k in range(row.count)}
