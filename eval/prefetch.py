"""Decode the next media files while a judge scores this one.

`studio eval` spends much of its time decoding (PNG inflate, ffmpeg, libsndfile), work that runs outside the GIL, so
a decoder thread a file or two ahead of the judge hides it. `prefetching(paths)` opens a plan: the files in the order
they will be scored. A decoder routed through `prefetched(decode, path, *args)` then gets the result decoded ahead
when there is one (else it decodes now, as without a plan), and its first call teaches the plan that decoder: from
then on the next `depth` files with the same suffix are decoded ahead with the same function and arguments. The
value is that function's own return for those arguments, and a decode error is raised by the call that would have
decoded, so every score equals the sequential path's. Without an open plan `prefetched` is a plain call.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

DEPTH = 2  # files decoded ahead: one keeps the judge fed; two absorb a slow file (a long clip among stills)
FORGET_BEHIND = 16  # a file this far behind the newest one scored will not be asked for (skipped, or another decoder)


def _key(path) -> Path:
    return Path(path).resolve()


class Prefetcher:
    """Decodes ahead along `paths` on `workers` threads, holding at most `depth` unclaimed results per decoder
    (plus those of files passed over, forgotten once `FORGET_BEHIND` files behind)."""

    def __init__(self, paths: Iterable, depth: int = DEPTH, workers: int = 1):
        self._depth = depth
        self._by_suffix: dict[str, list[Path]] = {}  # resolved paths, in plan order
        self._position: dict[Path, int] = {}  # place among the files with the same suffix
        self._given: dict[Path, Path] = {}  # resolved → as given (decoders name the file in their errors)
        for given in paths:
            path = _key(given)
            if path in self._position:
                continue
            same = self._by_suffix.setdefault(path.suffix.lower(), [])
            self._position[path], self._given[path] = len(same), Path(given)
            same.append(path)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="studio-prefetch")
        self._lock = threading.Lock()
        self._ahead: dict[tuple, Future] = {}  # (decode, args, path) → its decode, not yet claimed
        self._claimed: set[tuple] = set()

    def holds(self, path: Path) -> bool:
        return _key(path) in self._position

    def get(self, decode: Callable, path: Path, args: tuple):
        key = _key(path)
        with self._lock:
            future = self._ahead.pop((decode, args, key), None)
            self._claimed.add((decode, args, key))
            self._plan(decode, args, key)
        return decode(path, *args) if future is None else future.result()

    def _plan(self, decode: Callable, args: tuple, path: Path) -> None:
        """Start the next `depth` decodes after `path`; forget those left far behind."""
        same, at = self._by_suffix[path.suffix.lower()], self._position[path]
        for stale in [k for k in self._ahead if k[:2] == (decode, args) and self._position[k[2]] < at - FORGET_BEHIND]:
            self._ahead.pop(stale).cancel()
        for upcoming in same[at + 1 : at + 1 + self._depth]:
            key = (decode, args, upcoming)
            if key not in self._ahead and key not in self._claimed:
                self._ahead[key] = self._pool.submit(decode, self._given[upcoming], *args)

    def close(self) -> None:
        with self._lock:
            for future in self._ahead.values():
                future.cancel()
            self._ahead.clear()
        self._pool.shutdown(wait=True)


_open: list[Prefetcher] = []  # module-wide, not a ContextVar: the judges run on the report's worker threads
_open_lock = threading.Lock()


@contextlib.contextmanager
def prefetching(paths: Iterable, depth: int = DEPTH, workers: int = 1) -> Iterator[Prefetcher]:
    """Within this block, `prefetched` decodes ahead along `paths` (the order in which they will be scored)."""
    prefetcher = Prefetcher(paths, depth, workers)
    with _open_lock:
        _open.append(prefetcher)
    try:
        yield prefetcher
    finally:
        with _open_lock:
            _open.remove(prefetcher)
        prefetcher.close()


def prefetched(decode: Callable, path: Path, *args):
    """`decode(path, *args)`, taken from the open plan that holds `path` when there is one. `decode` must be a
    plain function of the file (no state of its own) and `args` hashable, so a result decoded ahead is the same."""
    with _open_lock:
        plan = next((p for p in reversed(_open) if p.holds(path)), None)
    return decode(path, *args) if plan is None else plan.get(decode, path, args)
