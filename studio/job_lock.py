"""Per-job lock files, so processes that share an output folder never work on the same job at once.

A lock is created with O_CREAT | O_EXCL (atomic on local and NFSv3+ file systems) and holds host and pid. A lock
whose process is gone (same host, pid not alive) is stale and is taken over — that is how a job in flight when a
run was killed gets redone. Locks from other hosts are never judged stale; a dead node's jobs need --retry-failed
or removing `<out>/.locks`.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

LOCK_DIR = ".locks"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobLock:
    def __init__(self, out: Path, job: str):
        self.path = Path(out) / LOCK_DIR / f"{job}.lock"

    def acquire(self) -> bool:
        """True when this process now owns the job."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if not self._stale() or not self._take_over():
                    return False
                continue
            with os.fdopen(fd, "w") as handle:
                json.dump({"host": socket.gethostname(), "pid": os.getpid()}, handle)
            return True
        return False

    def _stale(self) -> bool:
        try:
            owner = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return False  # being written right now, or unreadable: leave it alone
        return owner.get("host") == socket.gethostname() and not _alive(int(owner.get("pid", 0)))

    def _take_over(self) -> bool:
        """Move the stale lock aside atomically; if what we moved turns out to be a fresh lock (another process
        took over first), put it back and give up."""
        aside = self.path.with_suffix(f".stale-{os.getpid()}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return True  # someone removed it; try to create ours
        try:
            owner = json.loads(aside.read_text())
            stale = owner.get("host") == socket.gethostname() and not _alive(int(owner.get("pid", 0)))
        except (OSError, ValueError):
            stale = False
        if not stale:
            try:
                os.link(aside, self.path)
            except FileExistsError:
                pass
            aside.unlink(missing_ok=True)
            return False
        aside.unlink(missing_ok=True)
        return True

    def release(self) -> None:
        self.path.unlink(missing_ok=True)
