"""The studio app's entry (`studio app` runs `streamlit run` on this file): page setup, the sidebar that every
page shares (the current emotion and the output store) and the navigation between Compose, Generate, Gallery,
Evaluate and Edit voice, one file per page."""

from __future__ import annotations

import streamlit as st

from app import emotion_view, state
from studio import StudioError, app_support

# Widget keys kept across pages (Streamlit forgets a widget's value when a page without it runs). No bare strings
# here: Streamlit's magic would print them.
PERSISTENT = (
    "taxonomy",
    "compose_mode",
    "label_pick",
    "va_",
    "free_text",
    "blend_",
    "use_arc",
    "arc_typed",
    "gen_",
    "gallery_",
    "eval_",
    "editv_",
)


def keep_widget_values() -> None:
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(PERSISTENT) and not key.endswith("_error"):
            st.session_state[key] = st.session_state[key]


def sidebar():
    """The shared sidebar; returns the slot for the emotion chip, filled after the page ran (the page may change
    the emotion, and the chip must show the one the page ends with)."""
    with st.sidebar:
        st.markdown("## Emotion studio")
        chip = st.container()
        st.divider()
        state.output_folder()
        st.text_input(
            "Output folder",
            key="output_folder",
            help=f"Where the app writes and the Gallery reads (default ${state.OUTPUT_ENV} or {state.DEFAULT_OUTPUT}).",
        )
        try:
            app_support.check_folder(state.output_folder())
        except StudioError as exc:
            st.error(str(exc), icon=":material/error:")
        st.caption("Embedded backends run on the CPU with no downloads; model backends appear when installed.")
    return chip


def main() -> None:
    st.set_page_config(page_title="Emotion studio", page_icon="🎨", layout="wide")
    keep_widget_values()
    pages = [
        st.Page("compose_page.py", title="Compose", icon=":material/palette:", default=True),
        st.Page("generate_page.py", title="Generate", icon=":material/auto_awesome:"),
        st.Page("gallery_page.py", title="Gallery", icon=":material/photo_library:"),
        st.Page("evaluate_page.py", title="Evaluate", icon=":material/insights:"),
        st.Page("edit_voice_page.py", title="Edit voice", icon=":material/graphic_eq:"),
    ]
    navigation = st.navigation(pages, position="top")
    chip = sidebar()
    navigation.run()
    with chip, state.guard():
        emotion_view.chip(state.emotion_info())


main()
