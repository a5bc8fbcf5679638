"""Atomic file writes: write to a temporary name in the same folder, fsync, then rename over the target.

A crash or Ctrl-C mid-write leaves either the old file or nothing — never a truncated PNG, MP4 or WAV that a later
resume would mistake for finished work.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from conditioning.errors import StudioError


def check_writable_folder(path: Path) -> None:
    """Fail before any work starts when `path`'s folder cannot be created or written."""
    folder = Path(path).resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudioError(f"Cannot create output folder {folder}: {exc.strerror}; choose another --out.") from None
    try:  # os.access says yes to root everywhere, even on /proc: a real file creation is the only honest test
        fd, probe = tempfile.mkstemp(prefix=".write-test.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise StudioError(f"Output folder {folder} is not writable ({exc.strerror}); choose another --out.") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target` (same suffix, so writers pick the right format); on success it is
    renamed onto `target`, on any failure removed."""
    target = Path(target)
    if target.is_dir():
        raise StudioError(
            f"Cannot write {target}: a folder has that name; move the folder away or choose another --out."
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudioError(f"Cannot create folder {target.parent}: {exc.strerror}; choose another --out.") from None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared like any file
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))
