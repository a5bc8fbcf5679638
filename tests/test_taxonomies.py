import pytest

from conditioning.errors import StudioError
from conditioning.taxonomies import TAXONOMIES, get_taxonomy
from conditioning.taxonomy_mapping import label_positions, map_label, soft_distribution, to_emovoice_recall_class

EXPECTED_SIZES = {
    "emoart12": 12,
    "mikels8": 8,
    "ekman7": 7,
    "plutchik8": 8,
    "goemotions28": 28,
    "emovoice7": 7,
    "emotion2vec9": 9,
}


def test_every_taxonomy_is_present_with_its_exact_size_and_a_source():
    assert {name: len(t.labels) for name, t in TAXONOMIES.items()} == EXPECTED_SIZES
    assert all(t.source for t in TAXONOMIES.values())
    assert get_taxonomy("mikels8").labels[:4] == ("amusement", "awe", "contentment", "excitement")  # EmoSet order


def test_every_label_has_a_vad_position():
    for name in TAXONOMIES:
        positions = label_positions(name)
        assert set(positions) == set(TAXONOMIES[name].labels)


def test_aliases_and_unknown_taxonomy():
    assert get_taxonomy("EmoArt-12").name == "emoart12"
    with pytest.raises(StudioError, match="choose one of"):
        get_taxonomy("wheel-of-feelings")


def test_published_goemotions_to_ekman_table_is_used():
    assert map_label("nervousness", "goemotions28", "ekman7") == [("fear", 1.0)]
    assert map_label("gratitude", "goemotions28", "ekman7") == [("happiness", 1.0)]
    assert map_label("realization", "goemotions28", "ekman7") == [("surprise", 1.0)]


def test_same_emotion_different_word_maps_with_full_confidence():
    assert map_label("angry", "emovoice7", "ekman7") == [("anger", 1.0)]
    assert map_label("fear", "plutchik8", "emovoice7") == [("fearful", 1.0)]


def test_unpublished_pairs_map_to_nearest_in_vad_with_falling_confidence():
    mapped = map_label("calm", "emoart12", "mikels8")
    assert mapped[0][0] == "contentment"
    confidences = [c for _, c in mapped]
    assert confidences == sorted(confidences, reverse=True) and 0 < sum(confidences) <= 1
    assert map_label("alarmed", "emoart12", "mikels8")[0][0] in {"fear", "anger"}


def test_emotion2vec_other_and_emovoice_recall_classes():
    assert map_label("other", "emotion2vec9", "emovoice7") == [("neutral", 0.5)]
    assert to_emovoice_recall_class("fearful") == "other"
    assert to_emovoice_recall_class("happy") == "happy"


def test_soft_distribution_sums_to_one():
    dist = soft_distribution((0.9, 0.4, 0.6), "ekman7")
    assert sum(p for _, p in dist) == pytest.approx(1.0)
    assert dist[0][0] == "happiness"


def test_mapping_rejects_foreign_labels():
    with pytest.raises(StudioError, match="not a Mikels-8"):
        map_label("happy", "mikels8", "ekman7")


def test_published_grouping_routes_through_its_hub_when_the_target_has_that_label():
    assert map_label("grief", "goemotions28", "mikels8") == [("sadness", 1.0)]  # VAD alone would say disgust
    assert map_label("nervousness", "goemotions28", "mikels8") == [("fear", 1.0)]
    assert map_label("gratitude", "goemotions28", "mikels8")[0][0] in {"amusement", "contentment", "excitement"}
