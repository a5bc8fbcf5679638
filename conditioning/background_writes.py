"""Writes that finish on a background thread while the caller goes on, so the next denoising batch starts while
the last PNG is still being zlib-encoded and fsynced.

Off unless a caller opens `background_writes()` (the batch runner does); then `run_or_defer` hands the write to a
small pool with a bounded backlog (a slow disk makes generation wait instead of piling images up in memory), and the
caller `take`s each output's future to learn whether its file was written — only then is the output finished.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path


class BackgroundWriter:
    """A pool of `workers` writer threads holding at most `backlog` unfinished writes."""

    def __init__(self, workers: int = 1, backlog: int = 4):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="studio-writer")
        self._slots = threading.BoundedSemaphore(backlog)
        self._futures: dict[Path, Future] = {}

    def submit(self, target: Path, work: Callable[[], object]) -> Future:
        self._slots.acquire()
        try:
            future = self._pool.submit(work)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._futures[Path(target).resolve()] = future
        return future

    def take(self, target: Path) -> Future | None:
        """The pending write of `target` (None when it was written in the caller's thread)."""
        return self._futures.pop(Path(target).resolve(), None)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


_current: ContextVar[BackgroundWriter | None] = ContextVar("background_writer", default=None)


@contextlib.contextmanager
def background_writes(workers: int = 1, backlog: int = 4) -> Iterator[BackgroundWriter]:
    """Within this block, `run_or_defer` writes on the returned writer's threads; leaving it waits for them."""
    writer = BackgroundWriter(workers, backlog)
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


def run_or_defer(target: Path, work: Callable[[], object]) -> None:
    """Run `work` (which writes `target`) now, or on the active background writer."""
    writer = _current.get()
    if writer is None:
        work()
    else:
        writer.submit(target, work)
