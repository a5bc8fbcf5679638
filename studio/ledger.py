"""The run ledger: an append-only JSONL record of each job's state, one file per process.

Each process appends only to its own file (`<out>/.ledger/<host>-<pid>.jsonl`), so no two writers ever share a
file, on one machine or many; reading merges all files and the latest event per job wins. States: started, done,
failed. A job is complete when its last event is `done` and its outputs exist.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

LEDGER_DIR = ".ledger"


class Ledger:
    def __init__(self, out: Path):
        self.folder = Path(out) / LEDGER_DIR
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / f"{socket.gethostname()}-{os.getpid()}.jsonl"
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run

    def record(self, job: str, state: str, **details) -> None:
        """Append one event and flush it to the OS (outputs are atomic, so the ledger needs no fsync: a lost
        `done` only means the job is redone, producing the same bytes)."""
        event = {"job": job, "state": state, "time": time.time(), "pid": os.getpid(), **details}
        self._handle.write(json.dumps(event, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def read_states(out: Path) -> dict[str, dict]:
    """job → its latest event, across every process's ledger file (torn last lines are ignored)."""
    latest: dict[str, dict] = {}
    folder = Path(out) / LEDGER_DIR
    if not folder.exists():
        return latest
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            previous = latest.get(event.get("job"))
            if previous is None or event["time"] >= previous["time"]:
                latest[event["job"]] = event
    return latest


def count_events(out: Path, state: str) -> dict[str, int]:
    """How many `state` events each job has (tests use it to prove every job was done exactly once)."""
    counts: dict[str, int] = {}
    for path in sorted((Path(out) / LEDGER_DIR).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("state") == state:
                counts[event["job"]] = counts.get(event["job"], 0) + 1
    return counts
