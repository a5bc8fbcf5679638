"""`studio eval <folder> [--recognizers image_judge,speech_features,...] [--taxonomy T] [--out DIR] [--json]`.

Scores every studio output under the folder against the intent in its sidecar and writes report.json, report.md
and report.html, each opening with the judges' cards (what they learned from, their agreement with people). Files
that cannot be scored are listed in the report; they do not fail the command.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.recognizers.registry import recognizer_names
from eval.report import DEFAULT_OUT, json_default
from studio.api import evaluate


def register(sub) -> None:
    parser = sub.add_parser("eval", help="score generated outputs with emotion recognizers and write a report")
    parser.add_argument("folder", type=Path, help="folder of studio outputs (media files with .json sidecars)")
    parser.add_argument(
        "--recognizers",
        default=None,
        help=f"comma list, name or modality:name, optionally =MODEL (a folder or head file); available: "
        f"{', '.join(recognizer_names())}; unnamed modalities keep the default learned judges",
    )
    parser.add_argument("--taxonomy", default="mikels8", help="taxonomy for top-1 accuracy and the confusion matrix")
    parser.add_argument("--out", type=Path, default=None, help=f"report folder (default FOLDER/{DEFAULT_OUT})")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the judges' cards, the metrics and what was skipped as one JSON object (the report is still written)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    report = evaluate(args.folder, args.out, recognizers=args.recognizers, taxonomy=args.taxonomy)
    result, paths = report.result, report.paths
    if args.json:
        keys = ("folder", "taxonomy", "judges", "metrics", "confusion", "labels", "skipped", "seconds")
        print(
            json.dumps(
                {**{k: result[k] for k in keys}, "report": str(paths["json"])}, ensure_ascii=False, default=json_default
            )
        )
        return 0
    overall = report.overall
    summary = f"evaluated {overall['n']} outputs, skipped {len(result['skipped'])}"
    if overall["n"]:
        summary += (
            f"; top-1 {overall['top1']:.2f}, quadrant {overall['quadrant']:.2f}, alignment {overall['alignment']:.2f}"
        )
    print(summary)
    print(f"report: {paths['html']} (also {paths['json'].name}, {paths['md'].name})")
    return 0
