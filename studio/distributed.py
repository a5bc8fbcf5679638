"""Which process am I, of how many: read from the environment `accelerate launch` (and torchrun) set up.

Sharding needs no communication — process r takes every job i with i % world == r — so this works the same under
`accelerate launch`, torchrun, Slurm arrays or two shells with RANK/WORLD_SIZE set by hand. Each process gets its
own device (cuda:LOCAL_RANK) for model backends.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessInfo:
    rank: int
    world: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def device(self) -> str:
        """cuda:<local rank> when CUDA is there (without importing torch unless it is installed), else cpu."""
        try:
            import torch
        except ImportError:
            return "cpu"
        return f"cuda:{self.local_rank}" if torch.cuda.is_available() else "cpu"


def process_info() -> ProcessInfo:
    rank = int(os.environ.get("RANK", os.environ.get("SLURM_PROCID", "0")))
    world = int(os.environ.get("WORLD_SIZE", os.environ.get("SLURM_NTASKS", "1")))
    local = int(os.environ.get("LOCAL_RANK", rank))
    return ProcessInfo(rank=rank, world=max(1, world), local_rank=local)


def wait_for_all(out: Path, run_id: str, info: ProcessInfo, timeout_s: float = 3600.0) -> bool:
    """A file barrier: each process marks itself finished; the main process waits for all marks (so the merged
    summary covers every shard). Works across nodes on a shared folder, with no process group needed."""
    folder = Path(out) / ".ledger" / f"finished-{run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(info.rank)).touch()
    if not info.is_main:
        return True
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(list(folder.iterdir())) >= info.world:
            return True
        time.sleep(0.2)
    return False
