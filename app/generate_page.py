"""Generate: image, video, voice or all three from the composed emotion, with the backends that are installed.

Generation runs in the script (Streamlit reruns on any click), so Stop takes effect between artifacts: a job of
three stops after the one in flight, and the page says how many were made. One embedded job takes well under a
second; model backends take longer and say so in the status box. "All three" is `studio generate all`'s matched set
(studio.generate_all): one resolved spec for the three, the video narrated with the words, and `<stem>-set.json`
linking them, written when all three are done.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import streamlit as st

from app import arc_editor, backend_options, emotion_view, media_view, state
from studio import StudioError, app_outputs, app_support, generate, generate_all

CHOICES = {"Image": ["image"], "Video": ["video"], "Voice": ["voice"], "All three": ["image", "video", "voice"]}
DEFAULT_WORDS = "The letter arrived this morning, and I read it twice before I put it down."


def _backend(modality: str) -> dict | None:
    """Backend picker: installed backends are offered; missing ones are listed with how to install them."""
    with st.spinner("Looking for installed backends…"):  # the first look imports each backend (seconds, once)
        choices = app_support.backend_choices(modality)
    ready = [c for c in choices if c["available"]]
    for missing in (c for c in choices if not c["available"]):
        st.caption(f"{missing['name']} is not installed — {missing['hint']}")
    if not ready:
        st.warning(f"No {modality} backend is installed.")
        return None
    names = [c["name"] for c in ready]
    key = f"gen_backend_{modality}"
    if st.session_state.get(key) not in names:
        st.session_state[key] = next((c["name"] for c in ready if c["default"]), names[0])
    name = st.selectbox(f"{modality.capitalize()} backend", names, key=key)
    return next(c for c in ready if c["name"] == name)


def _settings(modalities: list[str]) -> dict | None:
    """Everything a job needs besides the emotion; None when some input is invalid."""
    plan = {}
    if {"image", "video"} & set(modalities):
        plan["subject"] = st.text_input(
            "Subject (image and video)",
            key="gen_subject",
            placeholder="a lighthouse by the sea — or leave empty for pure mood",
        )
    if "voice" in modalities:
        st.session_state.setdefault("gen_words", DEFAULT_WORDS)
        plan["words"] = st.text_area("Words to speak", key="gen_words", height=80)
    cols = st.columns(2)
    plan["seed"] = int(cols[0].number_input("Seed", 0, 2**32 - 1, key="gen_seed"))
    plan["best_of"] = int(
        cols[1].number_input(
            "Best of N",
            1,
            16,
            key="gen_best_of",
            help="Make N candidates and keep the one the recognizer finds closest.",
        )
    )
    if "image" in modalities:
        st.session_state.setdefault("gen_image_size", 512)
        plan["image_size"] = st.select_slider("Image size", [256, 384, 512, 768, 1024], key="gen_image_size")
    if "video" in modalities:
        for key, value in (("gen_video_size", 256), ("gen_duration", 4.0), ("gen_fps", 24)):
            st.session_state.setdefault(key, value)
        cols = st.columns(3)
        plan["video_size"] = cols[0].selectbox("Video size", [128, 192, 256, 384], key="gen_video_size")
        plan["duration"] = cols[1].slider("Seconds", 1.0, 12.0, step=0.5, key="gen_duration")
        plan["fps"] = cols[2].selectbox("FPS", [8, 12, 24], key="gen_fps")
    ok = True
    for modality in modalities:
        with st.container(border=True):
            backend = _backend(modality)
            options = backend_options.options_for(modality, backend) if backend else None
        ok = ok and backend is not None and options is not None
        plan[modality] = (backend, options)
    return plan if ok else None


def _new_seed() -> None:
    st.session_state.gen_seed = random.randrange(2**31)


def _own_options(modality: str, plan: dict) -> dict:
    """What one modality's backend is given besides the emotion, seed, text and output."""
    options = dict(plan[modality][1])
    if plan["best_of"] > 1:
        options["best_of"] = plan["best_of"]
    if modality == "image":
        options["size"] = plan["image_size"]
    elif modality == "video":
        options.update(size=plan["video_size"], duration=plan["duration"], fps=plan["fps"])
    return options


def _name(arc) -> str:
    title = emotion_view.title(state.emotion_info())
    return f"{title}-arc" if arc is not None else title


