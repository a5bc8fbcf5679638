"""The valence–arousal plane: click anywhere to place the emotion; labels of the chosen taxonomy sit where they
live, and the plane is painted with the colour each point gives an image.

Streamlit has no 2-D drag widget; an Altair chart with a click selection is the closest, and the sliders beside it
give fine control (and keyboard access). A click picks the 0.05 × 0.05 tile under the pointer.
"""

from __future__ import annotations

import colorsys

import altair as alt
import pandas as pd
import streamlit as st

from studio import app_support

KEY = "plane_pick"
SELECTION = "pick"


def _hex(hue: float, saturation: float, brightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue / 360.0, 0.2 + 0.6 * brightness, saturation)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


@st.cache_data(show_spinner=False)
def _field() -> pd.DataFrame:
    cells = pd.DataFrame(app_support.plane_field())
    half = (cells.valence.max() - cells.valence.min()) / (cells.valence.nunique() - 1) / 2
    cells["v0"], cells["v1"] = cells.valence - half, cells.valence + half
    cells["a0"], cells["a1"] = cells.arousal - half, cells.arousal + half
    cells["colour"] = [_hex(h, s, b) for h, s, b in zip(cells.hue, cells.saturation, cells.brightness)]
    return cells


def chart(point: tuple[float, float], taxonomy: str, size: int = 420) -> alt.LayerChart:
    """The painted plane, the taxonomy's labels and the current point."""
    scale_v = alt.Scale(domain=[-1.025, 1.025], nice=False)
    scale_a = alt.Scale(domain=[-1.025, 1.025], nice=False)
    x = alt.X("valence:Q", scale=scale_v, title="valence  →  pleasant")
    y = alt.Y("arousal:Q", scale=scale_a, title="arousal  →  activated")
    pick = alt.selection_point(name=SELECTION, on="click", fields=["valence", "arousal"], clear=False)
    field = (
        alt.Chart(_field())
        .mark_rect(opacity=0.6)
        .encode(
            x=alt.X("v0:Q", scale=scale_v, title="valence  →  pleasant"),
            x2="v1:Q",
            y=alt.Y("a0:Q", scale=scale_a, title="arousal  →  activated"),
            y2="a1:Q",
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=["valence", "arousal"],
        )
        .add_params(pick)
    )
    labels = pd.DataFrame(app_support.taxonomy_points(taxonomy))
    dots = alt.Chart(labels).mark_circle(size=28, color="#1d1b2e", opacity=0.8).encode(x=x, y=y, tooltip=["label"])
    names = (
        alt.Chart(labels)
        .mark_text(dy=-10, fontSize=12, fontWeight="bold", color="#1d1b2e")
        .encode(x=x, y=y, text="label:N")
    )
    here = pd.DataFrame([{"valence": point[0], "arousal": point[1]}])
    ring = alt.Chart(here).mark_point(size=420, filled=False, strokeWidth=3, color="white").encode(x=x, y=y)
    core = alt.Chart(here).mark_circle(size=90, color="#1d1b2e").encode(x=x, y=y)
    rules = alt.Chart(pd.DataFrame([{"z": 0}]))
    axes = rules.mark_rule(color="white", opacity=0.7).encode(x="z:Q") + rules.mark_rule(
        color="white", opacity=0.7
    ).encode(y="z:Q")
    return (field + axes + dots + names + ring + core).properties(width=size, height=size)


def clicked() -> tuple[float, float] | None:
    """The point the last click chose (valence, arousal), if any."""
    state = st.session_state.get(KEY)
    picks = (state or {}).get("selection", {}).get(SELECTION) or []
    if not picks:
        return None
    return float(picks[0]["valence"]), float(picks[0]["arousal"])


def show(point: tuple[float, float], taxonomy: str, on_pick) -> None:
    st.altair_chart(chart(point, taxonomy), key=KEY, on_select=on_pick, selection_mode=SELECTION, width="content")
