"""One way to write an uplift, for every input that states one.

The convention (docs/calendars.md, "Uplift"): **an uplift is the extra volume
on top of the usual, written as a signed percentage (``+80%``) or as the same
fraction (``0.8``); ``x1.8`` states the multiplier instead.** So ``+80%``,
``0.8`` and ``x1.8`` all mean "1.8 times the usual volume".

A bare number is the one form that can be misread: ``80`` meant as +80 % would
be taken as +8,000 % (×81), and ``-20`` meant as -20 % is impossible. Bare
numbers from ``BARE_LIMIT`` up, and from -1 down, are therefore refused with
the spellings that say what was meant. The limit sits far above real campaign
effects (Black Friday on chat is a few hundred percent, a bare 2 to 5) and at
the low end of how people write percentages (10 %, 20 %, 50 %).

Used by the sale calendar (``X-PEAKPLAN-UPLIFT``, the CSV ``uplift`` column)
and by ``staff whatif --uplift`` in scheduler.
"""

from __future__ import annotations

import math
import re

__all__ = ["BARE_LIMIT", "MAX_EXTRA", "SPELLINGS", "UpliftValueError", "parse_uplift", "uplift_multiplier"]

# A bare number at or above this (or at or below -1) is taken for a percentage without its %.
BARE_LIMIT = 10.0
# +10,000 % (x101): beyond any campaign; larger values are typos or overflow bait (1e308).
MAX_EXTRA = 100.0
SPELLINGS = "+80% (percentage), 0.8 (the same as a fraction) or x1.8 (multiplier)"

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_PERCENT = re.compile(rf"({_NUMBER})\s*%")
_MULTIPLIER = re.compile(rf"[x×*]\s*({_NUMBER})", re.IGNORECASE)
_BARE = re.compile(_NUMBER)


class UpliftValueError(ValueError):
    """An uplift that is not one of the accepted spellings; the message says which to use."""


def parse_uplift(value: str) -> float:
    """The extra volume as a fraction: ``"+80%"`` -> 0.8, ``"0.8"`` -> 0.8, ``"x1.8"`` -> 0.8.

    Raises:
        UpliftValueError: not a number, percentage or multiplier; not finite;
            volume at or below zero; or a bare number that looks like a
            percentage written without ``%`` (``80``, ``-20``).
    """
    text = value.strip()
    if (match := _PERCENT.fullmatch(text)) is not None:
        extra = float(match.group(1)) / 100.0
    elif (match := _MULTIPLIER.fullmatch(text)) is not None:
        extra = float(match.group(1)) - 1.0
    elif _BARE.fullmatch(text):
        extra = float(text)
        if (extra >= BARE_LIMIT or extra <= -1.0) and -100.0 < extra <= MAX_EXTRA * 100.0:
            raise UpliftValueError(
                f"uplift {value!r} looks like a percentage without its '%': a bare number is a fraction of "
                f"the usual volume, so {text} would be {extra * 100:+,.0f}%. "
                f"Write {extra:+g}% (or {extra / 100:g} as a fraction) if you mean {extra:+g}%"
            )
    else:
        raise UpliftValueError(f"uplift {value!r} is not an uplift: write {SPELLINGS}")
    if not math.isfinite(extra):
        raise UpliftValueError(f"uplift {value!r} is not a finite number: write {SPELLINGS}")
    if extra <= -1.0:
        raise UpliftValueError(f"uplift {value!r} must be above -100% (x0): volume cannot drop to zero or below")
    if extra > MAX_EXTRA:
        raise UpliftValueError(
            f"uplift {value!r} is above +{MAX_EXTRA * 100:,.0f}% (x{MAX_EXTRA + 1:g}), beyond any campaign"
        )
    return extra


def uplift_multiplier(value: str) -> float:
    """The volume multiplier of an uplift: ``"+80%"`` -> 1.8 (see :func:`parse_uplift`)."""
    return 1.0 + parse_uplift(value)
