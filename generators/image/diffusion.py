"""The diffusion image backend: any diffusers text-to-image pipeline (SD 1.5, SDXL, SD3.5, FLUX) steered by emotion.

Four kinds of conditioning, all combinable:
1. prompt composition — subject + emotion + EmoArt attribute phrases + a negative prompt, fit to the token limit
   (`prompt_compose`); option `plain` turns it off and sends the user's text verbatim;
2. LoRAs — `lora=["awe=awe.safetensors", "watercolor=w.safetensors@0.7", …]`: emotion LoRAs blended by the spec's
   categories and intensity, style LoRAs at a fixed weight beside them; files, diffusers folders, kohya files
   (`lora_blend`);
3. a continuous VAD adapter that edits the prompt embeddings (`vad_adapter`, EmotiCrafter-style);
4. procedural init — the procedural painter's picture as the img2img start (`init="procedural"`, `strength`).
With all four off (plain=True, no LoRA, no adapter, no init) the call is exactly the plain diffusers call with the
same prompt, seed and steps, so the pixels match (bench/diffusion_overhead.py measures it). Seeds drive a CPU
`torch.Generator`, so a seed gives the same noise on every device. PNGs use zlib level 1: on a 1024 px picture it
encodes in ~2/3 the time of level 3 for ~10 % more bytes, and encoding is most of what the studio adds to a call.

Speed options, off by default and recorded in provenance: `compile` (torch.compile of the UNet/transformer; true or a
mode such as "max-autotune"; the first call pays the compilation, and results may differ from eager by float
rounding), `channels_last` (UNet and VAE weights in channels-last layout: faster convolutions on recent GPUs) and
`vae_tiling` (decode in overlapping tiles: bounded memory for large sizes; a picture smaller than one tile decodes
exactly as without it). tests/test_diffusion_speed_flags.py bounds each one's difference on the tiny SD.
"""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from PIL import Image, PngImagePlugin

from conditioning.artifact import Artifact, package_version, provenance
from conditioning.atomic import atomic_path
from conditioning.background_writes import run_or_defer
from conditioning.errors import StudioError
from conditioning.visual_style import visual_style
from generators.image.batch_invariant import single_run_numbers
from generators.image.diffusion_loading import img2img, load_pipeline
from generators.image.painter import make_genes, paint
from generators.image.prompt_compose import compose
from generators.image.prompt_embeds import adapted_embeds
from generators.image.vad_adapter import load_adapter
from generators.lora_blend import apply_loras, lora_weights, parse_loras
from generators.options import DIFFUSERS_OPTIONS
from generators.request import GenerationRequest, check_output, number_option, parse_size
from generators.speed_flags import apply_speed, compile_mode

SUFFIXES = (".png",)
BACKEND = "diffusion"
OPTIONS = (*DIFFUSERS_OPTIONS, "init", "strength", "vad_adapter", "vae_tiling")
DEFAULT_STRENGTH = 0.6
SPEED_KEYS = ("compile", "channels_last", "vae_tiling")


def check_size(pipe, size) -> tuple[int, int] | None:
    """None keeps the model's native size; sides must be multiples of what the latent grid needs."""
    if size is None:
        return None
    width, height = parse_size(size)
    multiple = pipe.vae_scale_factor * (2 if hasattr(pipe, "transformer") else 1)  # SD3/FLUX pack 2×2 patches
    if width % multiple or height % multiple:
        fixed = f"{round(width / multiple) * multiple or multiple}x{round(height / multiple) * multiple or multiple}"
        raise StudioError(
            f"Size {width}x{height}: this model needs sides that are multiples of {multiple}; use {fixed}."
        )
    return width, height


def native_size(pipe) -> tuple[int, int]:
    denoiser = getattr(pipe, "unet", None) or pipe.transformer
    side = int(denoiser.config.sample_size) * pipe.vae_scale_factor
    return side, side


def init_image(request: GenerationRequest, source: str, size: tuple[int, int]) -> Image.Image:
    """The img2img start: the procedural painting of the same spec and seed, or an image file resized to `size`."""
    if source == "procedural":
        return paint(visual_style(request.spec), size, make_genes(request.seed), request.text)
    path = Path(source).expanduser()
    try:
        with Image.open(path) as img:
            return img.convert("RGB").resize(size, Image.LANCZOS)
    except (OSError, ValueError):
        raise StudioError(f"--init {source!r} is neither 'procedural' nor a readable image file.") from None


