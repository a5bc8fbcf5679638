"""One artifact on the page: the media itself, what the recognizer heard or saw in it, and a download button."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import state

MIME = {".png": "image/png", ".gif": "image/gif", ".mp4": "video/mp4", ".wav": "audio/wav", ".jpg": "image/jpeg"}


def media(path: Path, modality: str) -> None:
    if modality == "image" or path.suffix.lower() == ".gif":
        st.image(str(path), width="stretch")
    elif modality == "video":
        st.video(str(path))
    else:
        st.audio(str(path))


def scores(path: Path) -> None:
    """Recognized emotion and alignment (cached per file version); a failing recognizer is one line, not a crash."""
    with state.guard():
        seen = state.recognition(str(path), path.stat().st_mtime)
        st.progress(
            min(1.0, max(0.0, seen["alignment"])),
            text=f"recognized **{seen['label']}** · alignment {seen['alignment']:.2f}",
        )


def download(path: Path, key: str) -> None:
    st.download_button(
        "Download",
        data=path.read_bytes(),
        file_name=path.name,
        mime=MIME.get(path.suffix.lower(), "application/octet-stream"),
        key=key,
        icon=":material/download:",
    )
