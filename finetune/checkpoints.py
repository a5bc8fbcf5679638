"""Training checkpoints: `accelerator.save_state` (model adapters, optimizer, LR scheduler, RNG states) plus the step,
written into a temporary folder and renamed to `checkpoint-<step>` only when complete — so `--resume latest` never
picks up a checkpoint a crash cut short. Old checkpoints beyond `keep` are removed.

accelerate stores optimizer and RNG states with torch's pickle-based `save`; these are our own files written by
this script, which is why they are acceptable here while user-supplied weights load from safetensors only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from conditioning import StudioError

PATTERN = re.compile(r"checkpoint-(\d+)")
STATE = "trainer_state.json"


def checkpoints(folder: Path) -> list[Path]:
    found = [p for p in Path(folder).glob("checkpoint-*") if PATTERN.fullmatch(p.name) and (p / STATE).is_file()]
    return sorted(found, key=lambda p: int(PATTERN.fullmatch(p.name).group(1)))


def save_checkpoint(accelerator, folder: Path, step: int, keep: int = 2) -> Path:
    """Every process calls this (save_state gathers); the main one renames and prunes."""
    folder = Path(folder)
    target = folder / f"checkpoint-{step}"
    tmp = folder / f".checkpoint-{step}.tmp"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp))
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        (tmp / STATE).write_text(json.dumps({"step": step}))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
        for old in checkpoints(folder)[:-keep] if keep > 0 else []:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()
    return target


def resume_from(accelerator, folder: Path, resume: str | None) -> int:
    """Load the state named by `--resume` ("latest" or a checkpoint folder); returns the step to continue from."""
    if not resume:
        return 0
    if resume == "latest":
        found = checkpoints(folder)
        if not found:
            return 0  # a first run with --resume latest simply starts: makes restart-on-preemption scripts easy
        path = found[-1]
    else:
        path = Path(resume)
        if not (path / STATE).is_file():
            raise StudioError(f"--resume {resume}: not a checkpoint folder (no {STATE}); use 'latest' or a path.")
    accelerator.load_state(str(path))
    return int(json.loads((path / STATE).read_text())["step"])
