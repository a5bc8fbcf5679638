"""`studio app [--port 8501] [--host 127.0.0.1] [--output DIR] [--headless]`: the Streamlit studio.

Runs `python -m streamlit run app/studio_app.py` with the same interpreter (replacing this process), so the app
sees this environment's backends. studio never imports app (DESIGN.md); it only launches it, like it launches finetune.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import subprocess
import sys
from pathlib import Path

from conditioning.errors import StudioError

ENTRY = Path(__file__).resolve().parents[2] / "app" / "studio_app.py"


def register(sub) -> None:
    parser = sub.add_parser("app", help="open the studio in the browser (Streamlit)")
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 to share)")
    parser.add_argument("--output", help="output folder for the app (default $STUDIO_APP_OUTPUT or studio-output/app)")
    parser.add_argument("--headless", action="store_true", help="do not open a browser window")
    parser.set_defaults(run=run)


def command(args) -> list[str]:
    """The streamlit command line for these options."""
    return [
        sys.executable, "-m", "streamlit", "run", str(ENTRY),
        "--server.port", str(args.port),
        "--server.address", args.host,
        "--server.headless", "true" if args.headless else "false",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def run(args) -> int:
    if importlib.util.find_spec("streamlit") is None:
        raise StudioError("The app needs streamlit; pip install 'emotion-studio[app]'.")
    if not ENTRY.exists():
        raise StudioError(f"The app's entry file {ENTRY} is missing; reinstall emotion-studio.")
    if not 1 <= args.port <= 65535:
        raise StudioError(f"Port {args.port} must be from 1 to 65535.")
    check_host(args.host)
    env = dict(os.environ)
    if args.output:
        env["STUDIO_APP_OUTPUT"] = str(Path(args.output).expanduser())
    return launch(command(args), env)


HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_host(host: str) -> None:
    """Refuse an address the server could never bind (999.1.1.1) before streamlit starts; no network is used."""
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(host) > 253 or not all(HOSTNAME_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise StudioError(
            f"--host {host!r} is not an IP address or host name; use e.g. 127.0.0.1, 0.0.0.0 or localhost."
        )


def launch(cmd: list[str], env: dict) -> int:
    """Become the streamlit server (POSIX), so a signal to `studio app` reaches the server and leaves no orphan;
    elsewhere run it as a child and wait."""
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    return subprocess.call(cmd, env=env)
