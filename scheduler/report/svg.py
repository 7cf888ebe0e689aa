"""The report's drawing primitives: inline SVG written as text, no plotting library.

A :class:`Figure` is a fixed-size canvas (pixels of a 1056 px wide viewBox, which the page
scales to its width); each :class:`Panel` in it maps data to pixels on a linear or
symmetric-log y axis and draws lines, step lines, bands, shaded spans, bars and marks as
``<path>`` elements. Coordinates are whole tenths of a pixel and paths are written with
relative moves between them (exact, so no rounding drifts), which keeps a month of
15-minute intervals small. The same inputs give the same bytes: every number is
formatted the one way :func:`num` formats it, and every text is escaped.

Time axes take days since 1970-01-01 in the team's local wall-clock time (as
:func:`days_of` gives them), so whole numbers are local midnights and a DST day is drawn
with the hours it has.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

WIDTH = 1056  # px: the width the matplotlib charts had (11 in at 96 dpi)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT = "#222222"
GRID = "#dddddd"
MIDNIGHT = "#f0f0f0"
CHAR_WIDTH = 0.58  # an average glyph's width per font size, to lay out legends without measuring text
MAX_DAY_LABELS = 8  # date labels on a time axis; more would overlap at the report's width


def esc(text: object) -> str:
    """``text`` safe inside an element or a quoted attribute (queue and event names are user input)."""
    return html.escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate rounded to a tenth, written without a trailing ``.0`` and never as ``-0``."""
    tenths = int(round(value * 10))
    return tenth(tenths)


def tenth(tenths: int) -> str:
    """A whole number of tenths as text: 123 -> ``12.3``, 120 -> ``12``, -4 -> ``-0.4``."""
    sign = "-" if tenths < 0 else ""
    whole, part = divmod(abs(tenths), 10)
    return f"{sign}{whole}.{part}" if part else f"{sign}{whole}"


def text_width(text: str, size: float) -> float:
    """An estimate of ``text``'s width in px at font ``size`` (layout only: legends, labels)."""
    return len(text) * size * CHAR_WIDTH


