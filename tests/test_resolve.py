import json

import pytest

from conditioning import EmotionArc, EmotionSpec, StudioError, resolve, resolve_arc


@pytest.mark.parametrize("word", ["Angry", "anger", "angrily", "ANGER"])
def test_labels_are_case_and_inflection_tolerant(word):
    spec = resolve(word)
    assert spec.quadrant == "neg/high"
    assert spec.categories[0][0] == "anger"


def test_taxonomy_qualified_label_and_requested_taxonomy():
    spec = resolve("mikels8:awe")
    assert (spec.label, spec.taxonomy) == ("awe", "mikels8")
    assert resolve("Happily", taxonomy="emovoice7").label == "happy"
    assert resolve("calm", taxonomy="emoart12").label == "calm"


def test_label_missing_from_the_named_taxonomy_suggests_its_closest_labels():
    with pytest.raises(StudioError) as info:
        resolve("mikels8:happy")
    message = str(info.value)
    assert "'happy' is not a Mikels-8" in message and "closest: " in message and "amusement" in message


def test_unknown_label_names_the_closest_valid_ones():
    with pytest.raises(StudioError, match="did you mean anger"):
        resolve("angyr")


@pytest.mark.parametrize(
    ("text", "vad"),
    [
        ("0.6,-0.3,0.1", (0.6, -0.3, 0.1)),
        ("(0.6 -0.3)", (0.6, -0.3, 0.0)),
        ("7,3,5 scale=1-9", (0.5, -0.5, 0.0)),
        ("0.8, 0.2, 0.5 @0-1", (0.6, -0.6, 0.0)),
        ("4,2,3 on 1-5", (0.5, -0.5, 0.0)),
    ],
)
def test_vad_strings(text, vad):
    assert resolve(text).vad == pytest.approx(vad)


def test_scale_argument_applies_to_unscaled_points():
    assert resolve("7,3,5", scale="1-9").vad == pytest.approx((0.5, -0.5, 0.0))
    assert resolve([0.75, 0.25, 0.5], scale="0-1").vad == pytest.approx((0.5, -0.5, 0.0))


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("7,3,5", "Valence 7 is outside [-1, 1]; if you meant another scale"),
        ("nan,0,0", "Valence is nan"),
        ("0.5", "got 1"),
        ("1,0,0,0", "got 4"),
        ("", "empty"),
        ("   ", "empty"),
        ({"vad": [0, 2, 0]}, "Arousal 2"),
    ],
)
def test_bad_input_is_one_clear_sentence(value, needle):
    with pytest.raises(StudioError) as info:
        resolve(value)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_blend_mixes_vad_and_categories_by_weight():
    joy, fear = resolve("joy"), resolve("fear")
    mix = resolve("joy*0.7 + fear*0.3")
    assert mix.vad[0] == pytest.approx(0.7 * joy.vad[0] + 0.3 * fear.vad[0], abs=1e-3)
    assert dict(mix.categories)["fear"] > 0.2
    assert resolve("70% joy + 30% fear").vad == pytest.approx(mix.vad, abs=1e-3)
    dict_mix = resolve({"blend": [{"emotion": "joy", "weight": 7}, {"emotion": "fear", "weight": 3}]})
    assert dict_mix.vad == pytest.approx(mix.vad, abs=1e-3)


def test_spec_round_trips_through_json():
    spec = resolve("joy tinged with fear", taxonomy="ekman7")
    again = EmotionSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec


def test_arc_parses_interpolates_and_round_trips():
    arc = resolve_arc("calm:0,dread:4")
    calm, dread = arc.keys[0][1], arc.keys[1][1]
    assert arc.at(0) == calm and arc.at(10) == dread
    mid = arc.at(2)
    assert mid.vad[0] == pytest.approx((calm.vad[0] + dread.vad[0]) / 2, abs=1e-3)
    quarter = arc.at(1)  # smooth: slow start, so a quarter of the time is less than a quarter of the way
    assert abs(quarter.vad[0] - calm.vad[0]) < 0.25 * abs(dread.vad[0] - calm.vad[0])
    assert EmotionArc.from_dict(json.loads(json.dumps(arc.to_dict()))) == arc
    assert len(arc.sample(6.0, 7)) == 7


@pytest.mark.parametrize("bad", ["calm:0,dread:0", "calm:4,dread:x", "calm", "calm:-1"])
def test_bad_arcs_are_refused(bad):
    with pytest.raises(StudioError):
        resolve_arc(bad)


def test_distribution_in_any_taxonomy_sums_to_one():
    spec = resolve("furious")
    for taxonomy in ("ekman7", "goemotions28", "emoart12", "emotion2vec9"):
        dist = spec.distribution(taxonomy)
        assert sum(p for _, p in dist) == pytest.approx(1.0, abs=1e-6)
    assert spec.nearest("ekman7", top=1)[0][0] == "anger"
