"""Each style rule moves in the documented direction (FACTS §3)."""

from conditioning import resolve
from conditioning.motion_style import motion_style
from conditioning.prompt_fragments import prompt_fragments
from conditioning.prosody_style import prosody_style
from conditioning.spec import EmotionSpec
from conditioning.visual_style import brightness_saturation, visual_style


def point(v, a, d=0.0, intensity=1.0):
    return EmotionSpec(vad=(v, a, d), intensity=intensity, categories=(), source="test")


def test_valdez_mehrabian_pleasant_is_brighter_and_arousing_is_more_saturated():
    assert brightness_saturation(0.8, 0)[0] > brightness_saturation(-0.8, 0)[0]
    assert brightness_saturation(0, 0.8)[1] > brightness_saturation(0, -0.8)[1]
    assert brightness_saturation(0, 0.8)[0] < brightness_saturation(0, -0.8)[0]  # EmoVid: arousing is darker
    assert brightness_saturation(0, 0) == (0.5, 0.5)


def test_fear_is_dark_joy_bright_and_anger_angular():
    fear, joy, anger, calm = (visual_style(resolve(w)) for w in ("fear", "joy", "anger", "calm"))
    assert fear.brightness < 0.45 < joy.brightness
    assert anger.angularity > 0.5 > calm.angularity
    assert joy.saturation > calm.saturation
    assert calm.stroke_energy < anger.stroke_energy


def test_hue_follows_arousal_from_blue_to_red():
    assert 200 <= visual_style(point(-0.6, -0.4)).hue_target < 260
    assert visual_style(point(-0.5, 0.8)).hue_target > 330 or visual_style(point(-0.5, 0.8)).hue_target < 30


def test_intensity_moves_every_modality_away_from_neutral():
    weak, strong = point(-0.6, 0.6, intensity=0.1), point(-0.6, 0.6, intensity=1.0)
    assert visual_style(strong).angularity > visual_style(weak).angularity
    assert motion_style(strong).speed > motion_style(weak).speed
    assert prosody_style(strong).pitch_shift > prosody_style(weak).pitch_shift


def test_motion_speed_follows_arousal_and_sadness_sinks():
    assert motion_style(point(0, 0.8)).speed > motion_style(point(0, -0.8)).speed
    assert motion_style(resolve("sadness")).drift < 0 < motion_style(resolve("joy")).drift
    assert motion_style(resolve("terror")).shake > motion_style(resolve("serenity")).shake


def test_prosody_follows_murray_and_arnott():
    anger, sadness, fear, calm = (prosody_style(resolve(w)) for w in ("anger", "sadness", "fear", "calm"))
    assert anger.pitch_shift > 2 and anger.loudness_db > 0 and anger.contour == "abrupt"
    assert sadness.pitch_shift < 0 and sadness.rate < 1 and sadness.contour == "falling"
    assert fear.rate > 1.15 and fear.tremor > 0.3
    assert calm.pitch_shift < 0.5 and calm.rate <= 1.0  # calm must not inherit joy's raised pitch


def test_slightly_annoyed_and_furious_differ_in_voice():
    slight, furious = prosody_style(resolve("slightly annoyed")), prosody_style(resolve("furious"))
    assert furious.pitch_shift - slight.pitch_shift > 2
    assert furious.loudness_db - slight.loudness_db > 2


def test_prompt_fragments_speak_emoarts_attribute_vocabulary():
    fragments = prompt_fragments(resolve("fear"))
    text = " ".join(fragments.image)
    for attribute in ("palette", "light", "composition", "lines", "brush"):
        assert attribute in text
    assert "evoking fear" in text and "dark" in text
    assert "cheerful" in fragments.negative
    assert "fearful voice" in fragments.speech
    assert "motion" in " ".join(fragments.video)
    assert "gloomy" in prompt_fragments(resolve("joy")).negative