def _run_one(modality: str, plan: dict, arc) -> Path:
    backend = plan[modality][0]
    use_arc = arc is not None and modality in ("video", "voice")
    out = app_support.output_path(state.output_folder(), modality, backend["name"], _name(arc if use_arc else None),
                                  plan["seed"])  # fmt: skip
    text = plan.get("words") or DEFAULT_WORDS if modality == "voice" else plan.get("subject", "")
    kwargs = {"seed": plan["seed"], "out": out, "backend": backend["name"], "text": text}
    if use_arc:
        return generate(modality, None, arc=arc, **kwargs, **_own_options(modality, plan)).path
    return generate(modality, state.emotion(), **kwargs, **_own_options(modality, plan)).path


def _run_set(plan: dict, arc, report) -> list[Path]:
    """The matched set into a fresh folder of the store; report(modality, path) as each one is written."""
    folder = app_support.set_folder(state.output_folder(), _name(arc), plan["seed"])
    made = generate_all(
        state.emotion() if arc is None else None,
        arc=arc,
        text=plan.get("subject", ""),
        words=plan.get("words") or DEFAULT_WORDS,
        seed=plan["seed"],
        out=folder,
        backends={m: plan[m][0]["name"] for m in CHOICES["All three"]},
        modality_options={m: _own_options(m, plan) for m in CHOICES["All three"]},
        on_made=lambda modality, artifact: report(modality, artifact.path),
    )
    return [artifact.path for artifact in made.artifacts]


def _run(modalities: list[str], plan: dict) -> None:
    arc = arc_editor.current_arc()
    job = st.session_state.job = {"plan": modalities, "done": []}
    with st.status(f"Generating {', '.join(modalities)}…", expanded=True) as status:
        bar = st.progress(0.0, text=f"0 of {len(modalities)}")
        started = [time.perf_counter()]

        def report(modality: str, path: Path) -> None:
            job["done"].append(modality)
            state.results().insert(0, str(path))
            st.write(f"✓ {modality}: `{path.name}` in {time.perf_counter() - started[0]:.1f} s")
            done = len(job["done"])
            bar.progress(done / len(modalities), text=f"{done} of {len(modalities)}")
            if done < len(modalities):
                status.update(label=f"Generating {modalities[done]} ({done + 1} of {len(modalities)})…")
            started[0] = time.perf_counter()

        try:
            if len(modalities) > 1:
                _run_set(plan, arc, report)
            else:
                report(modalities[0], _run_one(modalities[0], plan, arc))
        except StudioError as exc:
            failed = modalities[len(job["done"])] if len(job["done"]) < len(modalities) else "the set"
            status.update(label=f"{failed} failed", state="error")
            st.error(state.short(exc), icon=":material/error:")
        else:
            status.update(label=f"Made {len(modalities)} — see below and in the Gallery", state="complete")
    st.session_state.last_job = state.results()[: len(job["done"])][::-1]  # in the order made
    st.session_state.job = None


def _results() -> None:
    paths = [Path(p) for p in st.session_state.get("last_job", []) if Path(p).exists()]
    if not paths:
        return
    st.subheader("Just made")
    cols = st.columns(len(paths))
    for col, path in zip(cols, paths):
        with col, state.guard():
            modality = app_outputs.read_modality(str(path))
            media_view.media(path, modality)
            st.caption(f"{modality} · `{path.name}`")
            media_view.scores(path)
            media_view.download(path, key=f"dl_last_{path.name}")


def page() -> None:
    st.title("Generate")
    info = state.emotion_info()
    arc = arc_editor.current_arc()
    head = st.columns([3, 1], vertical_alignment="center")
    with head[0]:
        emotion_view.chip(info)
        if arc is not None:
            st.caption(f"Video and voice follow the arc ({len(arc.keys)} keys, {arc.end:g} s).")
    head[1].page_link("compose_page.py", label="Change emotion", icon=":material/tune:")
    if st.session_state.get("job"):
        job = st.session_state.job
        st.warning(
            f"Stopped after {len(job['done'])} of {len(job['plan'])} ({', '.join(job['done']) or 'nothing finished'}).",
            icon=":material/stop_circle:",
        )
        st.session_state.job = None
    st.session_state.setdefault("gen_choice", "Image")
    choice = st.segmented_control("Make", list(CHOICES), key="gen_choice")
    modalities = CHOICES[choice or "Image"]
    left, right = st.columns([2, 3])
    with left:
        plan = _settings(modalities)
        with st.container(horizontal=True):
            go = st.button(
                "Generate", type="primary", icon=":material/auto_awesome:", disabled=plan is None, key="btn_generate"
            )
            st.button("Stop", icon=":material/stop:", key="btn_stop", help="Takes effect between artifacts.")
            st.button("New seed", icon=":material/casino:", key="btn_dice", on_click=_new_seed)
    with right:
        if go and plan is not None:
            with state.guard():
                _run(modalities, plan)
        _results()


page()
