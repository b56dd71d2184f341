from datetime import date

from apps.core.charts import bar_chart


def series(*counts):
    return [(date(2025, 1, 6 + 7 * n), count) for n, count in enumerate(counts)]


def test_bars_are_drawn_to_scale_with_a_round_top():
    chart = bar_chart(series(0, 7, 14), title="t", unit="u", label_format="%b %-d")

    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0 and heights[2] == 2 * heights[1]
    assert [value for _, value in chart.ticks] == [0, 5, 10, 15, 20]
    assert [bar.label for bar in chart.bars] == ["Jan 6", "Jan 13", "Jan 20"]


def test_small_counts_get_one_grid_line_per_whole_number():
    chart = bar_chart(series(0, 1), title="t", unit="u", label_format="%b %-d")

    assert [value for _, value in chart.ticks] == [0, 1]


def test_an_empty_series_draws_nothing_and_does_not_fail():
    chart = bar_chart([], title="t", unit="u", label_format="%b %-d")

    assert chart.bars == [] and [value for _, value in chart.ticks] == [0, 1]
