"""Gallery: everything in the output store, read from the provenance sidecars, with what the recognizer finds in
each piece. Filter by emotion, modality and backend; open one to see its full record; download it; or re-run it
with exactly the same settings (the sidecar alone is enough)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from app import media_view, state
from studio import StudioError, app_outputs

PAGE = 24


def _key(item: dict) -> str:
    return hashlib.sha1(item["path"].encode()).hexdigest()[:10]


def _rerun(path: str) -> None:
    try:
        artifact = app_outputs.rerun(path, state.output_folder())
    except StudioError as exc:
        st.session_state.gallery_message = ("error", state.short(exc))
        return
    except Exception as exc:  # noqa: BLE001 — one line on the page, details in the log
        state.log.exception("re-run failed")
        st.session_state.gallery_message = ("error", state.short(exc))
        return
    state.results().insert(0, str(artifact.path))
    st.session_state.gallery_message = ("success", f"Re-ran {Path(path).name} → {artifact.path.name}")
    st.session_state.gallery_open = str(artifact.path)


def _open(path: str | None) -> None:
    st.session_state.gallery_open = path


def _filters(items: list[dict]) -> list[dict]:
    cols = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
    emotions = cols[0].multiselect("Emotion", sorted({it["emotion"] for it in items}), key="gallery_emotion")
    modalities = cols[1].pills("Modality", ["image", "video", "voice"], selection_mode="multi", key="gallery_modality")
    backends = cols[2].multiselect("Backend", sorted({it["backend"] for it in items}), key="gallery_backend")
    suites = cols[3].toggle("Suite runs", key="gallery_suites", help="Include alignment-suite outputs")
    return [
        it
        for it in items
        if (not emotions or it["emotion"] in emotions)
        and (not modalities or it["modality"] in modalities)
        and (not backends or it["backend"] in backends)
        and (suites or not it["file"].startswith("alignment-suite"))
    ]


def _detail(item: dict) -> None:
    with st.container(border=True):
        head = st.columns([6, 1])
        head[0].subheader(f"{item['emotion']} · {item['modality']}")
        head[1].button("Close", key="btn_close", on_click=_open, args=(None,), icon=":material/close:")
        left, right = st.columns([3, 2])
        with left:
            media_view.media(Path(item["path"]), item["modality"])
        with right:
            v, a, d = item["vad"]
            st.markdown(f"**Intended** V {v:+.2f} · A {a:+.2f} · D {d:+.2f} — from “{item['source']}”")
            media_view.scores(Path(item["path"]))
            with state.guard():
                seen = state.recognition(item["path"], item["mtime"])
                st.bar_chart(seen["categories"], horizontal=True, height=220, color="#8a7dff")
            buttons = st.columns(2)
            with buttons[0]:
                media_view.download(Path(item["path"]), key=f"dl_open_{_key(item)}")
            buttons[1].button(
                "Re-run",
                key=f"btn_rerun_open_{_key(item)}",
                on_click=_rerun,
                args=(item["path"],),
                icon=":material/replay:",
            )
        with st.expander("Provenance"):
            st.json(item["provenance"], expanded=2)


def _card(item: dict) -> None:
    with st.container(border=True):
        media_view.media(Path(item["path"]), item["modality"])
        text = f" · “{item['text'][:40]}”" if item["text"] else ""
        st.markdown(f"**{item['emotion']}** · {item['modality']} · {item['backend']} · seed {item['seed']}{text}")
        media_view.scores(Path(item["path"]))
        with st.container(horizontal=True):
            st.button(
                "Open",
                key=f"btn_open_{_key(item)}",
                on_click=_open,
                args=(item["path"],),
                icon=":material/open_in_full:",
            )
            st.button(
                "Re-run",
                key=f"btn_rerun_{_key(item)}",
                on_click=_rerun,
                args=(item["path"],),
                icon=":material/replay:",
                help="Generate again from this sidecar: same spec, backend and seed",
            )
            media_view.download(Path(item["path"]), key=f"dl_{_key(item)}")


def page() -> None:
    st.title("Gallery")
    folder = state.output_folder()
    items = app_outputs.list_gallery(folder)
    message = st.session_state.pop("gallery_message", None)
    if message:
        (st.error if message[0] == "error" else st.success)(message[1])
    if not items:
        st.info(f"Nothing here yet — generate something, and it appears here (reading {folder}).")
        return
    shown = _filters(items)
    st.caption(f"{len(shown)} of {len(items)} in {folder}")
    opened = next((it for it in items if it["path"] == st.session_state.get("gallery_open")), None)
    if opened:
        _detail(opened)
    limit = st.session_state.setdefault("gallery_limit", PAGE)
    cols = st.columns(3)
    for index, item in enumerate(shown[:limit]):
        with cols[index % 3]:
            _card(item)
    if len(shown) > limit and st.button("Show more", key="btn_more"):
        st.session_state.gallery_limit = limit + PAGE
        st.rerun()


page()
