"""`studio emotion "<anything>" ["<another>" ...] [--file F] [--taxonomy T] [--scale S] [--json]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conditioning.errors import StudioError
from conditioning.resolve import collect_confidence, confidence_of
from studio.describe import describe_emotion, format_description


def register(sub) -> None:
    parser = sub.add_parser("emotion", help="resolve emotions and show their spec, nearest labels and styles")
    parser.add_argument("inputs", nargs="*", help="labels, VAD points ('0.6,-0.3,0.1') or free text")
    parser.add_argument("--file", type=Path, help="read one input per line (blank lines and # comments skipped)")
    parser.add_argument("--taxonomy", default=None, help="taxonomy for the label and nearest labels (default mikels8)")
    parser.add_argument("--scale", default=None, help="scale of numeric VAD inputs: -1-1 (default), 0-1, 1-9, 1-5")
    parser.add_argument("--json", action="store_true", help="one JSON object per input, one per line")
    parser.set_defaults(run=run)


def read_inputs(args) -> list[str]:
    inputs = list(args.inputs)
    if args.file:
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise StudioError(f"Cannot read --file {args.file}: {exc.strerror}; check the path.") from None
        except UnicodeDecodeError:
            raise StudioError(f"--file {args.file} is not UTF-8 text; save it as UTF-8.") from None
        for number, line in enumerate(text.split("\n"), start=1):  # numbered as an editor numbers them
            if "\x00" in line:
                raise StudioError(
                    f"--file {args.file} line {number} holds a NUL byte (\\x00); remove it and run again."
                )
        inputs += [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not inputs:
        raise StudioError('Give at least one emotion, e.g. studio emotion awe "a quiet, uneasy calm".')
    return inputs


def run(args) -> int:
    """Resolve every input in one process; a bad input is reported and the rest still print (exit 1 then)."""
    failed = 0
    for value in read_inputs(args):
        try:
            with collect_confidence() as seen:
                info = describe_emotion(value, taxonomy=args.taxonomy, scale=args.scale)
        except StudioError as exc:
            if args.taxonomy and "taxonomy" in str(exc) and "Unknown taxonomy" in str(exc):
                raise
            failed += 1
            print(f"studio: error: {exc}", file=sys.stderr)
            if args.json:
                print(json.dumps({"input": value, "error": str(exc)}, ensure_ascii=False))
            continue
        info["confidence"] = info["spec"]["confidence"] = confidence_of(seen)  # 0–1; 1 for labels and VAD points
        text = format_description(info) + f"\n  confidence {info['confidence']:.2f}\n"
        print(json.dumps(info, ensure_ascii=False) if args.json else text)
        sys.stdout.flush()
    return 1 if failed else 0