def days_of(values: np.ndarray) -> np.ndarray:
    """Naive local datetime64 values as float days since 1970-01-01 (whole numbers are midnights)."""
    seconds = np.asarray(values).astype("datetime64[s]").astype(np.int64)
    return seconds / 86400.0


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (1, 2, 2.5 or 5 times a power of ten) from ``low`` to ``high``."""
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [low]
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    ticks = []
    k = first
    while k * step <= high + 1e-9 * step:
        ticks.append(round(k * step, 10))
        k += 1
    return ticks


def plain(value: float) -> str:
    """A tick label as a plain number: 0.5, 1, 10, 1,000 (no exponent notation)."""
    return f"{value:,.10g}"


def nice_top(high: float) -> float:
    """The smallest round number at or above ``high`` (an axis's upper limit), at least 1."""
    if not math.isfinite(high) or high <= 1:
        return 1.0
    ticks = nice_ticks(0.0, high)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else high
    return math.ceil(high / step - 1e-9) * step


@dataclass(slots=True)
class Figure:
    """One chart: a title, panels, a legend; :meth:`svg` writes it as one ``<svg>`` element."""

    height: float
    title: str
    alt: str
    width: float = WIDTH
    parts: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, content: str, *, size: float = 11, anchor: str = "start",
             colour: str = TEXT, rotate: bool = False, weight: str = "") -> None:  # fmt: skip
        """A line of text with its baseline at ``y`` (rotated a quarter turn anticlockwise when ``rotate``)."""
        turn = f' transform="rotate(-90 {num(x)} {num(y)})"' if rotate else ""
        bold = f' font-weight="{weight}"' if weight else ""
        fill = f' fill="{colour}"' if colour != TEXT else ""
        self.add(
            f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{anchor}"{fill}{bold}{turn}>'
            f"{esc(content)}</text>"
        )

    def heading(self, content: str) -> None:
        """The figure's title, centred at its top."""
        self.text(self.width / 2, 18, content, size=13, anchor="middle")

    def legend(
        self, entries: Sequence[LegendEntry], *, y: float, x: float | None = None, vertical: bool = False
    ) -> None:
        """Entries in a row centred at ``y`` (or a column from ``x``, when ``vertical``)."""
        size = 11.0
        widths = [26 + text_width(entry.label, size) + 16 for entry in entries]
        left = x if x is not None else (self.width - sum(widths)) / 2
        top = y
        parts = ['<g class="legend">']
        for entry, width in zip(entries, widths, strict=True):
            parts.append(entry.swatch(left, top))
            parts.append(
                f'<text x="{num(left + 26)}" y="{num(top + 4)}" font-size="{num(size)}">{esc(entry.label)}</text>'
            )
            if vertical:
                top += 17
            else:
                left += width
        parts.append("</g>")
        self.add("".join(parts))

    def svg(self, chart_id: str) -> str:
        """The figure as an inline ``<svg>`` (scaled to the page's width), its alt text as ``<title>``."""
        alt = esc(self.alt)
        return (
            f'<svg class="chart" id="{esc(chart_id)}" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{alt}" viewBox="0 0 {num(self.width)} {num(self.height)}" width="{num(self.width)}" '
            f'height="{num(self.height)}" font-family="{FONT}" fill="{TEXT}"><title>{alt}</title>'
            f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(self.parts) + "</svg>"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LegendEntry:
    """A legend's entry: a label and how its swatch looks (``line``, ``dash``, ``area`` or ``mark``)."""

    label: str
    colour: str
    kind: str = "line"
    opacity: float = 1.0
    width: float = 1.5

    def swatch(self, x: float, y: float) -> str:
        if self.kind == "area":
            return (
                f'<rect x="{num(x)}" y="{num(y - 5)}" width="20" height="9" fill="{self.colour}"'
                f' fill-opacity="{self.opacity:g}"/>'
            )
        if self.kind == "mark":
            return _cross(x + 10, y, 4, self.colour)
        dash = ' stroke-dasharray="2 2"' if self.kind == "dash" else ""
        return (
            f'<path d="M{num(x)} {num(y)}h20" stroke="{self.colour}" stroke-width="{self.width:g}"'
            f' stroke-opacity="{self.opacity:g}"{dash} fill="none"/>'
        )


def _cross(x: float, y: float, half: float, colour: str) -> str:
    return (
        f'<path d="M{num(x - half)} {num(y - half)}l{num(2 * half)} {num(2 * half)}m0 {num(-2 * half)}'
        f'l{num(-2 * half)} {num(2 * half)}" stroke="{colour}" stroke-width="1.5" fill="none"/>'
    )


def _symlog(values: np.ndarray) -> np.ndarray:
    """Linear within ±1, logarithmic outside (matplotlib's symlog with ``linthresh=1``, base 10)."""
    magnitude = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        logged = np.sign(values) * (1.0 + np.log10(np.maximum(magnitude, 1.0)))
    return np.where(magnitude <= 1.0, values, logged)


@dataclass(slots=True)
class Panel:
    """A plot area at (``left``, ``top``) of ``width`` × ``height`` px showing ``x_range`` × ``y_range``."""

    figure: Figure
    left: float
    top: float
    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log: bool = False  # symmetric-log y axis (linear within ±1)

    # --- scales: data -> whole tenths of a pixel ---------------------------------------------------

    def xs(self, values: np.ndarray | Sequence[float]) -> np.ndarray:
        low, high = self.x_range
        scale = self.width / (high - low) if high > low else 0.0
        return np.rint((self.left + (np.asarray(values, dtype=float) - low) * scale) * 10)

    def ys(self, values: np.ndarray | Sequence[float]) -> np.ndarray:
        low, high = self.y_range
        data = np.asarray(values, dtype=float)
        if self.log:
            data, low, high = _symlog(data), float(_symlog(np.array([low]))[0]), float(_symlog(np.array([high]))[0])
        scale = self.height / (high - low) if high > low else 0.0
        clipped = np.clip((data - low) * scale, -2.0, self.height + 2.0)  # off-scale values stay at the edge
        return np.rint((self.top + self.height - clipped) * 10)

    def x(self, value: float) -> float:
        return float(self.xs([value])[0]) / 10

    def y(self, value: float) -> float:
        return float(self.ys([value])[0]) / 10

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width

    # --- marks ----------------------------------------------------------------------------------------

    def line(self, x: np.ndarray, y: np.ndarray, colour: str, *, width: float = 1.0, opacity: float = 1.0,
             dash: str = "") -> None:  # fmt: skip
        """A polyline through the points, broken where ``y`` is NaN."""
        d = _polyline(self.xs(x), self.ys(y), np.isfinite(np.asarray(y, dtype=float)))
        self._stroke(d, colour, width, opacity, dash)

    def step(self, x: np.ndarray, y: np.ndarray, end: float, colour: str, *, width: float = 1.0,
             dash: str = "") -> None:  # fmt: skip
        """A post step line: ``y[i]`` from ``x[i]`` to ``x[i+1]`` (the last to ``end``), broken at NaN."""
        edges = np.append(np.asarray(x, dtype=float), end)
        d = _steps(self.xs(edges), self.ys(y), np.isfinite(np.asarray(y, dtype=float)))
        self._stroke(d, colour, width, 1.0, dash)

    def band(self, x: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str, opacity: float) -> None:
        """The area between two lines (a forecast band), as one filled polygon (each edge thinned)."""
        if len(x) == 0:
            return
        px = self.xs(x)
        upper_x, upper_y = _thin(px, self.ys(high))
        lower_x, lower_y = _thin(px, self.ys(low))
        outline = _relative(np.concatenate([upper_x, lower_x[::-1]]), np.concatenate([upper_y, lower_y[::-1]]))
        self.figure.add(f'<path d="{outline}z" fill="{colour}" fill-opacity="{opacity:g}"/>')

    def step_gaps(self, x: np.ndarray, lower: np.ndarray, upper: np.ndarray, end: float, where: np.ndarray,
                  colour: str, opacity: float) -> None:  # fmt: skip
        """Each interval ``where`` holds filled from ``lower`` up to ``upper`` (a shortfall between step lines)."""
        edges = _ints(self.xs(np.append(np.asarray(x, dtype=float), end)))
        lo, hi = _ints(self.ys(lower)), _ints(self.ys(upper))
        pieces = [
            f"M{tenth(int(edges[i]))} {tenth(int(lo[i]))}h{tenth(int(edges[i + 1] - edges[i]))}"
            f"v{tenth(int(hi[i] - lo[i]))}h{tenth(int(edges[i] - edges[i + 1]))}z"
            for i in np.flatnonzero(where)
        ]
        if pieces:
            self.figure.add(f'<path d="{"".join(pieces)}" fill="{colour}" fill-opacity="{opacity:g}"/>')

    def ticks_at(self, x: np.ndarray, colour: str, *, length: float = 8, width: float = 1.0) -> None:
        """Short upward marks from the panel's bottom at ``x`` (where something happens)."""
        px = _ints(self.xs(x))
        if len(px):
            bottom = int(round(self.bottom * 10))
            d = "".join(f"M{tenth(int(v))} {tenth(bottom)}v{num(-length)}" for v in px)
            self._stroke(d, colour, width, 1.0, "")

    def span(self, start: float, end: float, colour: str, opacity: float) -> None:
        """A shaded column from ``start`` to ``end`` over the panel's height (an event, a holiday)."""
        x0, x1 = self.x(max(start, self.x_range[0])), self.x(min(end, self.x_range[1]))
        if x1 > x0:
            self.figure.add(
                f'<rect x="{num(x0)}" y="{num(self.top)}" width="{num(x1 - x0)}" height="{num(self.height)}" '
                f'fill="{colour}" fill-opacity="{opacity:g}"/>'
            )

    def vline(self, at: float, colour: str, *, width: float = 1.0, dash: str = "") -> None:
        x = self.x(at)
        self._stroke(f"M{num(x)} {num(self.top)}V{num(self.bottom)}", colour, width, 1.0, dash)

    def hline(self, at: float, colour: str, *, width: float = 1.0, dash: str = "") -> None:
        y = self.y(at)
        self._stroke(f"M{num(self.left)} {num(y)}H{num(self.right)}", colour, width, 1.0, dash)

    def bars(self, centres: np.ndarray, heights: np.ndarray, width: float, colour: str) -> None:
        """Bars from zero, ``width`` in x units, as one path."""
        base = int(self.ys([0.0])[0])
        lefts = _ints(self.xs(np.asarray(centres, dtype=float) - width / 2))
        rights = _ints(self.xs(np.asarray(centres, dtype=float) + width / 2))
        tops = _ints(self.ys(np.nan_to_num(np.asarray(heights, dtype=float))))
        d = "".join(
            f"M{tenth(int(a))} {tenth(base)}V{tenth(int(t))}H{tenth(int(b))}V{tenth(base)}z"
            for a, b, t in zip(lefts, rights, tops, strict=True)
            if t != base
        )
        if d:
            self.figure.add(f'<path d="{d}" fill="{colour}"/>')

    def ranges(self, x: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str, *, width: float,
               opacity: float) -> None:  # fmt: skip
        """A vertical segment from ``low`` to ``high`` at each ``x`` (a contract's hours range)."""
        valid = np.isfinite(np.asarray(low, dtype=float)) & np.isfinite(np.asarray(high, dtype=float))
        px, lo, hi = _ints(self.xs(x)), _ints(self.ys(low)), _ints(self.ys(high))
        d = "".join(
            f"M{tenth(int(a))} {tenth(int(b))}V{tenth(int(c))}"
            for a, b, c, ok in zip(px, lo, hi, valid, strict=True)
            if ok
        )
        if d:
            self._stroke(d, colour, width, opacity, "")

    def crosses(self, x: np.ndarray, y: np.ndarray, colour: str) -> None:
        for a, b in zip(self.xs(x), self.ys(y), strict=True):
            self.figure.add(_cross(float(a) / 10, float(b) / 10, 4, colour))

    def _stroke(self, d: str, colour: str, width: float, opacity: float, dash: str) -> None:
        if not d:
            return
        extra = f' stroke-opacity="{opacity:g}"' if opacity != 1.0 else ""
        extra += f' stroke-dasharray="{dash}"' if dash else ""
        self.figure.add(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width:g}"{extra}/>')

    # --- furniture -----------------------------------------------------------------------------------

    def frame(self) -> None:
        """The panel's border, drawn after its data so lines at the edge stay under it."""
        self.figure.add(
            f'<rect x="{num(self.left)}" y="{num(self.top)}" width="{num(self.width)}" height="{num(self.height)}" '
            'fill="none" stroke="#333333" stroke-width="0.8"/>'
        )

    def y_axis(self, ticks: Sequence[float], labels: Sequence[str] | None = None, *, grid: bool = True) -> None:
        """Ticks with labels left of the panel and faint grid lines across it."""
        labels = list(labels) if labels is not None else [plain(t) for t in ticks]
        lines, texts = [], []
        for value, label in zip(ticks, labels, strict=True):
            y = self.y(value)
            lines.append(f"M{num(self.left - 4)} {num(y)}h4")
            if grid:
                lines.append(f"M{num(self.left)} {num(y)}H{num(self.right)}")
            texts.append(
                f'<text x="{num(self.left - 6)}" y="{num(y + 3.5)}" font-size="10" text-anchor="end">{esc(label)}</text>'
            )
        if lines:
            self.figure.add(f'<path d="{"".join(lines)}" stroke="{GRID}" stroke-width="0.6" fill="none"/>')
        self.figure.add("".join(texts))

    def y_title(self, lines: Sequence[str], *, offset: float = 38) -> None:
        """A rotated axis title of one or more lines, ``offset`` px left of the panel."""
        middle = self.top + self.height / 2
        for i, content in enumerate(lines):
            x = self.left - offset - 12 * (len(lines) - 1 - i)
            self.figure.text(x, middle, content, size=10.5, anchor="middle", rotate=True)

    def x_labels(self, centres: Sequence[float], labels: Sequence[str], *, size: float = 10) -> None:
        """Labels centred under ``centres``; every k-th when they would overlap."""
        if not centres:
            return
        widest = max(text_width(label, size) for label in labels) + 6
        spacing = abs(self.x(centres[-1]) - self.x(centres[0])) / max(1, len(centres) - 1)
        every = max(1, math.ceil(widest / spacing)) if spacing > 0 else 1
        texts = [
            f'<text x="{num(self.x(at))}" y="{num(self.bottom + 14)}" font-size="{num(size)}" text-anchor="middle">'
            f"{esc(label)}</text>"
            for i, (at, label) in enumerate(zip(centres, labels, strict=True))
            if i % every == 0
        ]
        self.figure.add("".join(texts))

    def time_axis(self, *, labels: bool) -> None:
        """Every local midnight as a faint line; a grid line (and, if ``labels``, a date) every few days."""
        low, high = self.x_range
        first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
        step = max(1, math.ceil((high - low) / MAX_DAY_LABELS))
        midnights = range(first, last + 1)
        labelled = [day for day in midnights if day % step == 0]
        faint = "".join(f"M{num(self.x(day))} {num(self.top)}V{num(self.bottom)}" for day in midnights)
        strong = "".join(f"M{num(self.x(day))} {num(self.top)}V{num(self.bottom + 4)}" for day in labelled)
        if faint:
            self.figure.add(f'<path d="{faint}" stroke="{MIDNIGHT}" stroke-width="0.6" fill="none"/>')
        if strong:
            self.figure.add(f'<path d="{strong}" stroke="{GRID}" stroke-width="0.6" fill="none"/>')
        if labels:
            fmt = "%a %d %b" if step == 1 else "%d %b"
            epoch = dt.date(1970, 1, 1)
            texts = []
            for day in labelled:
                label, x = f"{epoch + dt.timedelta(days=day):{fmt}}", self.x(day)
                half = text_width(label, 10) / 2
                # a date at the figure's edge ends (or starts) there instead of being cut off
                anchor = "end" if x + half > self.figure.width - 2 else "start" if x - half < 2 else "middle"
                texts.append(
                    f'<text x="{num(x)}" y="{num(self.bottom + 16)}" font-size="10" text-anchor="{anchor}">'
                    f"{esc(label)}</text>"
                )
            self.figure.add("".join(texts))

    def title(self, content: str, *, anchor: str = "start") -> None:
        """A small title just above the panel, at its left (or right) edge."""
        x = self.left if anchor == "start" else self.right
        self.figure.text(x, self.top - 5, content, size=11, anchor=anchor)


def _ints(values: np.ndarray) -> np.ndarray:
    """Whole tenths as integers (NaN, which no caller draws, as 0)."""
    return np.nan_to_num(np.asarray(values, dtype=float)).astype(np.int64)


def _relative(px: np.ndarray, py: np.ndarray) -> str:
    """``M`` to the first point, then relative moves (exact: the points are whole tenths)."""
    x, y = _ints(px), _ints(py)
    dx, dy = np.diff(x), np.diff(y)
    moves = " ".join(f"{tenth(int(a))} {tenth(int(b))}" for a, b in zip(dx, dy, strict=True))
    head = f"M{tenth(int(x[0]))} {tenth(int(y[0]))}"
    return f"{head}l{moves}" if moves else head


def _runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in ``valid``."""
    padded = np.concatenate([[False], valid, [False]]).astype(np.int8)
    changes = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(changes[::2], changes[1::2], strict=True)]


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points a line needs at its drawn resolution: within each pixel column holding more than
    two, its lowest and highest (in their order).

    Seven weeks of 15-minute intervals are ~4,700 points on ~940 px: the line through what is kept
    spans the same rows in every column (its envelope), in a fraction of the bytes. Points between
    two on the same row are dropped too (they add nothing to a straight segment).
    """
    x, y = _ints(x), _ints(y)
    if len(x) > 2:
        keep = np.ones(len(y), dtype=bool)
        keep[1:-1] = ~((y[1:-1] == y[:-2]) & (y[1:-1] == y[2:]))
        x, y = x[keep], y[keep]
    columns = x // 10
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(columns)) + 1, [len(x)]])
    if len(bounds) - 1 >= len(x) / 2:  # about a point per column or fewer: nothing to gain
        return x, y
    chosen: list[int] = []
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if b - a <= 2:
            chosen.extend(range(a, b))
        else:
            part = y[a:b]
            chosen.extend(sorted({a + int(np.argmin(part)), a + int(np.argmax(part))}))
    index = np.array(chosen, dtype=np.int64)
    return x[index], y[index]


