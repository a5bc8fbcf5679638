import pytest

from conditioning.lexicon import get_lexicon


def test_lexicon_has_at_least_sixty_cited_words_on_the_plane():
    entries = get_lexicon().entries
    assert len(entries) >= 60
    for entry in entries.values():
        assert entry.sources, entry.word
        assert all(-1.0 <= x <= 1.0 for x in entry.vad), entry


def test_two_published_sources_are_averaged_on_the_unit_scale():
    fear = get_lexicon().entries["fear"]
    nrc = (2 * 0.073 - 1, 2 * 0.840 - 1, 2 * 0.293 - 1)
    warriner = ((2.93 - 5) / 4, (6.14 - 5) / 4, (3.32 - 5) / 4)
    russell = (-0.34, 0.64)  # 'afraid', V and A only
    assert fear.vad[0] == pytest.approx((nrc[0] + warriner[0] + russell[0]) / 3, abs=1e-3)
    assert fear.vad[1] == pytest.approx((nrc[1] + warriner[1] + russell[1]) / 3, abs=1e-3)
    assert fear.vad[2] == pytest.approx((nrc[2] + warriner[2]) / 2, abs=1e-3)
    assert len(fear.sources) == 3


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("Angry", "anger"),
        ("anger", "anger"),
        ("angrily", "anger"),
        ("terrified", "terror"),
        ("Sadly", "sadness"),
        ("joyfully", "joy"),
        ("calmness", "calm"),
        ("anxieties", "anxiety"),
        ("scared", "fear"),
        ("proud", "pride"),
    ],
)
def test_inflected_forms_find_their_lemma(form, lemma):
    assert get_lexicon().lookup(form).word == lemma


def test_intensity_grows_with_extremity():
    lexicon = get_lexicon()
    assert lexicon.lookup("furious").intensity > lexicon.lookup("annoyed").intensity
    assert lexicon.lookup("ecstatic").intensity > lexicon.lookup("pleased").intensity
