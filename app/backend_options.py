"""The options a chosen backend takes, as widgets: only what its OPTIONS tuple lists is shown, so the embedded
backends stay simple and a model backend shows its model, steps, guidance, LoRAs and device.

Returns None when an input is invalid (its message sits under it) so the Generate button can be disabled.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from studio import StudioError, app_support

DEVICES = ("auto", "cpu", "cuda", "mps")
SPEED_TOGGLES = (
    ("compile", "Compile the model (torch.compile)", "Faster steps after a slow first call; for GPU runs."),
    ("channels_last", "Channels-last memory format", "Often faster convolutions on a recent GPU."),
    ("vae_tiling", "Decode in tiles", "Bounded memory for large pictures; a small one decodes as without it."),
)


def _model(modality: str, options: dict) -> bool:
    text = st.text_input("Model (local folder or hub id)", key=f"gen_model_{modality}")
    try:
        model = app_support.check_model_path(text)
    except StudioError as exc:
        st.error(str(exc), icon=":material/error:")
        return False
    if model:
        options["model"] = model
    return True


def _model_settings(modality: str, takes: tuple, options: dict) -> None:
    with st.expander("Model settings"):
        if "steps" in takes:
            steps = st.number_input("Steps (0 = the model's default)", 0, 1000, key=f"gen_steps_{modality}")
            if steps:
                options["steps"] = int(steps)
        if "guidance" in takes:
            guidance = st.number_input("Guidance (0 = default)", 0.0, 100.0, step=0.5, key=f"gen_guidance_{modality}")
            if guidance:
                options["guidance"] = float(guidance)
        if "negative" in takes and (negative := st.text_input("Negative prompt", key=f"gen_negative_{modality}")):
            options["negative"] = negative
        if "lora" in takes:
            text = st.text_input("Emotion LoRAs", key=f"gen_lora_{modality}", placeholder="awe=loras/awe.safetensors")
            if loras := [part.strip() for part in text.split(",") if part.strip()]:
                options["lora"] = loras
        if "device" in takes:
            device = st.selectbox("Device", DEVICES, key=f"gen_device_{modality}")
            if device != "auto":
                options["device"] = device
        for name, label, hint in SPEED_TOGGLES:
            if name in takes and st.toggle(label, key=f"gen_{name}_{modality}", help=hint):
                options[name] = True


def options_for(modality: str, backend: dict) -> dict | None:
    """Widgets for `backend`'s options → the options dict for generate(), or None when one is invalid."""
    takes, options = backend["takes"], {}
    if "model" in takes and not _model(modality, options):
        return None
    if "references" in takes:
        folder = st.text_input("Reference voices (folder with neutral.wav, angry.wav, …)", key=f"gen_refs_{modality}")
        if folder.strip():
            if not Path(folder).expanduser().is_dir():
                st.error(f"Reference folder {folder!r} does not exist.", icon=":material/error:")
                return None
            options["references"] = str(Path(folder).expanduser())
    if {"steps", "guidance", "negative", "lora", "device", *(name for name, _, _ in SPEED_TOGGLES)} & set(takes):
        _model_settings(modality, takes, options)
    if modality == "video" and "voice" in takes:
        narration = st.text_input("Narration (optional)", key=f"gen_narration_{modality}",
                                  placeholder="words spoken over the video in the emotion's voice")  # fmt: skip
        if narration.strip():
            options["voice"] = narration.strip()
    if "language" in takes and (modality == "voice" or "voice" in options):
        st.session_state.setdefault(f"gen_language_{modality}", "en")
        options["language"] = st.text_input("Language", key=f"gen_language_{modality}").strip() or "en"
    if "prosody_transform" in takes and st.toggle(
        "Shape prosody after synthesis", key=f"gen_prosody_{modality}", help="Speak neutrally, then shape pitch, "
        "rate and loudness to the emotion (instead of eSpeak's own prosody controls)."
    ):  # fmt: skip
        options["prosody_transform"] = True
    return options
