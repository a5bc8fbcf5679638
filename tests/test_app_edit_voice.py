"""The app's Edit voice page (AppTest runs the script in-process): upload a recording or pick one from the output
store, give it the composed emotion with studio.edit_voice, hear and download the result, read what changed; a file
that is not audio is one message and the page keeps working."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from speech_measure import loudness_db, median_st

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conditioning import resolve  # noqa: E402
from generators.voice import espeak  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENTRY = str(ROOT / "app" / "studio_app.py")
WORDS = "I never thought I would see you here again. The train leaves at nine tomorrow morning."


@pytest.fixture(scope="module")
def neutral() -> tuple[np.ndarray, int]:
    return espeak.synthesize(WORDS, resolve("neutral"))


def wav_bytes(x: np.ndarray, sr: int) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, x, sr, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


@pytest.fixture
def at(out) -> AppTest:
    """The app with 'anger' composed, on the Edit voice page."""
    app = AppTest.from_file(ENTRY, default_timeout=60)
    app.run()
    app.pills(key="label_pick").set_value("anger").run()
    app.switch_page("edit_voice_page.py").run()
    assert_fine(app)
    return app


def assert_fine(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def test_an_uploaded_recording_gets_the_composed_emotion_and_the_page_says_what_changed(at, out, neutral):
    assert at.title[0].value == "Edit a voice"
    assert at.button(key="btn_edit_voice").disabled  # nothing to edit yet
    at.file_uploader(key="voice_upload").upload("take one.wav", wav_bytes(*neutral), "audio/wav").run()
    at.button(key="btn_edit_voice").click().run()
    assert_fine(at)

    made = Path(at.session_state["results"][0])
    assert made.parent == out / "voice" and made.suffix == ".wav"
    y, sr = soundfile.read(made)
    x, sr_in = neutral
    assert sr == sr_in
    assert median_st(y, sr, speech_only=True) > median_st(x, sr, speech_only=True) + 2.0  # anger: higher, louder
    assert loudness_db(y, sr) > loudness_db(x, sr) + 2.0

    record = json.loads(made.with_suffix(".json").read_text())
    source = Path(record["parameters"]["source"])
    assert source.parent == out / "voice" / "uploads" and source.read_bytes() == wav_bytes(*neutral)
    assert record["spec"]["source"] == "mikels8:anger"
    changes = at.dataframe[0].value
    pitch = changes[changes["change"] == "Pitch"]["value"].iloc[0]
    assert pitch.startswith("+") and pitch.endswith("st")
    assert f"{record['parameters']['changes']['pitch_shift_st']:+.1f} st" == pitch
    assert at.json  # the full provenance
    assert len(at.get("audio")) == 2  # the original beside the edit
    assert at.get("download_button")


def test_a_voice_from_the_output_store_can_be_edited_again(at, out, neutral):
    stored = out / "voice" / "calm-take.wav"
    stored.parent.mkdir(parents=True)
    soundfile.write(stored, *neutral)
    at.segmented_control(key="editv_source").set_value("A voice in the output folder").run()
    assert at.selectbox(key="editv_stored").value == str(stored)
    at.number_input(key="editv_seed").set_value(7).run()
    at.button(key="btn_edit_voice").click().run()
    assert_fine(at)
    made = Path(at.session_state["results"][0])
    record = json.loads(made.with_suffix(".json").read_text())
    assert record["parameters"]["source"] == str(stored) and record["seed"] == 7
    assert "-edit-s7-" in made.name


def test_a_file_that_is_not_audio_is_one_message_and_the_page_still_works(at, neutral):
    at.file_uploader(key="voice_upload").upload("notes.wav", b"not a recording", "audio/wav").run()
    at.button(key="btn_edit_voice").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "Cannot read the recording" in at.error[0].value
    at.file_uploader(key="voice_upload").set_value(("take.wav", wav_bytes(*neutral), "audio/wav")).run()
    at.button(key="btn_edit_voice").click().run()
    assert_fine(at)
    assert at.dataframe
