"""Recognizers by (modality, name) → module path, imported only when asked for (like generators/registry.py).

Every recognizer module exposes `recognize(path, **options) -> Recognition` and `card()` (what it learned from and
how well it agrees with people, judge_card.py); neural judges also name the packages they need (REQUIRES) and their
one user option (OPTION: the model folder or head file), so `--recognizers clip_zero_shot=/models/clip` works. A
missing package fails at once, naming the extra to install.

The defaults are the learned judges (heads trained on human ratings: OASIS photos, RAVDESS speech). Their heads
ship as separate files under other licences; when one is not installed, the default falls back to the heuristic
judge its module names (FALLBACK) and the card of that judge says so, so a report never hides who scored it. A
judge the user names explicitly that cannot run is an error instead.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from conditioning.errors import StudioError
from eval.recognizers.judge_card import fallback_card

log = logging.getLogger(__name__)

RECOGNIZERS: dict[tuple[str, str], tuple[str, str]] = {
    ("image", "image_judge"): ("eval.recognizers.image_judge", "judges"),
    ("video", "video_judge"): ("eval.recognizers.video_judge", "judges"),
    ("voice", "speech_judge"): ("eval.recognizers.speech_judge", "judges"),
    ("image", "image_features"): ("eval.recognizers.image_features", ""),
    ("video", "video_features"): ("eval.recognizers.video_features", ""),
    ("voice", "speech_features"): ("eval.recognizers.speech_features", ""),
    ("image", "clip_zero_shot"): ("eval.recognizers.clip_zero_shot", "image"),
    ("image", "clip_linear_probe"): ("eval.recognizers.clip_linear_probe", "image"),
    ("voice", "speech_classifier"): ("eval.recognizers.speech_classifier", "voice"),
    ("voice", "emotion2vec"): ("eval.recognizers.emotion2vec", "funasr"),
}
"""(modality, name) → (module, what provides its dependencies: an emotion-studio extra, or a package name)."""

DEFAULT_RECOGNIZERS = {"image": "image_judge", "video": "video_judge", "voice": "speech_judge"}
HEURISTIC_FALLBACKS = {"image": "image_features", "video": "video_features", "voice": "speech_features"}
"""What scores a modality when its default learned judge cannot run (its head is not installed)."""
EXTRAS = {"image", "video", "voice", "train", "app", "gpu", "dev", "text", "judges"}


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


@dataclass(frozen=True)
class Judge:
    """The recognizer that will score a modality: its callable, its card, and whether it may run in threads."""

    name: str
    recognize: Callable
    card: dict
    parallel: bool


@functools.cache
def get_judge(modality: str, name: str | None = None, option: str | None = None) -> Judge:
    """The judge for a modality (the default when `name` is None), with its card. The default learned judge whose
    head or packages are missing gives way to its heuristic FALLBACK, and its card says why; cached per process."""
    wanted = name or DEFAULT_RECOGNIZERS.get(modality)
    try:
        module = get_module(modality, wanted)
        reason = module.unavailable(option) if hasattr(module, "unavailable") else None
        reason = reason.rstrip(".") if reason else None
    except StudioError as exc:
        if wanted != DEFAULT_RECOGNIZERS.get(modality) or option is not None:
            raise
        module, reason = None, str(exc).rstrip(".")
    if reason is None:
        return Judge(module.NAME, bind_option(module, option), module_card(module, option), _parallel(module))
    if wanted != DEFAULT_RECOGNIZERS.get(modality) or option is not None:
        raise StudioError(reason)
    fallback_name = HEURISTIC_FALLBACKS[modality]
    fallback = get_module(modality, fallback_name)
    log.warning("%s; scoring %s with %s", reason, modality, fallback_name)
    card = fallback_card(module_card(fallback, None), wanted, reason)
    return Judge(fallback.NAME, fallback.recognize, card, _parallel(fallback))


def bind_option(module: ModuleType, option: str | None) -> Callable:
    if option is None:
        return module.recognize
    if not getattr(module, "OPTION", None):
        raise StudioError(f"Recognizer {module.NAME!r} takes no option; drop '={option}'.")
    return functools.partial(module.recognize, **{module.OPTION: option})


def module_card(module: ModuleType, option: str | None) -> dict:
    """The module's card; a judge without one (a user's own model) says that its agreement is unmeasured."""
    if hasattr(module, "card"):
        return module.card(option) if getattr(module, "OPTION", None) else module.card()
    return {"name": module.NAME, "kind": "model", "model": option or "", "validated_on": "",
            "notes": "no agreement with people measured by the studio; check the model's own card"}  # fmt: skip


def _parallel(module: ModuleType) -> bool:
    return bool(getattr(module, "PARALLEL", False))


def get_recognizer(modality: str, name: str | None = None, option: str | None = None) -> Callable:
    """A callable path → Recognition; `option` fills the module's OPTION (model folder, head file)."""
    return get_judge(modality, name, option).recognize


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
