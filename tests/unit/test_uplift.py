"""The one uplift convention: +80% = 0.8 = x1.8; bare numbers that look like percentages are refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendars.uplift import BARE_LIMIT, MAX_EXTRA, UpliftValueError, parse_uplift, uplift_multiplier


@pytest.mark.parametrize(
    ("value", "extra"),
    [("+80%", 0.8), ("80%", 0.8), ("0.8", 0.8), ("x1.8", 0.8), ("×1.8", 0.8), ("X1.8", 0.8), ("-20%", -0.2),
     ("-0.2", -0.2), ("x0.8", -0.2), ("1.5", 1.5), ("+150 %", 1.5), ("9.5", 9.5), (".5", 0.5), ("5e1%", 0.5)],
)  # fmt: skip
def test_spellings(value, extra):
    assert parse_uplift(value) == pytest.approx(extra)
    assert uplift_multiplier(value) == pytest.approx(1 + extra)


@pytest.mark.parametrize(
    ("value", "hint"),
    [("80", "Write +80% (or 0.8 as a fraction)"), ("-20", "Write -20% (or -0.2 as a fraction)"),
     ("10", "Write +10%"), ("-1", "Write -1%")],
)  # fmt: skip
def test_bare_percentages_are_refused_with_the_spelling_meant(value, hint):
    with pytest.raises(UpliftValueError, match="looks like a percentage") as info:
        parse_uplift(value)
    assert hint in str(info.value)


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "+1e308%", "x1e300", "-100%", "x0", "-150", "lots", "", "1,5", "1.5x"])
def test_absurd_values_are_refused(value):
    with pytest.raises(UpliftValueError):
        parse_uplift(value)


@given(st.floats(min_value=-0.999, max_value=BARE_LIMIT - 0.001))
def test_bare_fractions_below_the_limit_mean_the_same_as_their_percentage(fraction):
    assert parse_uplift(repr(fraction)) == pytest.approx(parse_uplift(f"{fraction * 100!r}%"))


@given(st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
def test_anything_parses_to_a_plausible_value_or_is_refused(value):
    try:
        extra = parse_uplift(str(value))
    except UpliftValueError:
        return
    assert -1.0 < extra <= MAX_EXTRA
