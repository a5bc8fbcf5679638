"""`studio batch`: run a manifest's jobs into an output store, resumably, on one process or many.

Output store: `<out>/<id>/<id>.<ext>` (or `<id>-<k>.<ext>` when a row has count > 1), each with its sidecar.
Resume rules: done jobs (ledger says done and the file is there) are skipped; jobs that were in flight are redone
(their lock's process is gone); failed jobs are retried only with `retry_failed`. Seeds come from the row (or its
id), so a resumed, sharded or repeated run makes the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from conditioning.atomic import write_text_atomic
from conditioning.errors import StudioError
from generators.registry import get_backend, takes_device
from studio.api import generate
from studio.distributed import ProcessInfo, process_info, wait_for_all
from studio.job_lock import JobLock
from studio.ledger import Ledger, read_states
from studio.manifest import Row, RowError, load_manifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One output: row `row`, copy `index` of its count."""

    row: Row
    index: int

    @property
    def name(self) -> str:
        return self.row.id if self.row.count == 1 else f"{self.row.id}-{self.index}"

    @property
    def seed(self) -> int:
        return (self.row.seed + self.index) % 2**32

    def output(self, out: Path) -> Path:
        options = self.row.options
        module = get_backend(self.row.modality, self.row.backend)
        wanted = f".{str(options['format']).lower().lstrip('.')}" if options.get("format") else module.SUFFIXES[0]
        if wanted not in module.SUFFIXES:
            raise StudioError(
                f"format {options['format']!r} is not one of {', '.join(module.SUFFIXES)}; pick one of those."
            )
        return inside(Path(out), Path(out) / self.row.id / f"{self.name}{wanted}")


def inside(out: Path, target: Path) -> Path:
    """The target, refused unless it resolves (symlinks included) inside `out`: no row may write elsewhere."""
    root = out.resolve()
    try:
        target.resolve().relative_to(root)
    except (ValueError, RuntimeError, OSError):
        raise StudioError(f"output {target} would land outside {out}; remove the link or fix the id.") from None
    return target


@dataclass
class BatchResult:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    invalid: list[RowError] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.invalid else 0

    def to_dict(self) -> dict:
        return {
            "counts": {
                "done": len(self.done),
                "skipped": len(self.skipped),
                "failed": len(self.failed),
                "invalid": len(self.invalid),
                "busy": len(self.busy),
            },
            "done": self.done,
            "skipped": self.skipped,
            "failed": self.failed,
            "busy": self.busy,
            "invalid": [{"line": e.line, "id": e.id, "reason": e.reason} for e in self.invalid],
            "seconds": round(self.seconds, 3),
        }


def expand(rows: list[Row]) -> list[Job]:
    """Every output of every row, in manifest order (the order sharding relies on)."""
    return [Job(row, k) for row in rows for k in range(row.count)]


def remove_partials(target: Path) -> None:
    """Temporary files a killed process left for this output (atomic writes name them `.<stem>.*.part<suffix>`);
    safe because we hold the job's lock."""
    if target.parent.exists():
        for leftover in target.parent.glob(f".{target.stem}.*.part*"):
            leftover.unlink(missing_ok=True)


def run_job(job: Job, out: Path, device: str) -> Path:
    row = job.row
    options = dict(row.options)
    if row.model:
        options["model"] = row.model
    if takes_device(row.modality, row.backend):
        options.setdefault("device", device)
    target = job.output(out)
    remove_partials(target)
    artifact = generate(
        row.modality, row.emotion, arc=row.arc, text=row.text, seed=job.seed, out=target, backend=row.backend, **options
    )
    return artifact.path


def run_batch(
    manifest: Path,
    out: Path,
    *,
    strict: bool = False,
    retry_failed: bool = False,
    info: ProcessInfo | None = None,
    progress: bool = True,
) -> BatchResult:
    """Validate, shard, run, and (on the main process) merge the summary into `<out>/summary.json`."""
    start = time.perf_counter()
    info = info or process_info()
    rows, invalid = load_manifest(manifest)
    if strict and invalid:
        from studio.manifest import ManifestUnusable

        first = invalid[0]
        raise ManifestUnusable(f"--strict: {len(invalid)} invalid row(s); first at line {first.line}: {first.reason}.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = expand(rows)
    mine = [job for i, job in enumerate(jobs) if i % info.world == info.rank]
    states = read_states(out)
    result = BatchResult(invalid=invalid if info.is_main else [])
    ledger = Ledger(out)
    device = info.device() if any(takes_device(j.row.modality, j.row.backend) for j in mine) else "cpu"
    bar = tqdm(
        mine,
        desc=f"batch[{info.rank}/{info.world}]" if info.world > 1 else "batch",
        unit="job",
        disable=not progress,
        dynamic_ncols=True,
    )
    try:
        for job in bar:
            state = states.get(job.name, {}).get("state")
            target = job.output(out)
            if state == "done" and target.exists() and target.with_suffix(".json").exists():
                result.skipped.append(job.name)
                continue
            if state == "failed" and not retry_failed:
                result.failed[job.name] = states[job.name].get("error", "failed earlier")
                continue
            lock = JobLock(out, job.name)
            if not lock.acquire():
                result.busy.append(job.name)
                continue
            try:
                if target.is_file() and target.with_suffix(".json").is_file() and state != "failed":
                    # finished by another process since we read the ledger, or killed between file and ledger
                    if read_states(out).get(job.name, {}).get("state") != "done":
                        ledger.record(job.name, "done", output=str(target.relative_to(out)), found_complete=True)
                    result.skipped.append(job.name)
                    continue
                ledger.record(job.name, "started", rank=info.rank)
                try:
                    path = run_job(job, out, device)
                except StudioError as exc:
                    ledger.record(job.name, "failed", error=str(exc))
                    result.failed[job.name] = str(exc)
                except Exception as exc:  # one bad job never sinks the rest
                    log.exception("job %s crashed", job.name)
                    ledger.record(job.name, "failed", error=f"{exc.__class__.__name__}: {exc}")
                    result.failed[job.name] = f"{exc.__class__.__name__}: {exc}"
                else:
                    ledger.record(job.name, "done", output=str(path.relative_to(out)))
                    result.done.append(job.name)
            finally:
                lock.release()
    finally:
        ledger.close()
        bar.close()
    result.seconds = time.perf_counter() - start
    write_text_atomic(out / ".ledger" / f"summary-{info.rank}.json", json.dumps(result.to_dict()))
    if info.world > 1:
        run_id = os.environ.get("TORCHELASTIC_RUN_ID") or os.environ.get("MASTER_PORT") or str(os.getppid())
        if wait_for_all(out, run_id, info) and info.is_main:
            result = merge_summaries(out, info.world, result)
    if info.is_main:
        write_text_atomic(out / "summary.json", json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    return result


def merge_summaries(out: Path, world: int, main: BatchResult) -> BatchResult:
    """Fold the other processes' summaries into the main one."""
    merged = BatchResult(
        done=list(main.done),
        skipped=list(main.skipped),
        failed=dict(main.failed),
        invalid=main.invalid,
        busy=list(main.busy),
        seconds=main.seconds,
    )
    for rank in range(1, world):
        path = out / ".ledger" / f"summary-{rank}.json"
        if not path.exists():
            continue
        other = json.loads(path.read_text())
        merged.done += other["done"]
        merged.skipped += other["skipped"]
        merged.failed.update(other["failed"])
        merged.busy += other["busy"]
        merged.seconds = max(merged.seconds, other["seconds"])
    return merged
