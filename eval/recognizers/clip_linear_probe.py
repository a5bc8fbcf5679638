"""Neural image judge, EmoGen-style: CLIP image features → a linear head over emotion labels (EmoGen reports
8-class accuracy with ViT-L/14 features and a 768→8 head, FACTS §4).

The head is a safetensors file with `weight` [n_labels, dim] and `bias` [n_labels]; its metadata carries `labels`
(a JSON list, in row order), optionally `clip_model` (the backbone it was trained on), `taxonomy`, and
`normalize` ("true": unit-length features, the default; "false": raw projected features).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from conditioning import StudioError
from eval.recognition import Recognition
from eval.recognizers.clip_zero_shot import DEFAULT_MODEL, features, load_clip
from eval.recognizers.judged import from_label_probs

NAME = "clip_linear_probe"
REQUIRES = ("transformers", "torch", "safetensors")
OPTION = "head"


@functools.lru_cache(maxsize=4)
def load_head(head: str):
    """(weight, bias, metadata) from a safetensors head; a missing or malformed head → StudioError."""
    from safetensors import safe_open

    if not Path(head).is_file():
        raise StudioError(
            f"Linear-probe head {head!r} not found; pass the .safetensors file: {NAME}=/path/head.safetensors."
        )
    with safe_open(head, framework="pt") as handle:
        meta = handle.metadata() or {}
        keys = set(handle.keys())
        if not {"weight", "bias"} <= keys:
            raise StudioError(f"Head {head} needs tensors 'weight' and 'bias'; it has {sorted(keys)}.")
        weight, bias = handle.get_tensor("weight"), handle.get_tensor("bias")
    try:
        labels = json.loads(meta["labels"])
    except (KeyError, json.JSONDecodeError):
        raise StudioError(f"Head {head} needs metadata 'labels' (a JSON list of {weight.shape[0]} names).") from None
    if len(labels) != weight.shape[0] or bias.shape[0] != weight.shape[0]:
        raise StudioError(
            f"Head {head}: {len(labels)} labels but weight {tuple(weight.shape)} / bias {tuple(bias.shape)}."
        )
    return weight.float(), bias.float(), {**meta, "labels": labels}


def label_probabilities(image, head: str, model: str | None = None, device: str = "cpu") -> dict:
    import torch

    weight, bias, meta = load_head(head)
    clip, processor = load_clip(model or meta.get("clip_model") or DEFAULT_MODEL, device)
    pixels = processor(images=image, return_tensors="pt")["pixel_values"].to(device)
    with torch.inference_mode():
        emb = features(clip.get_image_features(pixel_values=pixels)).float()
        if meta.get("normalize", "true").lower() != "false":
            emb = emb / emb.norm(dim=-1, keepdim=True)
        if emb.shape[-1] != weight.shape[1]:
            raise StudioError(
                f"Head {head} expects {weight.shape[1]}-d features; the CLIP model gives {emb.shape[-1]}."
            )
        probs = (emb @ weight.to(device).T + bias.to(device)).softmax(dim=-1)[0]
    return dict(zip(meta["labels"], probs.tolist()))


def recognize(path: Path, head: str | None = None, model: str | None = None, device: str = "cpu") -> Recognition:
    from PIL import Image

    if not head:
        raise StudioError(f"{NAME} needs a head: --recognizers {NAME}=/path/head.safetensors.")
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    meta = load_head(str(head))[2]
    probs = label_probabilities(rgb, str(head), model, device)
    return from_label_probs(NAME, probs, taxonomy=meta.get("taxonomy"), attributes={"head": Path(head).name})
