"""The Python API: one verb per modality, same shape as the CLI, and `evaluate` to score what was made.

from studio import generate_image
artifact = generate_image("awe", text="a lighthouse", seed=3, size="512x512", out="awe.png")
report = evaluate("studio-output")  # report.overall["alignment"], report.paths["html"]
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from conditioning import resolve, resolve_arc
from conditioning.artifact import Artifact
from conditioning.background_writes import immediate_writes
from conditioning.errors import StudioError
from eval.report import EvaluationReport, evaluate  # noqa: F401  (the API's evaluate: eval/report.py)
from generators.registry import check_options, get_backend
from generators.request import GenerationRequest, check_seed
from studio.best_of import candidate_path, choose_best
from studio.matched_set import MatchedSet, generate_all  # noqa: F401  (image, video and voice of one spec)

DEFAULT_OUTPUT = Path("studio-output")


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe short form of an emotion or phrase."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "emotion"


def default_out(modality: str, emotion, seed: int, suffix: str) -> Path:
    return DEFAULT_OUTPUT / modality / f"{slug(emotion)}-{seed}{suffix}"


def build_request(
    modality: str,
    emotion=None,
    *,
    text: str = "",
    seed: int = 0,
    size=None,
    duration: float | None = None,
    fps: int | None = None,
    out: str | Path | None = None,
    backend: str | None = None,
    arc=None,
    taxonomy: str | None = None,
    **options,
):
    """(backend module, GenerationRequest): the emotion (or arc) resolved and everything checked before any work."""
    module = get_backend(modality, backend)
    if emotion is None and arc is None:
        raise StudioError("Give an emotion (label, VAD or text) or an arc such as 'calm:0,dread:4'.")
    arc_obj = resolve_arc(arc) if arc is not None else None
    spec = resolve(emotion, taxonomy=taxonomy) if emotion is not None else arc_obj.keys[0][1]
    seed = check_seed(seed)
    check_options(module, modality, backend, options)
    suffix = module.SUFFIXES[0] if options.get("format") is None else f".{options['format'].lstrip('.')}"
    target = (
        Path(out) if out is not None else default_out(modality, emotion if emotion is not None else arc, seed, suffix)
    )
    request = GenerationRequest(
        spec=spec,
        out=target,
        text=text or "",
        seed=seed,
        arc=arc_obj,
        size=size,
        duration=duration,
        fps=fps,
        options=dict(options),
    )
    return module, request


def generate(modality: str, emotion=None, *, best_of: int = 1, recognizer: str | None = None, **kwargs) -> Artifact:
    """Resolve the emotion (or arc), build the request and run the backend; returns the written Artifact.

    kwargs: text, seed, size, duration, fps, out, backend, arc, taxonomy and the backend's options.
    best_of > 1 makes that many candidates (seeds seed, seed+1, …), scores each with `recognizer` (default: the
    modality's feature recognizer) against the intended spec and keeps the best (see studio/best_of.py)."""
    module, request = build_request(modality, emotion, **kwargs)
    if not isinstance(best_of, int) or not 1 <= best_of <= 64:
        raise StudioError(f"--best-of {best_of!r} must be a whole number from 1 to 64.")
    if best_of == 1:
        return module.generate(request)
    with immediate_writes():  # the candidates are read back and scored straight away
        candidates = [
            module.generate(replace(request, seed=(request.seed + k) % 2**32, out=candidate_path(request.out, k)))
            for k in range(best_of)
        ]
        return choose_best(candidates, request.spec, request.out, recognizer)


def generate_many(calls: list[dict]) -> list[Artifact]:
    """Several `generate(modality=…, …)` calls, in order. When all are for one backend that offers `generate_many`
    (the diffusion backend), it gets them together and denoises them as one batch; the bytes equal single calls'."""
    built = []
    for call in calls:
        call = dict(call)
        if call.pop("best_of", 1) != 1:
            raise StudioError("A batched call makes one output per job; run best-of-N jobs with generate(best_of=…).")
        call.pop("recognizer", None)
        built.append(build_request(call.pop("modality"), call.pop("emotion", None), **call))
    modules = {id(module) for module, _ in built}
    if len(modules) == 1 and hasattr(built[0][0], "generate_many"):
        return built[0][0].generate_many([request for _, request in built])
    return [module.generate(request) for module, request in built]


def generate_image(emotion, **kwargs) -> Artifact:
    """An image that carries `emotion` (procedural painter by default)."""
    return generate("image", emotion, **kwargs)


def generate_video(emotion=None, **kwargs) -> Artifact:
    """A video that carries `emotion` or follows `arc=` (procedural animator by default)."""
    return generate("video", emotion, **kwargs)


def generate_voice(emotion=None, *, text: str, **kwargs) -> Artifact:
    """Speech of `text` in the voice of `emotion` or following `arc=` (eSpeak NG by default)."""
    return generate("voice", emotion, text=text, **kwargs)


def edit_voice(source, emotion, *, out, seed: int = 0, taxonomy: str | None = None) -> Artifact:
    """Any recording reshaped to speak with `emotion` (its words and speaker kept); see generators/voice/emotion_edit."""
    from generators.voice.emotion_edit import edit_recording

    return edit_recording(Path(source), resolve(emotion, taxonomy=taxonomy), Path(out), seed=check_seed(seed))
