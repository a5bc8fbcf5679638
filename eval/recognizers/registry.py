"""Recognizers by (modality, name) → module path, imported only when asked for (like generators/registry.py).

Every recognizer module exposes `recognize(path, **options) -> Recognition`; neural judges also name the packages
they need (REQUIRES) and their one user option (OPTION: the model folder or head file), so `--recognizers
clip_zero_shot=/models/clip` works. A missing package fails at once, naming the extra to install.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

from conditioning.errors import StudioError

RECOGNIZERS: dict[tuple[str, str], tuple[str, str]] = {
    ("image", "image_features"): ("eval.recognizers.image_features", ""),
    ("video", "video_features"): ("eval.recognizers.video_features", ""),
    ("voice", "speech_features"): ("eval.recognizers.speech_features", ""),
    ("image", "clip_zero_shot"): ("eval.recognizers.clip_zero_shot", "image"),
    ("image", "clip_linear_probe"): ("eval.recognizers.clip_linear_probe", "image"),
    ("voice", "speech_classifier"): ("eval.recognizers.speech_classifier", "voice"),
    ("voice", "emotion2vec"): ("eval.recognizers.emotion2vec", "funasr"),
}
"""(modality, name) → (module, what provides its dependencies: an emotion-studio extra, or a package name)."""

DEFAULT_RECOGNIZERS = {"image": "image_features", "video": "video_features", "voice": "speech_features"}
EXTRAS = {"image", "video", "voice", "train", "app", "gpu", "dev", "text"}


def recognizer_names(modality: str | None = None) -> list[str]:
    return [name for (mod, name) in RECOGNIZERS if modality in (None, mod)]


def install_hint(extra: str) -> str:
    return f"pip install 'emotion-studio[{extra}]'" if extra in EXTRAS else f"pip install {extra}"


def get_module(modality: str, name: str | None = None):
    """The recognizer module, imported now; unknown names and missing dependencies → one StudioError."""
    if modality not in DEFAULT_RECOGNIZERS:
        raise StudioError(f"Unknown modality {modality!r}; use image, video or voice.")
    name = name or DEFAULT_RECOGNIZERS[modality]
    if (modality, name) not in RECOGNIZERS:
        raise StudioError(
            f"Unknown {modality} recognizer {name!r}; available: {', '.join(recognizer_names(modality))}."
        )
    module_name, extra = RECOGNIZERS[(modality, name)]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StudioError(f"The {modality} recognizer {name!r} needs {exc.name}; {install_hint(extra)}.") from None
    missing = [pkg for pkg in getattr(module, "REQUIRES", ()) if importlib.util.find_spec(pkg) is None]
    if missing:
        raise StudioError(f"The {modality} recognizer {name!r} needs {', '.join(missing)}; {install_hint(extra)}.")
    return module


def get_recognizer(modality: str, name: str | None = None, option: str | None = None) -> Callable:
    """A callable path → Recognition; `option` fills the module's OPTION (model folder, head file)."""
    module = get_module(modality, name)
    if option is None:
        return module.recognize
    if not getattr(module, "OPTION", None):
        raise StudioError(f"Recognizer {module.NAME!r} takes no option; drop '={option}'.")
    return functools.partial(module.recognize, **{module.OPTION: option})


def parse_recognizers(text: str | None) -> dict[str, tuple[str, str | None]]:
    """'image_features,clip_zero_shot=/m/clip,voice:speech_classifier' → {modality: (name, option)}; modalities
    not named keep their defaults."""
    chosen: dict[str, tuple[str, str | None]] = {m: (n, None) for m, n in DEFAULT_RECOGNIZERS.items()}
    for item in [p.strip() for p in (text or "").split(",") if p.strip()]:
        head, _, option = item.partition("=")
        modality, _, name = head.rpartition(":")
        homes = [m for (m, n) in RECOGNIZERS if n == name and modality in ("", m)]
        if not homes:
            raise StudioError(f"Unknown recognizer {head!r}; available: {', '.join(recognizer_names())}.")
        option = option.strip() or None
        if option and Path(option).expanduser().exists():
            option = str(Path(option).expanduser())
        elif option and option.startswith(("/", "./", "../", "~")):  # a path, not a hub id: a judge that cannot load
            raise StudioError(f"Recognizer {name} model folder {option!r} does not exist; pass a folder that holds it.")
        chosen[homes[0]] = (name, option)
    return chosen
