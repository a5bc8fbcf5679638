"""Recognition round-trips, the judged-label mapping, and the recognizer registry."""

import math

import pytest

from conditioning import StudioError
from conditioning.taxonomies import get_taxonomy
from eval.recognition import Recognition, from_vad
from eval.recognizers import emotion2vec, registry
from eval.recognizers.judged import clean_label, from_label_probs


def test_recognition_round_trips_and_clips():
    rec = from_vad("x", (1.4, -0.2, 0.0), {"f0_mean_hz": math.nan, "label": "a"}, [{"t": 0.5, "vad": (0.1, 0.2, 0)}])
    assert rec.vad == (1.0, -0.2, 0.0)
    data = rec.to_dict()
    assert data["attributes"]["f0_mean_hz"] is None
    back = Recognition.from_dict(data)
    assert back.vad == rec.vad and back.per_second[0]["t"] == 0.5
    assert set(back.categories) == set(get_taxonomy("mikels8").labels)
    assert abs(sum(back.categories.values()) - 1) < 1e-3


def test_judge_labels_are_cleaned_and_given_meaning():
    assert clean_label("生气/angry") == "angry" and clean_label("neu") == "neutral" and clean_label("Sad") == "sad"
    rec = from_label_probs("j", {"生气/angry": 0.7, "开心/happy": 0.2, "其他/other": 0.1, "zzz": 0.5})
    assert rec.top_category == "anger" and rec.vad[0] < 0 < rec.vad[1]
    assert rec.attributes["top_label"] == "angry" and rec.attributes["unmapped_labels"] == 1
    assert abs(sum(rec.categories.values()) - 1) < 1e-6
    with pytest.raises(StudioError):
        from_label_probs("j", {"zzz": 1.0})


def test_emotion2vec_reports_the_emovoice_recall_class():
    labels = [
        "生气/angry",
        "厌恶/disgusted",
        "恐惧/fearful",
        "开心/happy",
        "中立/neutral",
        "其他/other",
        "难过/sad",
        "吃惊/surprised",
        "<unk>",
    ]
    rec = emotion2vec.to_recognition(labels, [0.05, 0.4, 0.3, 0.05, 0.05, 0.0, 0.05, 0.1, 0.0])
    assert rec.attributes["emovoice_recall_class"] == "other"  # disgusted + fearful + surprised fold into other
    assert rec.attributes["recall_other"] == pytest.approx(0.8)


def test_emotion2vec_without_funasr_fails_with_the_fix():
    try:
        import funasr  # noqa: F401
    except ImportError:
        with pytest.raises(StudioError, match="pip install funasr"):
            registry.get_recognizer("voice", "emotion2vec")
    else:
        pytest.skip("funasr is installed here")


def test_registry_defaults_and_errors(monkeypatch):
    assert registry.get_module("image").NAME == "image_judge"
    assert registry.get_module("video").NAME == "video_judge"
    assert registry.get_module("voice").NAME == "speech_judge"
    with pytest.raises(StudioError, match="Unknown image recognizer"):
        registry.get_module("image", "nope")
    monkeypatch.setattr(registry.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(StudioError, match=r"emotion-studio\[image\]"):
        registry.get_module("image", "clip_zero_shot")


def test_parse_recognizers(tmp_path):
    model = tmp_path / "clip"  # a judge's model folder must exist (a missing one is an error, tested in hardening)
    model.mkdir()
    chosen = registry.parse_recognizers(f"clip_zero_shot={model}, voice:speech_classifier")
    assert chosen == {
        "image": ("clip_zero_shot", str(model)),
        "video": ("video_judge", None),
        "voice": ("speech_classifier", None),
    }
    with pytest.raises(StudioError, match="Unknown recognizer"):
        registry.parse_recognizers("smell_features")
    with pytest.raises(StudioError, match="takes no option"):
        registry.get_recognizer("image", "image_features", "x")
