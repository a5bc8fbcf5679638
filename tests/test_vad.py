import math

import pytest

from conditioning.errors import StudioError
from conditioning.vad import quadrant, to_unit_vad


def test_scales_are_converted_only_as_stated():
    assert to_unit_vad([0.5, -0.5, 0]) == (0.5, -0.5, 0.0)
    assert to_unit_vad([0.75, 0.25, 0.5], "0-1") == (0.5, -0.5, 0.0)
    assert to_unit_vad([9, 1, 5], "1-9") == (1.0, -1.0, 0.0)
    assert to_unit_vad([5, 3], "1..5") == (1.0, 0.0, 0.0)


def test_missing_dominance_is_neutral():
    assert to_unit_vad([0.2, 0.3]) == (0.2, 0.3, 0.0)


@pytest.mark.parametrize(
    ("values", "scale", "needle"),
    [
        ([7, 3, 5], "-1-1", "Valence 7 is outside [-1, 1]"),
        ([0.2, 1.5, 0], "0-1", "Arousal 1.5 is outside the 0-1 scale"),
        ([math.nan, 0, 0], "-1-1", "Valence is nan"),
        ([0, 0, math.inf], "-1-1", "Dominance is inf"),
        ([0.1], "-1-1", "got 1"),
        ([0.1, 0.2, 0.3, 0.4], "-1-1", "got 4"),
        (["x", 0, 0], "-1-1", "'x' is not a number"),
    ],
)
def test_bad_points_name_the_bad_value(values, scale, needle):
    with pytest.raises(StudioError, match=None) as info:
        to_unit_vad(values, scale)
    assert needle in str(info.value)


def test_unknown_scale_lists_the_known_ones():
    with pytest.raises(StudioError, match="0-1"):
        to_unit_vad([0, 0, 0], "0-100")


def test_quadrants():
    assert quadrant((0.5, 0.5, 0)) == "pos/high"
    assert quadrant((-0.5, -0.1, 0)) == "neg/low"
