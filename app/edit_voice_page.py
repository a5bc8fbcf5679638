"""Edit a voice: give the current emotion to a recording that already exists — an uploaded WAV or a voice in the
output store — with `studio.edit_voice` (the prosody transform: pitch, range, contour, tempo, loudness and voice
quality move; the words and the speaker stay). The result plays beside the original, downloads, is scored like every
other output, and its provenance says what changed.

An upload is saved under <output folder>/voice/uploads first, so the edit's sidecar names a file that exists.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from app import emotion_view, media_view, state
from studio import StudioError, edit_voice
from studio.api import slug

SOURCES = ("Upload a recording", "A voice in the output folder")
AUDIO = (".wav", ".flac")
CHANGE_NAMES = {
    "pitch_shift_st": ("Pitch", "{:+.1f} st"),
    "range_scale": ("Pitch range", "×{:.2f}"),
    "rate": ("Tempo", "×{:.2f}"),
    "gain_db": ("Loudness", "{:+.1f} dB"),
}


def _stored_voices() -> list[Path]:
    """Recordings in the output store, newest first (edits included: an edit can be edited again)."""
    folder = state.output_folder()
    if not folder.is_dir():
        return []
    files = [
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in AUDIO
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


def _saved_upload(upload) -> Path:
    """The uploaded bytes as a file in the output store (same name and bytes → the same file, not a new copy)."""
    folder = state.output_folder() / "voice" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(Path(upload.name).stem, 40)}{Path(upload.name).suffix.lower()}"
    data = upload.getvalue()
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def _source() -> Path | None:
    """The recording to edit, from the upload widget or the store's picker; None until one is given."""
    st.session_state.setdefault("editv_source", SOURCES[0])
    how = st.segmented_control("Recording", SOURCES, key="editv_source") or SOURCES[0]
    if how == SOURCES[0]:
        upload = st.file_uploader("A WAV or FLAC file", type=[s[1:] for s in AUDIO], key="voice_upload")
        if upload is None:
            return None
        try:
            return _saved_upload(upload)
        except OSError as exc:
            st.error(
                f"Cannot keep the upload in {state.output_folder()} ({exc.strerror}); choose another output folder."
            )
            return None
    voices = [str(p) for p in _stored_voices()]
    if not voices:
        st.info("The output folder holds no recording yet; make a voice on Generate, or upload one.")
        return None
    if st.session_state.get("editv_stored") not in voices:
        st.session_state.editv_stored = voices[0]
    root = state.output_folder()
    pick = st.selectbox("Recording", voices, key="editv_stored", format_func=lambda p: str(Path(p).relative_to(root)))
    return Path(pick)


def _out_path(name: str, seed: int) -> Path:
    """A fresh WAV in the store: <folder>/voice/<emotion>-edit-s<seed>-<time>.wav, never overwriting."""
    stem = f"{slug(name, 32)}-edit-s{seed}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = state.output_folder() / "voice" / f"{stem}.wav"
    k = 1
    while path.exists():
        path, k = path.with_name(f"{stem}-{k}.wav"), k + 1
    return path


def _edit(source: Path, seed: int) -> None:
    info = state.emotion_info()
    out = _out_path(emotion_view.title(info), seed)
    with st.spinner(f"Reshaping {source.name}…"):
        artifact = edit_voice(source, state.emotion(), out=out, seed=seed, taxonomy=state.taxonomy())
    state.results().insert(0, str(artifact.path))
    st.session_state.editv_last = {"source": str(source), "out": str(artifact.path), "provenance": artifact.provenance}


def changes_rows(changes: dict) -> list[dict]:
    """The sidecar's `changes` as rows a person reads: named numbers first, then every other value as it is."""
    rows = []
    for key, value in changes.items():
        name, shown = CHANGE_NAMES.get(key, (key.replace("_", " "), "{}"))
        text = shown.format(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
        rows.append({"change": name, "value": text})
    return rows


def _result() -> None:
    last = st.session_state.get("editv_last")
    if not last or not Path(last["out"]).exists():
        return
    out, source = Path(last["out"]), Path(last["source"])
    st.subheader("Edited")
    before, after = st.columns(2)
    with before:
        st.caption(f"original · `{source.name}`")
        if source.exists():
            st.audio(str(source))
    with after:
        st.caption(f"{emotion_view.title(state.emotion_info())} · `{out.name}`")
        media_view.media(out, "voice")
        media_view.scores(out)
        media_view.download(out, key="dl_edit_voice")
    st.markdown("**What changed**")
    st.dataframe(changes_rows(last["provenance"]["parameters"]["changes"]), hide_index=True)
    with st.expander("Provenance"):
        st.json(last["provenance"], expanded=2)


def page() -> None:
    st.title("Edit a voice")
    info = state.emotion_info()
    head = st.columns([3, 1], vertical_alignment="center")
    with head[0]:
        emotion_view.chip(info)
        st.caption("The recording is taken as the speaker's neutral delivery and reshaped towards this emotion.")
    head[1].page_link("compose_page.py", label="Change emotion", icon=":material/tune:")
    left, right = st.columns([2, 3])
    with left:
        source = _source()
        seed = int(st.number_input("Seed", 0, 2**32 - 1, key="editv_seed"))
        go = st.button(
            "Edit voice", type="primary", icon=":material/graphic_eq:", disabled=source is None, key="btn_edit_voice"
        )
    with right:
        if go and source is not None:
            with state.guard():
                _edit(source, seed)
        _result()


try:
    page()
except StudioError as exc:  # a bad output folder or taxonomy: one line, like every page
    st.error(state.short(exc), icon=":material/error:")
