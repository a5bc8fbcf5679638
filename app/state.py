"""Session state shared by the pages: the output store, the current emotion, the arc, and the error guard.

Every page reads the emotion from here, so what you compose is what you generate. Errors a user can cause show as
one short message where they happened; anything else is logged and shown as one line too — never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import streamlit as st

from studio import StudioError, app_outputs, app_support, describe_emotion

log = logging.getLogger("studio.app")

OUTPUT_ENV = "STUDIO_APP_OUTPUT"
DEFAULT_OUTPUT = "studio-output/app"
DEFAULT_EMOTION = "awe"
DEFAULT_TAXONOMY = "mikels8"


def output_folder() -> Path:
    """The app's output store: the sidebar field, else $STUDIO_APP_OUTPUT, else studio-output/app."""
    if "output_folder" not in st.session_state:
        st.session_state.output_folder = os.environ.get(OUTPUT_ENV) or DEFAULT_OUTPUT
    return Path(st.session_state.output_folder).expanduser()


def taxonomy() -> str:
    return st.session_state.setdefault("taxonomy", DEFAULT_TAXONOMY)


def emotion():
    """The current emotion as given (a label, VAD list, phrase or blend mapping) — what generate() receives."""
    return st.session_state.setdefault("emotion", DEFAULT_EMOTION)


def emotion_info() -> dict:
    """describe_emotion() of the current emotion in the current taxonomy (cached per input)."""
    key = (repr(emotion()), taxonomy())
    if st.session_state.get("emotion_info_key") != key:
        st.session_state.emotion_info = describe_emotion(emotion(), taxonomy=taxonomy(), top=5)
        st.session_state.emotion_info_key = key
    return st.session_state.emotion_info


def try_emotion(value) -> str | None:
    """Make `value` the current emotion if it resolves; otherwise keep the old one and return the message."""
    if st.session_state.get("emotion_info_key") == (repr(value), taxonomy()):
        st.session_state.emotion = value
        return None
    try:
        info = describe_emotion(value, taxonomy=taxonomy(), top=5)
    except StudioError as exc:
        return str(exc)
    st.session_state.emotion = value
    st.session_state.emotion_info = info
    st.session_state.emotion_info_key = (repr(value), taxonomy())
    return None


def arc_rows() -> list[dict]:
    return st.session_state.setdefault("arc_rows", [{"t": 0.0, "emotion": "calm"}, {"t": 4.0, "emotion": "dread"}])


def use_arc() -> bool:
    return bool(st.session_state.get("use_arc", False))


def short(exc: BaseException) -> str:
    """One line for the page: the StudioError's own sentence, else the exception's kind and first line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, StudioError):
        return text
    return f"Something went wrong ({exc.__class__.__name__}{': ' + text if text else ''}); details are in the log."


@contextlib.contextmanager
def guard(where=None):
    """Show any error raised inside as one message (in container `where`, default here); the page carries on."""
    try:
        yield
    except StudioError as exc:
        (where or st).error(short(exc), icon=":material/error:")
    except Exception as exc:  # noqa: BLE001 — the page must survive anything a backend throws
        log.exception("app error")
        (where or st).error(short(exc), icon=":material/error:")


@st.cache_resource(show_spinner="Loading the sentence encoder (once per server)…")
def text_encoder() -> bool:
    """The packaged sentence encoder, loaded once per server process; False when it is not installed."""
    return app_support.load_text_encoder()


@st.cache_resource(show_spinner=False)
def recognizer(modality: str):
    """The modality's default recognizer, loaded once per server process."""
    return app_outputs.recognizer(modality)


@st.cache_data(show_spinner=False, max_entries=2000)
def recognition(path: str, mtime: float) -> dict:
    """Recognized-emotion scores for one artifact, cached per file version (path and modification time)."""
    return app_outputs.recognize(path, recognizer(app_outputs.read_modality(path)))


def results() -> list[str]:
    """Paths made in this session, newest first."""
    return st.session_state.setdefault("results", [])
