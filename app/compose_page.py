"""Compose: say the emotion four ways — pick a label, place it on the valence–arousal plane, describe it in words,
or blend two — and see the spec, nearest labels and derived styles update as you go. The arc sits below.

A bad input leaves a message under its own widget and keeps the last good emotion, so the rest of the page (and
generation) keeps working.
"""

from __future__ import annotations

import streamlit as st

from app import arc_editor, emotion_view, plane, state
from studio import StudioError, app_support, resolve

MODES = ("Label", "Plane", "Words", "Blend")


def _set_sliders(v: float, a: float, d: float | None = None) -> None:
    st.session_state.va_v, st.session_state.va_a = round(v, 2), round(a, 2)
    if d is not None:
        st.session_state.va_d = round(d, 2)


def _on_pick() -> None:
    point = plane.clicked()
    if point is not None:
        _set_sliders(*point)


def _on_typed_point() -> None:
    """A typed VAD point moves the sliders; one outside the plane (or unreadable) stays a message under the field."""
    text = st.session_state.get("va_typed", "").strip()
    st.session_state.va_typed_error = None
    if not text:
        return
    try:
        _set_sliders(*app_support.vad_point(text))
    except StudioError as exc:
        st.session_state.va_typed_error = str(exc)


def _on_mode() -> None:
    """Entering a mode starts from the current emotion: the sliders move to it and no stale label is picked."""
    if st.session_state.get("compose_mode") == "Plane":
        _set_sliders(*state.emotion_info()["vad"])
    elif st.session_state.get("compose_mode") == "Label":
        st.session_state.label_pick = None


def _label_input() -> str | None:
    labels = [p["label"] for p in app_support.taxonomy_points(state.taxonomy())]
    pick = st.pills("Emotion", labels, key="label_pick", label_visibility="collapsed")
    return f"{state.taxonomy()}:{pick}" if pick else None


def _plane_input() -> list[float]:
    v, a, d = state.emotion_info()["vad"]
    for key, value in (("va_v", v), ("va_a", a), ("va_d", d)):
        st.session_state.setdefault(key, round(value, 2))
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        plane.show((st.session_state.va_v, st.session_state.va_a), state.taxonomy(), _on_pick)
    with right:
        st.slider("Valence", -1.0, 1.0, step=0.01, key="va_v", help="unpleasant ← → pleasant")
        st.slider("Arousal", -1.0, 1.0, step=0.01, key="va_a", help="calm ← → activated")
        st.slider("Dominance", -1.0, 1.0, step=0.01, key="va_d", help="overpowered ← → in control")
        st.text_input(
            "Or type a point",
            key="va_typed",
            placeholder="0.6, -0.3, 0.1  or  7,3,5 scale=1-9",
            on_change=_on_typed_point,
        )
        if st.session_state.get("va_typed_error"):
            st.error(st.session_state.va_typed_error, icon=":material/error:")
    return [st.session_state.va_v, st.session_state.va_a, st.session_state.va_d]


def _words_input() -> str | None:
    text = st.text_area(
        "Describe the feeling",
        key="free_text",
        height=90,
        placeholder="a bittersweet, nostalgic calm — or “my heart is pounding”",
    )
    if text.strip():
        state.text_encoder()
    return text.strip() or None


def _blend_input() -> dict | None:
    st.session_state.setdefault("blend_a", "joy")
    st.session_state.setdefault("blend_b", "fear")
    left, mid, right = st.columns([2, 3, 2], vertical_alignment="bottom")
    first = left.text_input("First emotion", key="blend_a")
    st.session_state.setdefault("blend_mix", 30)
    mix = mid.slider("Mix", 0, 100, format="%d%% second", key="blend_mix")
    second = right.text_input("Second emotion", key="blend_b")
    for where, value in ((left, first), (right, second)):
        try:
            resolve(value)
        except StudioError as exc:
            where.error(str(exc), icon=":material/error:")
            return None
    return {"blend": [{"emotion": first, "weight": (100 - mix) / 100}, {"emotion": second, "weight": mix / 100}]}


def page() -> None:
    st.title("Compose")
    st.caption("Name it, place it, describe it or mix it — everything below follows live.")
    top = st.columns([3, 2], vertical_alignment="bottom")
    st.session_state.setdefault("compose_mode", "Label")
    mode = top[0].segmented_control("How do you want to say it?", MODES, key="compose_mode", on_change=_on_mode)
    names = app_support.taxonomies()
    state.taxonomy()  # sets the default before the picker exists
    top[1].selectbox("Taxonomy", list(names), format_func=names.get, key="taxonomy")
    value = {"Label": _label_input, "Plane": _plane_input, "Words": _words_input, "Blend": _blend_input}.get(
        mode or "Label", _label_input
    )()
    if value is not None:
        problem = state.try_emotion(value)
        if problem:
            st.error(problem, icon=":material/error:")
            st.caption(f"Still using the last emotion that worked: {emotion_view.title(state.emotion_info())}.")
    st.divider()
    with state.guard():
        info = state.emotion_info()
        left, right = st.columns([3, 2])
        with left:
            emotion_view.headline(info)
        with right:
            emotion_view.nearest(info)
        emotion_view.styles(info)
        emotion_view.prompt(info)
    st.divider()
    st.subheader("Arc over time")
    st.caption("Keys in seconds; video and voice glide between them (eased in and out).")
    arc_editor.editor()


page()
