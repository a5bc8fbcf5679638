"""`studio edit voice IN.wav -e EMOTION --out OUT.wav`: reshape the emotion of a recording."""

from __future__ import annotations

from pathlib import Path

from studio.api import edit_voice


def register(sub) -> None:
    parser = sub.add_parser("edit", help="reshape the emotion of an existing recording (voice)")
    parser.add_argument("modality", choices=["voice"])
    parser.add_argument("source", type=Path, help="the recording to reshape (WAV, FLAC)")
    parser.add_argument("-e", "--emotion", required=True, help="label, VAD triple or free text")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(run=run)


def run(args) -> int:
    artifact = edit_voice(args.source, args.emotion, out=args.out, seed=args.seed)
    changes = artifact.provenance["parameters"]["changes"]
    print(f"{artifact.path}  pitch {changes['pitch_shift_st']:+.1f} st, rate ×{changes['rate']:.2f}, "
          f"loudness {changes['loudness_db']:+.1f} dB, {changes['contour']} contour")  # fmt: skip
    return 0
