"""网址里的共用筛选：日期夹到数据范围，选项只认库里有的，其余忽略并说明。"""

from __future__ import annotations

from datetime import date

from chuangwen import urlparams

SPAN = {"first_day": date(2024, 1, 1), "last_day": date(2026, 11, 30)}
REFS = {"townships": ["T1", "T2"], "units": ["U1"], "rounds": ["R1"]}


def parse(**params):
    return urlparams.parse_shared(params, **REFS, **SPAN)


def test_valid_values_are_taken_as_they_are():
    got = parse(**{"from": "2026-11-01", "to": "2026-11-07", "town": "T2", "unit": "U1", "round": "R1"})
    assert got == urlparams.SharedFilters(date(2026, 11, 1), date(2026, 11, 7), "T2", "U1", "R1", ())


def test_dates_outside_the_data_are_clamped_with_a_note():
    got = parse(**{"from": "0001-01-01", "to": "9999-12-31"})
    assert (got.start, got.end) == (date(2024, 1, 1), date(2026, 11, 30))
    assert got.notes == (
        "网址参数 from 的日期 0001-01-01 超出数据范围（2024-01-01 至 2026-11-30），已按 2024-01-01 处理。",
        "网址参数 to 的日期 9999-12-31 超出数据范围（2024-01-01 至 2026-11-30），已按 2026-11-30 处理。",
    )


def test_reversed_range_is_ignored():
    got = parse(**{"from": "2026-11-07", "to": "2026-11-01"})
    assert (got.start, got.end) == (None, None)
    assert got.notes == ("网址参数 from（2026-11-07）晚于 to（2026-11-01），统计区间已忽略。",)


def test_unknown_codes_and_garbage_are_ignored_and_quoted_short():
    got = parse(town="T1' or 1=1 --", unit="x" * 100_000, **{"from": "2026-02-30"})
    assert (got.start, got.township, got.unit) == (None, None, None)
    assert got.notes == (
        "网址参数 from（统计区间起点）的值“2026-02-30”不是 YYYY-MM-DD 日期，已忽略。",
        "网址参数 town（镇街）的值“T1' or 1=1 --”在库中没有（或不在您的查看范围内），已忽略。",
        f"网址参数 unit（牵头单位）的值“{'x' * 24}…”在库中没有（或不在您的查看范围内），已忽略。",
    )


def test_unknown_parameter_names_get_a_note_but_streamlit_own_do_not():
    assert urlparams.unknown_keys({"embed": "true", "st": "逾期", "from": "x", "foo<b>": "1"}, ["st"]) == [
        "网址参数“foo<b>”不认识，已忽略。"
    ]
