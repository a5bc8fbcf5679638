"""The `studio` command. Each verb lives in its own module under studio/commands/ and registers its parser here.

Written as `main(argv=None)` so tests call it in-process. A user error (StudioError) prints one line and exits 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from conditioning.errors import StudioError
from studio.commands import alignment_suite, app, batch, demo, edit, emotion, evaluate, finetune, generate, taxonomies

COMMANDS = (emotion, taxonomies, generate, edit, demo, batch, evaluate, alignment_suite, app, finetune)


class OneLineParser(argparse.ArgumentParser):
    """A usage mistake gets one line and a pointer to --help, not a 17-line usage block; subparsers inherit it."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="studio", description="Emotion-conditioned generative media studio.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return int(args.run(args) or 0)
    except StudioError as exc:
        print(f"studio: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("studio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return quiet_after_broken_pipe()


def quiet_after_broken_pipe() -> int:
    """`studio emotion ... | head` closed our stdout: the reader has what it wanted, so stop without a traceback
    (stdout goes to devnull so the interpreter's final flush does not raise again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0
