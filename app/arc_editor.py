"""The arc editor: a small table of (seconds, emotion) keys that video and voice follow, or the CLI's
'calm:0, dread:4' typed in one line; the curve below shows valence, arousal and dominance over time.

The table's edits are applied to the stored rows in its change callback, so they survive a visit to another page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import state
from studio import StudioError, app_support, resolve_arc


def _editor_key() -> str:
    return f"arc_editor_{st.session_state.setdefault('arc_version', 0)}"


def fold(rows: list[dict], delta: dict) -> list[dict]:
    """The stored rows with the editor's deltas (edited, added, deleted rows) applied."""
    rows = [dict(r) for r in rows]
    for index, change in (delta.get("edited_rows") or {}).items():
        rows[int(index)].update(change)
    rows += [{"t": r.get("t"), "emotion": r.get("emotion", "")} for r in delta.get("added_rows") or []]
    gone = {int(i) for i in delta.get("deleted_rows") or []}
    return [r for i, r in enumerate(rows) if i not in gone]


def _apply_edits() -> None:
    st.session_state.arc_rows = fold(state.arc_rows(), st.session_state.get(_editor_key()) or {})
    st.session_state.arc_version += 1


def _use_typed() -> None:
    """'calm:0, dread:4' → rows (the message stays under the field when it does not parse)."""
    text = st.session_state.get("arc_typed", "").strip()
    st.session_state.arc_typed_error = None
    if not text:
        return
    try:
        arc = resolve_arc(text, sort=True)  # the table shows each key's time, so sorting hides nothing
    except StudioError as exc:
        st.session_state.arc_typed_error = str(exc)
        return
    st.session_state.arc_rows = [{"t": t, "emotion": spec.source} for t, spec in arc.keys]  # keys come time-sorted
    st.session_state.arc_version = st.session_state.get("arc_version", 0) + 1
    st.session_state.use_arc = True


def current_arc():
    """The arc to generate with (an EmotionArc), or None when the arc is off or invalid."""
    if not state.use_arc():
        return None
    try:
        return app_support.arc_from_rows(state.arc_rows())
    except StudioError:
        return None


def editor() -> None:
    st.toggle("Follow this arc in video and voice", key="use_arc")
    table = pd.DataFrame(state.arc_rows(), columns=["t", "emotion"])
    st.data_editor(
        table,
        key=_editor_key(),
        num_rows="dynamic",
        on_change=_apply_edits,
        hide_index=True,
        column_config={
            "t": st.column_config.NumberColumn("seconds", min_value=0.0, step=0.5, format="%.1f"),
            "emotion": st.column_config.TextColumn("emotion (label, VAD or words)"),
        },
        width="stretch",
    )
    try:
        arc = app_support.arc_from_rows(state.arc_rows())
    except StudioError as exc:
        st.error(str(exc), icon=":material/error:")
        arc = None
    st.text_input("…or type it", key="arc_typed", placeholder="calm:0, dread:4", on_change=_use_typed)
    if st.session_state.get("arc_typed_error"):
        st.error(st.session_state.arc_typed_error, icon=":material/error:")
    if arc is not None:
        curve = pd.DataFrame(app_support.arc_curve(arc)).set_index("t")
        st.line_chart(curve, height=180, color=["#e4572e", "#8a7dff", "#29a39b"])