def _default(call, name: str):
    param = inspect.signature(call).parameters.get(name)
    return None if param is None else param.default


@dataclass
class Prepared:
    """One request checked, composed and turned into pipeline arguments; what `render` and `write` need."""

    request: GenerationRequest
    out: Path
    call: object
    kwargs: dict
    composed: object
    weights: dict
    loras: dict
    parameters: dict
    load_s: float

    @property
    def batch_key(self) -> tuple | None:
        """Requests with equal keys can share one denoising batch; None: this one runs alone (LoRA weights, the
        VAD adapter's embeddings and img2img inputs are per request)."""
        if self.loras or self.parameters["vad_adapter"] or self.parameters["init"]:
            return None
        shared = {k: v for k, v in self.kwargs.items() if k not in ("prompt", "negative_prompt", "generator")}
        shared.update(speed=self.speed)
        return (id(self.call), json.dumps(shared, sort_keys=True, default=str))

    @property
    def speed(self) -> dict:
        """The speed settings (`apply_speed`) this request asks for."""
        return {k: self.parameters[k] for k in SPEED_KEYS}


def prepare(request: GenerationRequest) -> tuple[Prepared, object]:
    """Validate, load (or reuse) the pipeline, compose the prompt and build the call's arguments; also returns
    the cached pipeline entry (LoRAs are applied to it just before the call)."""
    out = check_output(request.out, SUFFIXES)
    options, spec = request.options, request.spec
    allow_pickle, plain = bool(options.get("allow_pickle")), bool(options.get("plain"))
    loras = parse_loras(options.get("lora"), allow_pickle)
    steps = number_option(options, "steps", int, 1, 1000)
    guidance = number_option(options, "guidance", float, 0, 100)
    strength = number_option(options, "strength", float, 0.01, 1)
    init = options.get("init")
    if strength is not None and not init:
        raise StudioError("--strength sets how far img2img moves from --init; give --init procedural or an image.")
    if init and init != "procedural" and not Path(init).expanduser().is_file():
        raise StudioError(f"--init {init!r} is neither 'procedural' nor an existing image file.")
    adapter_path = options.get("vad_adapter")
    speed = {
        "compile": compile_mode(options.get("compile")),
        "channels_last": bool(options.get("channels_last")),
        "vae_tiling": bool(options.get("vae_tiling")),
    }

    start = time.perf_counter()
    loaded, device, dtype = load_pipeline(
        options.get("model"), options.get("device"), options.get("dtype"), bool(options.get("offload")), allow_pickle
    )
    load_s = time.perf_counter() - start
    pipe = loaded.pipe
    size = check_size(pipe, request.size) or native_size(pipe)
    adapter = load_adapter(adapter_path, device, dtype) if adapter_path else None
    composed = compose(spec, request.text, pipe, options.get("negative"), plain)
    params = inspect.signature(pipe.__call__).parameters
    if "negative_prompt" not in params or "true_cfg_scale" in params:  # FLUX: a negative needs 2x-cost true CFG
        composed = replace(composed, negative=None)
    weights = lora_weights(spec, loras)

    call = img2img(loaded) if init else pipe
    steps = steps or _default(call.__call__, "num_inference_steps")
    guidance = guidance if guidance is not None else _default(call.__call__, "guidance_scale")
    kwargs = {"num_inference_steps": steps, "generator": torch.Generator("cpu").manual_seed(request.seed)}
    if guidance is not None:
        kwargs["guidance_scale"] = guidance
    if init:
        strength = strength if strength is not None else DEFAULT_STRENGTH
        if int(steps * strength) < 1:
            raise StudioError(f"--steps {steps} × --strength {strength:g} leaves no denoising step; raise either.")
        kwargs.update(image=init_image(request, init, size), strength=strength)
    else:
        kwargs.update(width=size[0], height=size[1])
    if adapter is not None:
        kwargs.update(adapted_embeds(call, composed.prompt, composed.negative, device, adapter, spec.vad))
    else:
        kwargs["prompt"] = composed.prompt
        if composed.negative is not None:
            kwargs["negative_prompt"] = composed.negative
    parameters = {
        "text": request.text,
        **composed.to_dict(),
        "plain": plain,
        "steps": steps,
        "guidance": guidance,
        "loras": {name: lora.to_record(weights[name]) for name, lora in loras.items()},
        "vad_adapter": str(Path(adapter_path).expanduser().resolve()) if adapter_path else None,
        "init": init,
        "strength": strength if init else None,
        "pipeline": type(call).__name__,
        "device": str(device),
        "dtype": str(dtype).removeprefix("torch."),
        "attention": loaded.attention,
        "offload": bool(options.get("offload")),
        **speed,
    }
    return Prepared(request, out, call, kwargs, composed, weights, loras, parameters, load_s), loaded


