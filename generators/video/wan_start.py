"""The first frame of an image-to-video clip: a user's image, or a still made for the same emotion by an image backend
(the procedural painter, or the diffusion backend) — so one emotion gives a matching still and clip.

Stills are made through the backend registry with the clip's spec, subject text, seed and size and kept beside the
clip as `<name>-still.png` (with their own sidecar), so the pair can be shown and scored together. The diffusion still takes the model named by
option `image_model` and its own `image_steps` (an image model's good step count is not the video model's). A user's image is
centre-cropped to the clip's aspect ratio before resizing: Wan's own preprocessing would stretch it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from conditioning.errors import StudioError
from generators.registry import get_backend
from generators.request import GenerationRequest

SOURCES = ("procedural", "diffusion")
STILL_SUFFIX = "-still.png"


def still_path(out: Path) -> Path:
    return Path(out).with_name(Path(out).stem + STILL_SUFFIX)


def start_image(request: GenerationRequest, source: str, size: tuple[int, int], out: Path) -> tuple[Image.Image, dict]:
    """(RGB image at `size`, what made it, for provenance)."""
    if source in SOURCES:
        return _made_still(request, source, size, still_path(out))
    path = Path(source).expanduser()
    try:
        with Image.open(path) as img:
            image = ImageOps.fit(img.convert("RGB"), size, Image.LANCZOS)
    except (OSError, ValueError):
        raise StudioError(
            f"--i2v-from {source!r} is neither procedural, diffusion nor a readable image file."
        ) from None
    return image, {"source": "image", "path": str(path.resolve())}


def _made_still(request: GenerationRequest, source: str, size: tuple[int, int], out: Path) -> tuple[Image.Image, dict]:
    options = {}
    if source == "diffusion":
        model = request.options.get("image_model")
        if not model:
            raise StudioError(
                "--i2v-from diffusion makes the first frame with the diffusion image backend; name its model with "
                "image_model (e.g. --image-model stabilityai/stable-diffusion-xl-base-1.0)."
            )
        options.update(model=model, **{k: request.options[k] for k in ("device", "dtype") if request.options.get(k)})
        if request.options.get("image_steps") is not None:
            options["steps"] = request.options["image_steps"]
    try:
        backend = get_backend("image", source)
    except StudioError as exc:
        raise StudioError(f"--i2v-from {source} needs the {source} image backend: {exc}") from None
    still = GenerationRequest(
        spec=request.spec, out=out, text=request.text, seed=request.seed, size=size, options=options
    )
    artifact = backend.generate(still)
    with Image.open(artifact.path) as img:
        image = img.convert("RGB")
    if image.size != size:
        image = ImageOps.fit(image, size, Image.LANCZOS)
    return image, {"source": source, "path": str(artifact.path), "model": artifact.provenance.get("model")}
