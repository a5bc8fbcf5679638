"""Image recognizer on constructed pictures with known answers."""

import numpy as np
from PIL import Image, ImageDraw

from conditioning.taxonomies import get_taxonomy
from eval.recognizers import image_features


def solid(rgb, size=64):
    return np.full((size, size, 3), rgb, np.uint8)


def drawing(kind: str, seed: int = 0, size: int = 512) -> np.ndarray:
    """Outlined circles, or jagged 14-point stars, on a light ground."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), (230, 230, 230))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        cx, cy = rng.uniform(60, size - 60, 2)
        r = rng.uniform(25, 60)
        if kind == "circles":
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(20, 20, 20), width=4)
        else:
            angles = np.linspace(0, 2 * np.pi, 14, endpoint=False)
            radii = np.where(np.arange(14) % 2 == 0, r, 0.45 * r)
            draw.polygon(
                [(cx + q * np.cos(a), cy + q * np.sin(a)) for a, q in zip(angles, radii)], outline=(20, 20, 20), width=4
            )
    return np.asarray(image)


def test_grey_image_has_no_colourfulness_or_hue():
    rec = image_features.recognize_array(solid((128, 128, 128)))
    assert rec.attributes["colourfulness"] == 0.0
    assert rec.attributes["saturation"] == 0.0 and rec.attributes["warmth"] == 0.0


def test_saturated_image_is_more_colourful_and_saturated_than_a_muted_one():
    vivid = np.concatenate([solid((230, 20, 20)), solid((20, 40, 230))], axis=1)
    muted = np.concatenate([solid((140, 120, 120)), solid((120, 122, 140))], axis=1)
    a, b = image_features.recognize_array(vivid), image_features.recognize_array(muted)
    assert a.attributes["colourfulness"] > b.attributes["colourfulness"] + 30
    assert a.attributes["saturation"] > b.attributes["saturation"]
    assert a.vad[1] > b.vad[1]  # Valdez & Mehrabian: saturation raises arousal


def test_brighter_image_has_higher_brightness_and_valence():
    bright, dark = (
        image_features.recognize_array(solid((220, 210, 200))),
        image_features.recognize_array(solid((40, 35, 30))),
    )
    assert bright.attributes["brightness"] > dark.attributes["brightness"] + 0.5
    assert bright.vad[0] > dark.vad[0]


def test_hue_and_warmth_follow_the_colour():
    orange = image_features.recognize_array(solid((240, 130, 20)))
    blue = image_features.recognize_array(solid((20, 80, 240)))
    assert 20 < orange.attributes["dominant_hue"] < 40 and orange.attributes["warmth"] > 0.9
    assert 215 < blue.attributes["dominant_hue"] < 235 and blue.attributes["warmth"] < -0.5
    assert orange.attributes["hue_01"] == 1.0  # all chroma in the 30–60° bin


def test_jagged_polygons_are_more_angular_than_circles():
    for seed in range(3):
        stars = image_features.recognize_array(drawing("stars", seed))
        circles = image_features.recognize_array(drawing("circles", seed))
        assert stars.attributes["angularity"] > circles.attributes["angularity"] + 0.3
        assert stars.vad[0] < circles.vad[0] and stars.vad[1] > circles.vad[1]  # Bar & Neta


def test_contrast_and_complexity_rise_with_detail():
    flat = image_features.recognize_array(solid((128, 128, 128), 128))
    busy = image_features.recognize_array(drawing("stars"))
    assert busy.attributes["contrast"] > flat.attributes["contrast"]
    assert busy.attributes["edge_density"] > flat.attributes["edge_density"] == 0.0
    assert busy.attributes["compressed_ratio"] > flat.attributes["compressed_ratio"]


def test_recognize_reads_a_file_and_returns_a_distribution_over_mikels8(tmp_path):
    path = tmp_path / "x.png"
    Image.fromarray(drawing("circles")).save(path)
    rec = image_features.recognize(path)
    assert set(rec.categories) == set(get_taxonomy("mikels8").labels)
    assert abs(sum(rec.categories.values()) - 1) < 1e-6
    assert all(-1 <= x <= 1 for x in rec.vad) and rec.per_second == []
    assert (
        abs(rec.attributes["angularity"] - image_features.recognize_array(drawing("circles")).attributes["angularity"])
        < 1e-6
    )
