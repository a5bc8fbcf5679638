"""Dataset adapters on small fixture files written in the public formats, each with broken records mixed in:
the good ones load, the bad ones are counted with a reason, nothing raises."""

import io
import json
import tarfile

import pytest
from PIL import Image

from conditioning import StudioError
from finetune.datasets import detect_format, load_dataset


def png(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (200, 30, 30)).save(path)
    return path


def emoart_record(rid, image_path, emotion="sadness", valence="Negative", arousal="Low"):
    return {
        "request_id": rid,
        "image_path": image_path,
        "description": {
            "first_section": {"description": "A lone boat on a grey sea. More text."},
            "second_section": {
                "visual_attributes": {
                    "brushstroke": "Loose, visible strokes",
                    "color": "Muted greys and blues",
                    "composition": "Empty horizon",
                    "light_and_shadow": "Dim overcast light",
                    "line_quality": "Soft edges",
                },
                "emotional_impact": "melancholy",
            },
            "third_section": {
                "emotional_arousal_level": arousal,
                "emotional_valence": valence,
                "dominant_emotion": emotion,
                "healing_effects": [],
            },
        },
    }


def test_emoart_records_archives_and_broken(tmp_path):
    png(tmp_path / "images/romanticism/a.png")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    with tarfile.open(tmp_path / "images/baroque.tar.gz", "w:gz") as tar:  # a style shipped only as an archive
        info = tarfile.TarInfo("baroque/b.png")
        info.size = len(buffer.getvalue())
        tar.addfile(info, io.BytesIO(buffer.getvalue()))
    records = [
        emoart_record("1", "images/romanticism/a.png"),
        emoart_record("2", "images/baroque/b.png", emotion="zzzq", valence="Positive", arousal="High"),
        emoart_record("3", "images/romanticism/missing.png"),
        {"request_id": "4"},
        emoart_record("5", "images/romanticism/a.png", emotion="zzzq", valence="?", arousal="?"),
    ]
    (tmp_path / "annotations.json").write_text(json.dumps(records))
    assert detect_format(tmp_path) == "emoart"
    data = load_dataset(tmp_path)
    assert [r.source for r in data.records] == ["1", "2"]
    assert data.records[0].emotion == "sadness"
    assert data.records[0].caption.startswith("A lone boat on a grey sea, evoking sadness, Muted greys")
    assert data.records[1].emotion in ("amusement", "excitement") and data.records[1].media.is_file()
    assert len(data.bad) == 3 and "missing" in data.bad[0].reason


def test_imagefolder_metadata_jsonl(tmp_path):
    png(tmp_path / "a.png")
    png(tmp_path / "b.png")
    lines = [
        {"file_name": "a.png", "text": "a storm at sea evoking fear"},
        {"file_name": "b.png", "text": "a field", "emotion": "happy"},
        {"file_name": "c.png", "text": "missing"},
        {"file_name": "a.png", "text": ""},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n{not json\n"
    (tmp_path / "metadata.jsonl").write_text(text)
    data = load_dataset(tmp_path)
    assert data.format == "imagefolder"
    assert [(r.caption, r.emotion) for r in data.records] == [
        ("a storm at sea evoking fear", "fear"),
        ("a field", "excitement"),
    ]
    assert len(data.bad) == 3


def test_emoset_folders(tmp_path):
    png(tmp_path / "image/awe/awe_00000.jpg")
    png(tmp_path / "image/fear/fear_00000.jpg")
    (tmp_path / "image/fear/notes.txt").write_text("x")
    (tmp_path / "image/fear/empty.jpg").write_bytes(b"")
    (tmp_path / "image/zzzq").mkdir()
    data = load_dataset(tmp_path)
    assert data.format == "emoset" and data.emotions() == ["awe", "fear"]
    assert data.records[0].caption == "a photo, evoking awe"
    assert len(data.bad) == 3


def test_video_metadata_csv_and_paired(tmp_path):
    csv_dir, paired = tmp_path / "csv", tmp_path / "paired"
    for folder in (csv_dir, paired):
        folder.mkdir()
        (folder / "a.mp4").write_bytes(b"\0")
        (folder / "b.mp4").write_bytes(b"\0")
    rows = "video,prompt,emotion\na.mp4,a dark street,fear\nb.mp4,a bright field evoking awe,\nzz.mp4,gone,\n"
    (csv_dir / "metadata.csv").write_text(rows)
    data = load_dataset(csv_dir)
    assert data.format == "video" and [r.emotion for r in data.records] == ["fear", "awe"]
    assert len(data.bad) == 1 and data.bad[0].source == "metadata.csv:4"
    (paired / "a.txt").write_text("a calm sea evoking contentment\n")
    data = load_dataset(paired, format="video")
    assert [(r.caption, r.emotion) for r in data.records] == [("a calm sea evoking contentment", "contentment")]
    assert data.bad[0].reason == "no caption file b.txt"


def test_emovoice_jsonl_with_bad_line(tmp_path):
    (tmp_path / "wavs").mkdir()
    (tmp_path / "wavs/1.wav").write_bytes(b"RIFF")
    good = {
        "key": "1",
        "source_text": "x",
        "target_text": "I can't believe it.",
        "emotion": "fearful",
        "emotion_text_prompt": "trembling, hushed voice",
        "target_wav": "wavs/1.wav",
    }
    lines = [json.dumps(good), "{broken", json.dumps({**good, "key": "2", "target_wav": "wavs/2.wav"})]
    (tmp_path / "test.jsonl").write_text("\n".join(lines) + "\n")
    data = load_dataset(tmp_path / "test.jsonl")
    assert data.format == "emovoice"
    assert [(r.emotion, r.text, r.caption) for r in data.records] == [
        ("fear", "I can't believe it.", "trembling, hushed voice")
    ]
    assert len(data.bad) == 2 and "2 bad" in data.summary()


def test_unknown_format_and_missing_path(tmp_path):
    with pytest.raises(StudioError, match="--format"):
        load_dataset(tmp_path)
    with pytest.raises(StudioError, match="does not exist"):
        load_dataset(tmp_path / "nope")
