"""The resolved emotion at a glance: its name and VAD, nearest labels as bars, the palette the painter will use,
and the motion and prosody numbers — so a user sees what their words turned into before generating anything."""

from __future__ import annotations

import colorsys
import html

import streamlit as st


def palette(visual: dict, n: int = 5) -> list[str]:
    """Hex colours around the style's hue: spread by hue_spread, lit by brightness, saturated by saturation."""
    colours = []
    for k in range(n):
        offset = (k - (n - 1) / 2) / ((n - 1) / 2)
        hue = (visual["hue"] + offset * 60.0 * visual["hue_spread"]) % 360.0
        light = min(0.92, max(0.08, 0.15 + 0.7 * visual["brightness"] + 0.18 * visual["contrast"] * offset))
        r, g, b = colorsys.hls_to_rgb(hue / 360.0, light, visual["saturation"])
        colours.append(f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")
    return colours


def swatch_html(colours: list[str], height: int = 44, width: str = "100%") -> str:
    chips = "".join(
        f'<div title="{c}" style="flex:1;height:{height}px;background:{c};border-radius:6px"></div>' for c in colours
    )
    return f'<div style="display:flex;gap:6px;margin:2px 0 8px 0;max-width:{width}">{chips}</div>'


def meters_html(rows: list[tuple[str, float, str]]) -> str:
    """Rows of (name, fraction 0–1, shown value) as thin bars."""
    out = []
    for name, frac, shown in rows:
        width = max(0.0, min(1.0, frac)) * 100
        out.append(
            '<div style="display:flex;align-items:center;gap:8px;font-size:0.82rem;margin:3px 0">'
            f'<div style="flex:0 0 84px;opacity:.75">{html.escape(name)}</div>'
            '<div style="flex:1 1 auto;min-width:40px;height:6px;background:rgba(128,128,128,.2);border-radius:3px">'
            f'<div style="height:6px;width:{width:.0f}%;background:#8a7dff;border-radius:3px"></div></div>'
            f'<div style="flex:0 0 64px;text-align:right">{html.escape(shown)}</div></div>'
        )
    return "".join(out)


def title(info: dict) -> str:
    """A display name: the label in the chosen taxonomy, else the nearest one."""
    return info.get("label") or info["nearest"][0]["label"]


def headline(info: dict) -> None:
    """Name, VAD and intensity in one row."""
    v, a, d = info["vad"]
    st.markdown(f"### {title(info)}")
    cols = st.columns(4)
    cols[0].metric("Valence", f"{v:+.2f}")
    cols[1].metric("Arousal", f"{a:+.2f}")
    cols[2].metric("Dominance", f"{d:+.2f}")
    cols[3].metric("Intensity", f"{info['intensity']:.2f}")
    st.caption(f"from “{info['input']}” · quadrant {info['quadrant']} · {info['taxonomy']}")


def nearest(info: dict) -> None:
    st.markdown("**Nearest labels**")
    for item in info["nearest"]:
        st.progress(min(1.0, item["p"]), text=f"{item['label']} · {item['p']:.0%}")


def styles(info: dict) -> None:
    """Palette, visual, motion and prosody numbers in three columns."""
    visual, motion, prosody = (info["styles"][k] for k in ("visual", "motion", "prosody"))
    left, middle, right = st.columns(3)
    with left:
        st.markdown("**Image**")
        st.html(swatch_html(palette(visual)))
        st.html(
            meters_html(
                [
                    ("brightness", visual["brightness"], f"{visual['brightness']:.2f}"),
                    ("saturation", visual["saturation"], f"{visual['saturation']:.2f}"),
                    ("angularity", visual["angularity"], f"{visual['angularity']:.2f}"),
                    ("brushwork", visual["stroke_energy"], f"{visual['stroke_energy']:.2f}"),
                ]
            )
        )
    with middle:
        st.markdown("**Motion**")
        st.html(
            meters_html(
                [
                    ("speed", motion["speed"], f"{motion['speed']:.2f}"),
                    ("smoothness", motion["smoothness"], f"{motion['smoothness']:.2f}"),
                    ("shake", motion["shake"], f"{motion['shake']:.2f}"),
                    ("tempo", (motion["tempo_bpm"] - 50) / 100, f"{motion['tempo_bpm']:.0f} bpm"),
                    ("drift", (motion["drift"] + 1) / 2, f"{motion['drift']:+.2f}"),
                ]
            )
        )
    with right:
        st.markdown("**Voice**")
        st.html(
            meters_html(
                [
                    ("pitch", (prosody["pitch_shift"] + 8) / 16, f"{prosody['pitch_shift']:+.1f} st"),
                    ("range", prosody["pitch_range"] / 2, f"×{prosody['pitch_range']:.2f}"),
                    ("rate", prosody["rate"] / 2, f"×{prosody['rate']:.2f}"),
                    ("loudness", (prosody["loudness_db"] + 10) / 20, f"{prosody['loudness_db']:+.1f} dB"),
                ]
            )
        )
        st.caption(f"{prosody['voice_quality']} voice, {prosody['contour']} contour")


def prompt(info: dict) -> None:
    with st.expander("Prompt fragments (for model backends)"):
        st.markdown("**Image** " + ", ".join(info["prompt"]["image"]))
        st.markdown("**Video** " + ", ".join(info["prompt"]["video"]))
        st.markdown("**Speech** " + info["prompt"]["speech"])
        st.markdown("**Negative** " + ", ".join(info["prompt"]["negative"]))


def chip(info: dict) -> None:
    """The compact form for the sidebar and the Generate page: palette strip, name and VAD."""
    v, a, d = info["vad"]
    st.html(swatch_html(palette(info["styles"]["visual"]), height=18, width="360px"))
    st.markdown(f"**{title(info)}** · V {v:+.2f} · A {a:+.2f} · D {d:+.2f}")
