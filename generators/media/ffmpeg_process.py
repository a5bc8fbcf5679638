"""Run the ffmpeg that ships in imageio-ffmpeg as a child that dies with us.

If the studio is killed (SIGKILL, OOM) mid-encode, an orphaned ffmpeg would keep writing — and might even create
its output file after a resumed run has cleaned the leftovers up. PR_SET_PDEATHSIG makes the kernel kill the child
when its parent dies, so a killed run leaves nothing behind (Linux; elsewhere the child is only terminated on
ordinary exits). The kernel sends it when the *thread* that started the child ends: every caller here (the batch
runner's writer threads included) waits for its ffmpeg before it returns, so no child outlives its thread.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def popen(args: list[str], **kwargs) -> subprocess.Popen:
    """Start `ffmpeg <args>` tied to this process's lifetime."""
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen([ffmpeg_exe(), *args], preexec_fn=preexec, **kwargs)  # noqa: PLW1509


def run(args: list[str]) -> subprocess.CompletedProcess:
    """`ffmpeg <args>` to completion, output captured."""
    process = popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
