"""Evaluate: score a folder of outputs, or run the alignment suite (every emotion of a taxonomy × seeds × the
chosen modalities, generated and scored), and read the report right here."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app import report_view, state
from studio import StudioError, app_outputs, app_support
from studio.api import evaluate

MODES = ("Evaluate a folder", "Alignment suite")


def _recognizers(modalities=("image", "video", "voice")) -> str | None:
    """Per-modality recognizer pickers (installed ones only) → the '--recognizers' string; None when a model path
    given for a neural judge does not exist (the message is under its field)."""
    chosen, ok = [], True
    for col, modality in zip(st.columns(len(modalities)), modalities):
        with st.spinner("Looking for installed recognizers…"):
            choices = {c["name"]: c for c in app_outputs.recognizer_choices(modality)}
        ready = [name for name, c in choices.items() if c["available"]]
        key = f"eval_recognizer_{modality}"
        if st.session_state.get(key) not in ready:
            st.session_state[key] = next(name for name, c in choices.items() if c["default"])
        name = col.selectbox(f"{modality.capitalize()} recognizer", ready, key=key)
        spec = f"{modality}:{name}"
        if choices[name]["option"]:
            text = col.text_input(f"{name} {choices[name]['option']} (folder or file)", key=f"eval_option_{modality}")
            try:
                option = app_support.check_model_path(text)
            except StudioError as exc:
                col.error(str(exc), icon=":material/error:")
                ok = False
                option = None
            spec += f"={option}" if option else ""
        chosen.append(spec)
        for missing in (c for c in choices.values() if not c["available"]):
            col.caption(f"{missing['name']}: {missing['hint']}")
    return ",".join(chosen) if ok else None


def _taxonomy() -> str:
    names = app_support.taxonomies()
    st.session_state.setdefault("eval_taxonomy", "mikels8")
    return st.selectbox("Taxonomy", list(names), format_func=names.get, key="eval_taxonomy")


def _folder_form() -> None:
    st.session_state.setdefault("eval_folder", str(state.output_folder()))
    folder = st.text_input("Folder of studio outputs", key="eval_folder")
    folder_error = (
        None if Path(folder).expanduser().is_dir() else f"{folder} is not a folder; give one that holds outputs."
    )
    if folder_error:
        st.error(folder_error, icon=":material/error:")
    taxonomy = _taxonomy()
    recognizers = _recognizers()
    if st.button(
        "Evaluate",
        type="primary",
        icon=":material/insights:",
        key="btn_evaluate",
        disabled=bool(folder_error) or recognizers is None,
    ):
        with st.spinner("Recognizing and scoring…"), state.guard():
            report = evaluate(folder, recognizers=recognizers, taxonomy=taxonomy)
            st.session_state.eval_report = {k: str(v) for k, v in report.paths.items()}


def _suite_form() -> None:
    st.caption(
        "Every label of the taxonomy × seeds, generated with the default backends through the batch runner, "
        "then scored: the number to quote."
    )
    taxonomy = _taxonomy()
    cols = st.columns(2)
    st.session_state.setdefault("eval_suite_seeds", 1)
    st.session_state.setdefault("eval_suite_modalities", ["image"])
    seeds = int(cols[0].number_input("Seeds per label", 1, 10, key="eval_suite_seeds"))
    modalities = cols[1].multiselect("Modalities", ["image", "video", "voice"], key="eval_suite_modalities")
    if not modalities:
        st.error("Choose at least one modality.", icon=":material/error:")
    recognizers = _recognizers(tuple(modalities)) if modalities else None
    out = state.output_folder() / "alignment-suite" / time.strftime("%Y%m%d-%H%M%S")
    if st.button(
        "Run the suite", type="primary", icon=":material/play_arrow:", key="btn_suite", disabled=recognizers is None
    ):
        with st.spinner(f"Generating and scoring into {out}…"), state.guard():
            report = app_outputs.run_suite(out, taxonomy, seeds, modalities, recognizers)
            st.session_state.eval_report = {k: str(v) for k, v in report.paths.items()}


def page() -> None:
    st.title("Evaluate")
    st.session_state.setdefault("eval_mode", MODES[0])
    mode = st.segmented_control("What to score", MODES, key="eval_mode") or MODES[0]
    with st.container(border=True):
        (_folder_form if mode == MODES[0] else _suite_form)()
    report = st.session_state.get("eval_report")
    if report and Path(report["json"]).exists():
        try:
            report_view.show(report)
        except (OSError, ValueError, KeyError, StudioError) as exc:
            st.error(f"Could not show the report: {state.short(exc)}", icon=":material/error:")


page()
