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
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from conditioning.atomic import write_text_atomic
from conditioning.background_writes import background_writes, immediate_writes
from conditioning.errors import StudioError
from generators.registry import get_backend, takes_device
from studio.api import generate, generate_many
from studio.distributed import ProcessInfo, process_info, wait_for_all
from studio.job_lock import JobLock
from studio.ledger import LEDGER_DIR, Ledger, read_states
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
    remove_partials(job.output(out))
    return generate(**job_request(job, out, device)).path


MAX_BATCH_SIZE = 64
WRITER_THREADS = 2  # PNG zlib, ffmpeg and fsync release the GIL: two keep up with an H200's SDXL batches


def check_batch_size(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH_SIZE:
        raise StudioError(f"--batch-size {value!r} must be a whole number from 1 to {MAX_BATCH_SIZE}.")
    return value


def default_batch_size(device: str) -> int:
    """1 off CUDA (a CPU or MPS model is compute-bound at batch 1, and RAM is shared with everything else); on
    CUDA one job per 5 GiB of free memory, at most 16 — SDXL at 1024² × 2 guidance halves needs about that much
    activation memory per image in fp16, so a 24 GB card gets 4 and an H200 16."""
    if not str(device).startswith("cuda"):
        return 1
    import torch

    if not torch.cuda.is_available():
        return 1
    free, _ = torch.cuda.mem_get_info(torch.device(device))
    return max(1, min(16, int(free / 2**30 // 5)))


def job_request(job: Job, out: Path, device: str) -> dict:
    """The keyword arguments of `studio.api.generate` for this job."""
    row = job.row
    options = dict(row.options)
    if row.model:
        options["model"] = row.model
    if takes_device(row.modality, row.backend):
        options.setdefault("device", device)
    return dict(
        modality=row.modality,
        emotion=row.emotion,
        arc=row.arc,
        text=row.text,
        seed=job.seed,
        out=job.output(out),
        backend=row.backend,
        **options,
    )


def group_key(job: Job) -> str:
    """Jobs with equal keys may share a generation call: same modality, backend, model and options (the emotion,
    text and seed may differ — the backend decides per request whether it can batch them)."""
    row = job.row
    return json.dumps([row.modality, row.backend, row.model, row.options], sort_keys=True, default=str)


def run_group(jobs: list[Job], out: Path, device: str) -> list[tuple[Job, Path | str]]:
    """Each job with its output path or its error. A backend with `generate_many` gets the whole group in one
    call; if that call fails, the jobs run one by one so each error lands on the job that caused it."""
    if len(jobs) > 1:
        module = get_backend(jobs[0].row.modality, jobs[0].row.backend)
        if hasattr(module, "generate_many"):
            try:
                for job in jobs:
                    remove_partials(job.output(out))
                artifacts = generate_many([job_request(job, out, device) for job in jobs])
                return [(job, artifact.path) for job, artifact in zip(jobs, artifacts)]
            except Exception:  # noqa: BLE001 - retried singly below, where each error is reported
                log.info("batched call of %d jobs failed; running them one by one", len(jobs), exc_info=True)
    results = []
    for job in jobs:
        try:
            results.append((job, run_job(job, out, device)))
        except StudioError as exc:
            results.append((job, str(exc)))
        except Exception as exc:  # one bad job never sinks the rest
            log.exception("job %s crashed", job.name)
            results.append((job, f"{exc.__class__.__name__}: {exc}"))
    return results


def run_batch(
    manifest: Path,
    out: Path,
    *,
    strict: bool = False,
    retry_failed: bool = False,
    info: ProcessInfo | None = None,
    progress: bool = True,
    batch_size: int | None = None,
    writer_threads: int = WRITER_THREADS,
) -> BatchResult:
    """Validate, shard, run, and (on the main process) merge the summary into `<out>/summary.json`.

    batch_size: how many consecutive jobs with the same backend, model and settings share one generation call
    (None: `default_batch_size` for the device); outputs are the same bytes at any batch size.
    writer_threads: threads that encode and write the outputs (PNG, MP4, GIF, WAV) while the next jobs generate;
    0 writes each in the generating thread (the same bytes, only slower)."""
    start = time.perf_counter()
    info = info or process_info()
    rows, invalid = load_manifest(manifest)
    if strict and invalid:
        from studio.manifest import ManifestUnusable

        first = invalid[0]
        raise ManifestUnusable(f"--strict: {len(invalid)} invalid row(s); first at line {first.line}: {first.reason}.")
    out = prepare_out(Path(out))
    jobs = expand(rows)
    mine = [job for i, job in enumerate(jobs) if i % info.world == info.rank]
    states = read_states(out)
    result = BatchResult(invalid=invalid if info.is_main else [])
    ledger = Ledger(out)
    device = info.device() if any(takes_device(j.row.modality, j.row.backend) for j in mine) else "cpu"
    batch_size = check_batch_size(batch_size) if batch_size is not None else default_batch_size(device)
    bar = tqdm(
        mine,
        desc=f"batch[{info.rank}/{info.world}]" if info.world > 1 else "batch",
        unit="job",
        disable=not progress,
        dynamic_ncols=True,
    )
    pending: list[tuple[Job, JobLock]] = []
    writing: list[tuple[Job, Path, Future | None, JobLock]] = []  # generated; file may still be being written

    def flush() -> None:
        """Run the held jobs (one denoising batch where the backend can); their files are written in the
        background while the next batch runs, and each job is recorded once its file is (see `settle`)."""
        handed_off = set()
        try:
            locks = {job.name: lock for job, lock in pending}
            for job, outcome in run_group([j for j, _ in pending], out, device):
                if isinstance(outcome, Path):
                    writing.append((job, outcome, writer.take(outcome) if writer else None, locks[job.name]))
                    handed_off.add(job.name)
                else:
                    ledger.record(job.name, "failed", error=outcome)
                    result.failed[job.name] = outcome
        finally:
            for job, lock in pending:
                if job.name not in handed_off:
                    lock.release()
            pending.clear()
        settle(wait=False)

    def settle(wait: bool) -> None:
        """Record done (or the write's error) for jobs whose files are written, in order; `wait` for all."""
        while writing:
            job, path, future, lock = writing[0]
            if future is not None and not future.done() and not wait:
                return
            writing.pop(0)
            try:
                if future is not None:
                    future.result()
                ledger.record(job.name, "done", output=str(path.relative_to(out)))
                result.done.append(job.name)
            except StudioError as exc:
                ledger.record(job.name, "failed", error=str(exc))
                result.failed[job.name] = str(exc)
            except Exception as exc:  # a failed write fails its own job only
                log.exception("writing %s failed", job.name)
                result.failed[job.name] = error = f"{exc.__class__.__name__}: {exc}"
                ledger.record(job.name, "failed", error=error)
            finally:
                lock.release()

    if writer_threads:
        writes = background_writes(workers=writer_threads, backlog=2 * MAX_BATCH_SIZE)
    else:
        writes = immediate_writes()
    writer = writes.__enter__()
    try:
        for job in bar:
            state = states.get(job.name, {}).get("state")
            try:
                target = job.output(out)
            except StudioError as exc:  # e.g. its folder is a link out of --out: this job fails, the rest run
                ledger.record(job.name, "failed", error=str(exc))
                result.failed[job.name] = str(exc)
                continue
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
            if target.is_file() and target.with_suffix(".json").is_file() and state != "failed":
                # finished by another process since we read the ledger, or killed between file and ledger
                if read_states(out).get(job.name, {}).get("state") != "done":
                    ledger.record(job.name, "done", output=str(target.relative_to(out)), found_complete=True)
                result.skipped.append(job.name)
                lock.release()
                continue
            if pending and (len(pending) >= batch_size or group_key(pending[0][0]) != group_key(job)):
                flush()
            ledger.record(job.name, "started", rank=info.rank)
            pending.append((job, lock))
        if pending:
            flush()
    finally:
        for _, lock in pending:  # interrupted while holding jobs: free them for the next run
            lock.release()
        writes.__exit__(None, None, None)  # every started write ends (written or failed) before it is recorded
        settle(wait=True)
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


def prepare_out(out: Path) -> Path:
    """The output store, created if new; a file in its place (or in its ledger's) is refused in one sentence."""
    if out.exists() and not out.is_dir():
        raise StudioError(f"--out {out} is a file, not a folder; give a folder (new or existing) for the outputs.")
    try:
        (out / LEDGER_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = exc.filename or out
        raise StudioError(f"Cannot create {where} in the output store: {exc.strerror}; choose another --out.") from None
    return out


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
