"""Bar charts drawn as SVG on the server: no JavaScript, no chart library, and the same
numbers offered as a table for screen readers and for copying."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 48, 36, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class BarChart:
    title: str
    unit: str
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y position, value) of the horizontal grid lines
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def _nice_top(largest: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `largest`."""
    if largest <= 1:
        return 1
    power = 10 ** math.floor(math.log10(largest))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= largest)


def bar_chart(series: list[tuple], *, title: str, unit: str, label_format: str) -> BarChart:
    """`series` is [(when, count), …]; labels are `when` formatted with `label_format`."""
    top = _nice_top(max((count for _, count in series), default=0))
    plot_width = WIDTH - LEFT - 8
    plot_height = HEIGHT - BOTTOM - TOP
    slot = plot_width / max(len(series), 1)
    bars = []
    for index, (when, count) in enumerate(series):
        height = plot_height * count / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=when.strftime(label_format),
                value=count,
            )
        )
    # Grid lines at whole numbers only: 0-1-2 for small counts, quarters otherwise.
    values = range(top + 1) if top <= 4 else [top * n // 4 for n in range(5)]
    ticks = [(round(HEIGHT - BOTTOM - plot_height * value / top, 1), value) for value in values]
    return BarChart(title=title, unit=unit, bars=bars, ticks=ticks)


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    key: str
    value: int


@dataclass(frozen=True)
class StackedChart:
    title: str
    unit: str
    keys: list[str]  # the stacked categories, in legend order
    columns: list[tuple[str, float, list[Segment], int]]  # (label, label x, segments, total)
    ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def stacked_chart(
    series: list[tuple], *, keys: list[str], title: str, unit: str, label_format: str
) -> StackedChart:
    """`series` is [(when, {key: count}), …]; each column stacks `keys` bottom up."""
    totals = [sum(counts.get(key, 0) for key in keys) for _, counts in series]
    top = _nice_top(max(totals, default=0))
    plot_width = WIDTH - LEFT - 8
    plot_height = HEIGHT - BOTTOM - TOP
    slot = plot_width / max(len(series), 1)
    columns = []
    for index, ((when, counts), total) in enumerate(zip(series, totals, strict=True)):
        y = HEIGHT - BOTTOM
        segments = []
        for key in keys:
            value = counts.get(key, 0)
            height = plot_height * value / top
            y -= height
            if value:
                segments.append(
                    Segment(round(LEFT + index * slot + slot * 0.15, 1), round(y, 1),
                            round(slot * 0.7, 1), round(height, 1), key, value)
                )  # fmt: skip
        label_x = round(LEFT + index * slot + slot * 0.15, 1)
        columns.append((when.strftime(label_format), label_x, segments, total))
    values = range(top + 1) if top <= 4 else [top * n // 4 for n in range(5)]
    ticks = [(round(HEIGHT - BOTTOM - plot_height * value / top, 1), value) for value in values]
    return StackedChart(title=title, unit=unit, keys=keys, columns=columns, ticks=ticks)
