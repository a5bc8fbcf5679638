"""Writes that finish on a background thread while the caller goes on, so the next denoising batch (or the next
clip's frames, or the next voice) starts while the last PNG, MP4 or WAV is still being encoded and fsynced.

Off unless a caller opens `background_writes()` (the batch runner does); then `run_or_defer` hands the write to a
small pool with a bounded backlog — at most `backlog` writes and, for writes that say what they hold (a clip's
frames), at most `max_bytes` of them — so a slow disk or encoder makes generation wait instead of piling outputs up
in memory. The caller `take`s each output's future to learn whether its file was written; only then is the output
finished.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path

MAX_BYTES = 2**30  # held frames of unwritten clips: a GiB is ten 81-frame 480p Wan clips, or fifty 4 s 256² ones


class BackgroundWriter:
    """A pool of `workers` writer threads holding at most `backlog` unfinished writes and `max_bytes` of their data
    (one write larger than that still runs, alone)."""

    def __init__(self, workers: int = 1, backlog: int = 4, max_bytes: int = MAX_BYTES):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="studio-writer")
        self._slots = threading.BoundedSemaphore(backlog)
        self.max_bytes = max_bytes
        self._held_bytes = 0
        self._room = threading.Condition()
        self._futures: dict[Path, Future] = {}

    def submit(self, target: Path, work: Callable[[], object], nbytes: int = 0) -> Future:
        self._slots.acquire()
        with self._room:
            self._room.wait_for(lambda: self._held_bytes == 0 or self._held_bytes + nbytes <= self.max_bytes)
            self._held_bytes += nbytes
        try:
            future = self._pool.submit(work)
        except BaseException:
            self._release(nbytes)
            raise
        future.add_done_callback(lambda _: self._release(nbytes))
        self._futures[Path(target).resolve()] = future
        return future

    def _release(self, nbytes: int) -> None:
        with self._room:
            self._held_bytes -= nbytes
            self._room.notify_all()
        self._slots.release()

    def take(self, target: Path) -> Future | None:
        """The pending write of `target` (None when it was written in the caller's thread)."""
        return self._futures.pop(Path(target).resolve(), None)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


_current: ContextVar[BackgroundWriter | None] = ContextVar("background_writer", default=None)


@contextlib.contextmanager
def background_writes(workers: int = 1, backlog: int = 4, max_bytes: int = MAX_BYTES) -> Iterator[BackgroundWriter]:
    """Within this block, `run_or_defer` writes on the returned writer's threads; leaving it waits for them."""
    writer = BackgroundWriter(workers, backlog, max_bytes)
    token = _current.set(writer)
    try:
        yield writer
    finally:
        _current.reset(token)
        writer.close()


@contextlib.contextmanager
def immediate_writes() -> Iterator[None]:
    """Within this block writes happen in the caller's thread (for code that reads its outputs straight back)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def deferring(nbytes: int = 0) -> bool:
    """Whether `run_or_defer` would hand a write of `nbytes` held bytes to a background writer now. A backend that
    streams its output while it renders (procedural video into ffmpeg) renders to memory instead when this says
    yes, so the encoding can be deferred; a clip larger than the writer's whole budget streams as before."""
    writer = _current.get()
    return writer is not None and nbytes <= writer.max_bytes


def run_or_defer(target: Path, work: Callable[[], object], nbytes: int = 0) -> None:
    """Run `work` (which writes `target`) now, or on the active background writer; `nbytes`: how much memory the
    work holds until it has run (a clip's frames), counted against the writer's `max_bytes`."""
    writer = _current.get()
    if writer is None:
        work()
    else:
        writer.submit(target, work, nbytes)
