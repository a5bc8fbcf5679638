"""`studio taxonomies [--json]`: the label sets the studio knows, with sources."""

from __future__ import annotations

import json

from conditioning.taxonomies import CANONICAL_TAXONOMY, TAXONOMIES


def register(sub) -> None:
    parser = sub.add_parser("taxonomies", help="list the emotion taxonomies and their labels")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args) -> int:
    for tax in TAXONOMIES.values():
        if args.json:
            print(
                json.dumps(
                    {
                        "name": tax.name,
                        "title": tax.title,
                        "labels": list(tax.labels),
                        "source": tax.source,
                        "note": tax.note,
                        "canonical": tax.name == CANONICAL_TAXONOMY,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        mark = "  (canonical)" if tax.name == CANONICAL_TAXONOMY else ""
        print(
            f"{tax.name:<14} {tax.title}{mark}\n  {', '.join(tax.labels)}\n  source: {tax.source}"
            + (f"\n  note: {tax.note}" if tax.note else "")
            + "\n"
        )
    return 0
