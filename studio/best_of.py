"""Best-of-N: the closed loop at generation time. N candidates with seeds seed … seed+N−1, each scored by a
recognizer against the intended spec (eval.metrics.alignment_score), the best kept under the requested name, every
score recorded in its provenance. Candidates are written beside the target, so keeping one is an atomic rename.
"""

from __future__ import annotations

import os
from pathlib import Path

from conditioning.artifact import Artifact
from conditioning.errors import StudioError
from conditioning.spec import EmotionSpec


def choose_best(candidates: list[Artifact], spec: EmotionSpec, target: Path, recognizer: str | None = None) -> Artifact:
    """Score, keep the best at `target` (with its sidecar), delete the rest."""
    from eval.metrics import alignment_score
    from eval.recognizers.registry import get_recognizer

    if not candidates:
        raise StudioError("Best-of-N needs at least one candidate; use --best-of 1 or more.")
    modality = candidates[0].modality
    name, _, option = (recognizer or "").partition("=")
    recognize = get_recognizer(modality, name or None, option or None)
    scores = []
    for candidate in candidates:
        recognition = recognize(candidate.path)
        scores.append(
            {
                "seed": candidate.provenance["seed"],
                "score": round(alignment_score(spec, recognition), 4),
                "recognized_vad": list(recognition.vad),
            }
        )
    best_index = max(range(len(candidates)), key=lambda i: scores[i]["score"])
    best = candidates[best_index]
    record = dict(best.provenance)
    record["best_of"] = {
        "n": len(candidates),
        "recognizer": recognizer or f"{modality} default",
        "chosen_seed": scores[best_index]["seed"],
        "scores": scores,
    }
    chosen = Artifact(path=Path(target), modality=modality, provenance=record)
    os.replace(best.path, chosen.path)
    chosen.write_sidecar()
    for index, candidate in enumerate(candidates):
        if index != best_index:
            candidate.path.unlink(missing_ok=True)
        candidate.sidecar.unlink(missing_ok=True)
    return chosen


def candidate_path(target: Path, index: int) -> Path:
    """`out/joy.png` → `out/.joy.candidate-2.png` (hidden, so reports and galleries don't pick it up)."""
    target = Path(target)
    return target.with_name(f".{target.stem}.candidate-{index}{target.suffix}")
