"""The options a chosen backend takes, as widgets: one per declared option it names (generators/options.py, reached
through studio.app_support), so the embedded backends stay simple, a model backend shows its model, steps,
guidance, LoRAs and device, and a newly declared option gets a widget without an edit here.

A few options have their own widget (the model path, reference folder, narration, language, prosody); every other
one gets the widget of its kind inside "Model settings": a number (0 = the default), text, a toggle or a choice.
Options declared `cli_only` (pickled weights, …) get none. Returns None when an input is invalid (its message sits
under it) so the Generate button can be disabled.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from studio import StudioError, app_support

KEYS = {"references": "gen_refs", "voice": "gen_narration", "prosody_transform": "gen_prosody"}
"""Widget keys that predate the declarations; every other option's key is gen_<name>_<modality>."""
OWN_WIDGET = ("model", "references", "voice", "language", "prosody_transform")
"""Options drawn by their own function below; the rest by their kind."""


def _key(name: str, modality: str) -> str:
    return f"{KEYS.get(name, f'gen_{name}')}_{modality}"


def _model(declared, modality: str, options: dict) -> bool:
    text = st.text_input(declared.title, key=_key("model", modality))
    try:
        model = app_support.check_model_path(text)
    except StudioError as exc:
        st.error(str(exc), icon=":material/error:")
        return False
    if model:
        options["model"] = model
    return True


def _references(declared, modality: str, options: dict) -> bool:
    folder = st.text_input(declared.title, key=_key("references", modality))
    if folder.strip():
        if not Path(folder).expanduser().is_dir():
            st.error(f"Reference folder {folder!r} does not exist.", icon=":material/error:")
            return False
        options["references"] = str(Path(folder).expanduser())
    return True


def _by_kind(declared, modality: str, options: dict) -> bool:
    """The widget of the option's kind; an unset number, text or choice leaves it to the backend's default."""
    key, name = _key(declared.name, modality), declared.name
    if declared.kind in ("int", "float"):
        whole = declared.kind == "int"
        high = declared.high if declared.high is not None else (10_000 if whole else 1000.0)
        step = 1 if whole else 0.5 if high > 10 else 0.05
        value = st.number_input(
            declared.title, 0 if whole else 0.0, int(high) if whole else float(high), step=step, key=key,
            help=declared.help,
        )  # fmt: skip
        if value:
            options[name] = int(value) if whole else float(value)
    elif declared.kind in ("flag", "switch", "compile"):
        if st.toggle(declared.title, key=key, help=declared.help):
            options[name] = True
    elif declared.choices:
        value = st.selectbox(declared.title, ("auto", *declared.choices), key=key, help=declared.help)
        if value != "auto":
            options[name] = value
    elif declared.kind == "loras":
        text = st.text_input(
            declared.title,
            key=key,
            placeholder="awe=loras/awe.safetensors, watercolor=loras/w.safetensors@0.7",
            help=declared.help,
        )
        if loras := [part.strip() for part in text.split(",") if part.strip()]:
            options[name] = loras
    elif text := st.text_input(declared.title, key=key, help=declared.help).strip():
        if declared.kind == "path" and not Path(text).expanduser().exists():
            st.error(f"{declared.title}: {text!r} does not exist.", icon=":material/error:")
            return False
        options[name] = str(Path(text).expanduser()) if declared.kind == "path" else text
    return True


def options_for(modality: str, backend: dict) -> dict | None:
    """Widgets for `backend`'s options → the options dict for generate(), or None when one is invalid."""
    takes, options = backend["takes"], {}
    shown = {d.name: d for d in app_support.option_declarations() if d.name in takes and not d.cli_only}
    if "model" in shown and not _model(shown["model"], modality, options):
        return None
    if "references" in shown and not _references(shown["references"], modality, options):
        return None
    ok = True
    if settings := [d for name, d in shown.items() if name not in OWN_WIDGET]:
        with st.expander("Model settings"):
            for declared in settings:
                ok = _by_kind(declared, modality, options) and ok
    if modality == "video" and "voice" in shown:
        narration = st.text_input(shown["voice"].title, key=_key("voice", modality),
                                  placeholder="words spoken over the video in the emotion's voice")  # fmt: skip
        if narration.strip():
            options["voice"] = narration.strip()
    if "language" in shown and (modality == "voice" or "voice" in options):
        st.session_state.setdefault(_key("language", modality), "en")
        options["language"] = st.text_input(shown["language"].title, key=_key("language", modality)).strip() or "en"
    if "prosody_transform" in shown and st.toggle(
        shown["prosody_transform"].title, key=_key("prosody_transform", modality), help="Speak neutrally, then shape "
        "pitch, rate and loudness to the emotion (instead of eSpeak's own prosody controls)."
    ):  # fmt: skip
        options["prosody_transform"] = True
    return options if ok else None
