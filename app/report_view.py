"""An evaluation report shown inline: headline metrics, the per-modality table, the confusion matrix, every item,
what was skipped and why, and the self-contained HTML report itself — plus downloads of all three files."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from studio import app_outputs


def _pct(x) -> str:
    return "—" if x is None else f"{x:.0%}"


def _num(x) -> str:
    return "—" if x is None else f"{x:.2f}"


@st.cache_data(show_spinner=False)
def load(path: str, mtime: float) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _metrics(overall: dict) -> None:
    cols = st.columns(5)
    cols[0].metric("Evaluated", overall["n"])
    cols[1].metric("Top-1", _pct(overall.get("top1")))
    cols[2].metric("Quadrant", _pct(overall.get("quadrant")))
    cols[3].metric("Alignment", _num(overall.get("alignment")))
    cols[4].metric("VA error", _num((overall.get("va_mae") or {}).get("mean")))


def _groups(result: dict) -> None:
    rows = [
        {"group": name, "n": m["n"], "top-1": m["top1"], "quadrant": m["quadrant"], "alignment": m["alignment"]}
        for kind in ("by_modality", "by_backend")
        for name, m in result["metrics"][kind].items()
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _confusion(result: dict) -> None:
    labels = result["labels"]
    cells = [
        {"intended": labels[i], "recognized": labels[j], "n": n}
        for i, row in enumerate(result["confusion"])
        for j, n in enumerate(row)
    ]
    heat = (
        alt.Chart(pd.DataFrame(cells))
        .mark_rect()
        .encode(
            x=alt.X("recognized:N", sort=labels, axis=alt.Axis(labelOverlap=False, labelAngle=-40)),
            y=alt.Y("intended:N", sort=labels, axis=alt.Axis(labelOverlap=False)),
            color=alt.Color("n:Q", scale=alt.Scale(scheme="purples"), legend=None),
            tooltip=["intended", "recognized", "n"],
        )
        .properties(height=24 * len(labels) + 10)
    )
    st.altair_chart(heat, width="stretch")


def _items(result: dict) -> None:
    rows = [
        {
            "file": it["file"],
            "modality": it["modality"],
            "backend": it["backend"],
            "intended": it["intended"]["label"],
            "recognized": it["recognized"]["label"],
            "alignment": it["alignment"],
        }
        for it in result["items"]
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=min(420, 35 * len(rows) + 38))


def show(paths: dict) -> None:
    """Render the report whose files are `paths` ({'json', 'md', 'html'} → file)."""
    json_path = Path(paths["json"])
    result = load(str(json_path), json_path.stat().st_mtime)
    st.subheader("Report")
    st.caption(
        f"{result['folder']} · taxonomy {result['taxonomy']} · {result['seconds']} s · "
        + ", ".join(f"{k}: {v}" for k, v in result["recognizers"].items())
    )
    for modality, line in app_outputs.judge_lines(result).items():
        st.caption(f"**{modality} judge**: {line}")
    _metrics(result["metrics"]["overall"])
    left, right = st.columns(2)
    with left:
        st.markdown("**By modality and backend**")
        _groups(result)
    with right:
        st.markdown("**Confusion (intended × recognized)**")
        _confusion(result)
    st.markdown("**Items**")
    _items(result)
    for skip in result["skipped"]:
        st.warning(f"Skipped {skip['file']}: {skip['reason']}")
    cols = st.columns(3)
    for col, kind, mime in zip(cols, ("html", "json", "md"), ("text/html", "application/json", "text/markdown")):
        path = Path(paths[kind])
        col.download_button(
            f"report.{kind}",
            path.read_bytes(),
            file_name=path.name,
            mime=mime,
            key=f"dl_report_{kind}",
            icon=":material/download:",
        )
    with st.expander("Full HTML report"):
        st.iframe(Path(paths["html"]), height=900)  # our own report: every value in it is escaped
