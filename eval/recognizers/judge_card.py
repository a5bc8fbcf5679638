"""A judge's card: what it was trained or checked on, how well it agrees with people there, and its licence.

Every report shows the card of each judge that scored it (and `studio eval --json` prints them), so a reader knows
how far to trust a number. A card is plain JSON:

    {"name": "image_judge", "modality": "image", "kind": "learned" | "heuristic",
     "model": "what computes it (backbone + head)",
     "trained_on": "human data it learned from (or '' for a heuristic)",
     "validated_on": "human data and protocol of the agreement figures, e.g. '5-fold CV by image, OASIS 600'",
     "agreement": {"valence_r": 0.66, "arousal_r": 0.61, "top1": 0.52, "chance_top1": 0.125, ...},
     "confusion": {"labels": [...], "matrix": [[...]]}        (optional; rows = what people meant),
     "licence": "of the head file / the data it derives from", "notes": "caveats a reader should know"}

Learned judges keep their card inside the head file's safetensors metadata under "card" (written by the training
script that measured it), so the figures travel with the weights they describe. Heuristic judges have no head:
their card is a constant in their module, measured by the same training script on the same human data.
"""

from __future__ import annotations

import json
from pathlib import Path

from conditioning.errors import StudioError

CARD_KEYS = ("name", "modality", "kind", "model", "trained_on", "validated_on", "agreement", "licence", "notes")


def read_head_file(head, title: str, arrays: bool = True) -> tuple[dict, dict]:
    """(numpy arrays, metadata) of a judge's safetensors head (never pickle); a missing or unreadable file → one
    StudioError sentence. title: what the head is for, as the message should name it ("Speech judge head")."""
    from safetensors import SafetensorError, safe_open

    if not Path(head).is_file():
        raise StudioError(f"{title} {head} not found; pass an existing .safetensors file.")
    try:
        with safe_open(str(head), framework="np") as handle:
            meta = handle.metadata() or {}
            tensors = {k: handle.get_tensor(k) for k in handle.keys()} if arrays else {}
    except (OSError, ValueError, RuntimeError, SafetensorError) as exc:
        raise StudioError(f"Cannot read {title.lower()} {Path(head).name}: {exc}.") from None
    return tensors, meta


def read_head_card(head: Path) -> dict:
    """The card stored in a head file's metadata; a head without one → StudioError."""
    _, meta = read_head_file(head, "Judge head", arrays=False)
    try:
        card = json.loads(meta["card"])
    except (KeyError, json.JSONDecodeError):
        raise StudioError(f"Judge head {Path(head).name} carries no card in its metadata; retrain it.") from None
    if not isinstance(card, dict):
        raise StudioError(f"Judge head {Path(head).name}: its card is not a JSON object; retrain it.")
    return card


def fallback_card(card: dict, wanted: str, reason: str) -> dict:
    """The card of the judge that stood in for `wanted`, saying why (shown at the top of the report)."""
    return {**card, "stands_in_for": wanted, "fallback_reason": reason}


def card_line(card: dict) -> str:
    """One line for a report header: name, what it learned from, agreement figures, licence."""
    agreement = ", ".join(
        f"{k} {v:.2f}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in (card.get("agreement") or {}).items()
    )
    parts = [f"{card.get('name', '?')} ({card.get('kind', '?')})"]
    if card.get("trained_on"):
        parts.append(f"trained on {card['trained_on']}")
    if card.get("validated_on"):
        parts.append(f"agreement with people ({card['validated_on']}): {agreement or 'not measured'}")
    if card.get("licence"):
        parts.append(f"licence {card['licence']}")
    line = "; ".join(parts)
    if card.get("applies_to"):
        line = f"{line} — for {card['applies_to']}"
    if isinstance(card.get("single_clips"), dict):
        line = f"{line}; other clips: {card_line(card['single_clips'])}"
    if card.get("fallback_reason"):
        line = f"{card['stands_in_for']} unavailable ({card['fallback_reason']}); scored by {line}"
    return line