def generate(request: GenerationRequest) -> Artifact:
    """Load (or reuse) the pipeline, apply the conditioning, denoise, and write PNG + sidecar atomically."""
    prepared, loaded = prepare(request)
    apply_loras(loaded, prepared.loras, prepared.weights)
    apply_speed(loaded, prepared.call, **prepared.speed)
    render_start = time.perf_counter()
    image = prepared.call(**prepared.kwargs).images[0]
    return write(prepared, image, time.perf_counter() - render_start)


def generate_many(requests: list[GenerationRequest]) -> list[Artifact]:
    """Several requests; those that share a model and settings run as one denoising batch.

    The pipeline gets lists of prompts, negatives and CPU generators: diffusers draws each latent (and each
    scheduler noise) from its own generator with the single-image shape, so every image starts from the noise its
    single run would, and the classifier-free-guidance halves of all of them go through the UNet together. On the
    tiny SD the PNG bytes equal the single runs' (tests/test_batch_diffusion.py); a GPU kernel chosen for a larger
    batch may round differently, which `bench/gpu_image.py` reports."""
    if len(requests) <= 1:
        return [generate(r) for r in requests]
    prepared = [prepare(r) for r in requests]
    keys = {p.batch_key for p, _ in prepared}
    if None in keys or len(keys) > 1:
        return [generate(r) for r in requests]
    loaded = prepared[0][1]
    apply_loras(loaded, {}, {})
    first = prepared[0][0]
    apply_speed(loaded, first.call, **first.speed)
    kwargs = dict(first.kwargs)
    kwargs["prompt"] = [p.kwargs["prompt"] for p, _ in prepared]
    kwargs["generator"] = [p.kwargs["generator"] for p, _ in prepared]
    if "negative_prompt" in first.kwargs:
        kwargs["negative_prompt"] = [p.kwargs["negative_prompt"] for p, _ in prepared]
    render_start = time.perf_counter()
    with single_run_numbers(first.call, len(prepared)):
        images = first.call(**kwargs).images
    share = (time.perf_counter() - render_start) / len(prepared)
    return [write(p, image, share, batch=len(prepared)) for (p, _), image in zip(prepared, images)]


def write(prepared: Prepared, image: Image.Image, render_s: float, batch: int = 1) -> Artifact:
    """PNG (provenance in a text chunk) and sidecar, both atomically; inside `background_writes()` on a writer
    thread, so the caller must take the write's future before treating the file as there."""
    request, spec = prepared.request, prepared.request.spec
    options = request.options
    parameters = {"size": list(image.size), **prepared.parameters}
    record = provenance(
        request=request.to_record(),
        modality="image",
        spec=spec.to_dict(),
        backend=BACKEND,
        model=str(options.get("model")),
        seed=request.seed,
        styles={"visual": visual_style(spec).to_dict()},
        parameters=parameters,
        timings={"load_s": round(prepared.load_s, 4), "render_s": round(render_s, 4), "batch": batch},
    )
    record["versions"].update(diffusers=package_version("diffusers"), torch=torch.__version__)
    reproducible = {
        k: record[k] for k in ("modality", "spec", "styles", "backend", "model", "seed", "parameters", "versions")
    }
    info = PngImagePlugin.PngInfo()
    info.add_text("emotion-studio", json.dumps(reproducible, ensure_ascii=False))
    artifact = Artifact(path=prepared.out, modality="image", provenance=record)

    def encode_and_write() -> None:
        write_start = time.perf_counter()
        with atomic_path(prepared.out) as tmp:
            image.save(tmp, format="PNG", pnginfo=info, compress_level=1)
        record["timings"]["write_s"] = round(time.perf_counter() - write_start, 4)  # sidecar only, not the PNG
        artifact.write_sidecar()

    run_or_defer(prepared.out, encode_and_write)  # a batch run denoises the next batch meanwhile
    return artifact