def _polyline(px: np.ndarray, py: np.ndarray, valid: np.ndarray) -> str:
    parts = []
    for a, b in _runs(valid):
        parts.append(_relative(*_thin(px[a:b], py[a:b])))
    return "".join(parts)


def _steps(edges: np.ndarray, py: np.ndarray, valid: np.ndarray) -> str:
    """Horizontal then vertical relative moves; equal neighbouring values are one segment."""
    x, y = _ints(edges), _ints(py)
    parts = []
    for a, b in _runs(valid):
        values = y[a:b]
        change = np.concatenate([[True], values[1:] != values[:-1]])
        starts = np.flatnonzero(change) + a
        ends = np.append(starts[1:], b)
        if len(starts) > (x[b] - x[a]) / 20:  # more than one step per 2 px: its corners as a thinned line
            corner_x = np.repeat(x[starts], 2)
            corner_x[1::2] = x[ends]
            parts.append(_relative(*_thin(corner_x, np.repeat(y[starts], 2))))
            continue
        pieces = [f"M{tenth(int(x[a]))} {tenth(int(y[a]))}"]
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            if i:
                pieces.append(f"v{tenth(int(y[s] - y[starts[i - 1]]))}")
            pieces.append(f"h{tenth(int(x[e] - x[s]))}")
        parts.append("".join(pieces))
    return "".join(parts)
