"""A matched set: the image, the video (narrated with the text) and the voice of ONE resolved emotion, with one
record that links the three files and the spec they share — `studio generate all`, the app's "All three".

The emotion (or arc) is resolved once and that spec is handed to all three backends, so the sidecars cannot
disagree about what was asked for. Each option goes only to the backends that declare it (generators/options.py);
one that none of the three takes is refused before anything is made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from conditioning import resolve, resolve_arc
from conditioning.artifact import Artifact
from conditioning.atomic import check_writable_folder, write_text_atomic
from conditioning.errors import StudioError, brief
from generators.options import BY_NAME, EVERY_BACKEND
from generators.registry import DEFAULT_BACKENDS, get_backend

MODALITIES = ("image", "video", "voice")
RECORD_VERSION = 1


class MatchedSet(NamedTuple):
    """The three artifacts and the record that links them (unpacks as image, video, voice, record)."""

    image: Artifact
    video: Artifact
    voice: Artifact
    record: Path

    @property
    def artifacts(self) -> tuple[Artifact, Artifact, Artifact]:
        return self.image, self.video, self.voice


def parse_backends(text: str | None) -> dict[str, str]:
    """'image=diffusion,video=wan' → {modality: backend}; the ones not named keep their defaults."""
    backends = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        modality, sep, name = (s.strip() for s in part.partition("="))
        if not sep or modality not in MODALITIES or not name:
            raise StudioError(
                f"Backend {part!r} for a matched set must be MODALITY=NAME, e.g. --backend image=diffusion,video=wan."
            )
        backends[modality] = name
    return backends


def route_options(options: dict, modules: dict, backends: dict[str, str]) -> dict[str, dict]:
    """{modality: the options its backend takes}: generate()'s own by their declared modalities, a backend's to
    every chosen backend that names it; an option no backend takes is one StudioError."""
    routed: dict[str, dict] = {modality: {} for modality in MODALITIES}
    for name, value in options.items():
        declared = BY_NAME.get(name)
        if declared is None:
            raise StudioError(f"{brief(name)} is not a generation option; see studio generate --help for the list.")
        if name == "format":
            wanted = f".{str(value).lower().lstrip('.')}"
            takers = [m for m in MODALITIES if wanted in modules[m].SUFFIXES]
        elif declared.scope == "generate":
            takers = [m for m in MODALITIES if m in declared.modalities]
        else:
            takers = [m for m in MODALITIES if name in (getattr(modules[m], "OPTIONS", None) or ()) + EVERY_BACKEND]
        if not takers:
            chosen = ", ".join(f"{m}={backends[m]}" for m in MODALITIES)
            raise StudioError(
                f"None of the matched set's backends ({chosen}) takes {declared.flag}; choose one that does with "
                "--backend, e.g. image=diffusion, or leave the option out."
            )
        for modality in takers:
            routed[modality][name] = value
    return routed


def generate_all(
    emotion=None,
    *,
    text: str = "",
    seed: int = 0,
    out: str | Path | None = None,
    arc=None,
    taxonomy: str | None = None,
    backends: dict[str, str] | None = None,
    words: str | None = None,
    modality_options: dict[str, dict] | None = None,
    on_made: Callable[[str, Artifact], None] | None = None,
    **options,
) -> MatchedSet:
    """The image, the video narrated with `words` and the voice speaking them, from one resolved spec (and arc,
    which video and voice follow), written into the folder `out` with `<stem>-set.json` linking them.

    text: the picture's subject, and the words too unless `words` is given (the app asks for both). options go to
    the backends that declare them; modality_options[m] to modality m's backend alone (the app's image and video
    sizes differ). on_made(modality, artifact) is called as each is written, for a progress display."""
    from studio.api import DEFAULT_OUTPUT, generate, slug  # studio.api re-exports this function

    if emotion is None and arc is None:
        raise StudioError("Give an emotion (label, VAD or text) or an arc such as 'calm:0,dread:4'.")
    words = str(words if words is not None else text or "").strip()
    if not words:
        raise StudioError(
            'A matched set needs --text: the subject of the picture and the words spoken, e.g. --text "a lighthouse".'
        )
    backends = {**DEFAULT_BACKENDS, **(backends or {})}
    unknown = (set(backends) | set(modality_options or {})) - set(MODALITIES)
    if unknown:
        raise StudioError(f"Modality {brief(sorted(unknown)[0])} is not image, video or voice.")
    modules = {modality: get_backend(modality, backends[modality]) for modality in MODALITIES}
    arc_obj = resolve_arc(arc) if arc is not None else None
    spec = resolve(emotion, taxonomy=taxonomy) if emotion is not None else arc_obj.keys[0][1]
    routed = route_options(options, modules, backends)
    for modality, own in (modality_options or {}).items():
        routed[modality].update(own)
    narrates = "voice" in (getattr(modules["video"], "OPTIONS", None) or ())
    if narrates and _suffix(modules["video"], routed["video"]) == ".mp4":
        routed["video"].setdefault("voice", words)
    stem = f"{slug(emotion if emotion is not None else arc)}-{seed}"
    folder = Path(out) if out is not None else DEFAULT_OUTPUT / "all" / stem
    if folder.suffix:
        raise StudioError(
            f"--out {str(folder)!r} for a matched set must be a folder (three files go in it), e.g. awe/."
        )
    check_writable_folder(folder / "probe")
    made = {}
    for modality in MODALITIES:
        suffix = _suffix(modules[modality], routed[modality])
        follows_arc = arc_obj is not None and modality != "image"
        made[modality] = generate(
            modality,
            spec if emotion is not None or not follows_arc else None,
            text=words if modality == "voice" else text,
            seed=seed,
            out=folder / f"{stem}-{modality}{suffix}",
            backend=backends[modality],
            arc=arc_obj if follows_arc else None,
            **routed[modality],
        )
        if on_made is not None:
            on_made(modality, made[modality])
    record = folder / f"{stem}-set.json"
    link = _record(spec, arc_obj, text, words, seed, made, backends, routed)
    write_text_atomic(record, json.dumps(link, indent=2) + "\n")
    return MatchedSet(made["image"], made["video"], made["voice"], record)


def _suffix(module, options: dict) -> str:
    return module.SUFFIXES[0] if options.get("format") is None else f".{str(options['format']).lower().lstrip('.')}"


def _record(spec, arc, text: str, words: str, seed: int, made: dict, backends: dict, routed: dict) -> dict:
    """The link: the shared spec (and arc), the inputs, and each file with its sidecar, named relative to the record
    so the folder can move."""
    return {
        "kind": "matched_set",
        "version": RECORD_VERSION,
        "spec": spec.to_dict(),
        "arc": arc.to_dict() if arc is not None else None,
        "text": text,
        "words": words,
        "seed": seed,
        "files": {
            modality: {
                "path": artifact.path.name,
                "sidecar": artifact.sidecar.name,
                "backend": backends[modality],
                "options": json.loads(json.dumps(routed[modality], default=str)),
            }
            for modality, artifact in made.items()
        },
    }
