"""查看口径 View：每条规则（数据截至、按日期选区间、本县与目标名次、查询参数）只在 chuangwen.view 写一次。"""

from datetime import date, datetime

import pytest

from chuangwen import queries
from chuangwen.view import NoData, View, cutoff_of, day_end, day_start

META = {
    "data_cutoff": "2026-11-15T18:00:00",
    "data_first_at": "2026-03-02T09:00:00",
    "our_region_code": "990101",
    "county_name": "甲县",
    "province_name": "某省",
    "target_rank": "8",
    "rival_region_codes": "990102,990103",
    "is_demo": "1",
    "region_name:990101": "甲县",
    "region_name:990102": "乙县",
}


@pytest.fixture(autouse=True)
def no_overrides(monkeypatch):
    for name in ("CHUANGWEN_OUR_CODE", "CHUANGWEN_TARGET_RANK", "CHUANGWEN_REBOUND_DAYS"):
        monkeypatch.delenv(name, raising=False)


def test_cutoff_is_the_recorded_one_then_the_derived_one():
    assert cutoff_of({"data_cutoff": "2026-11-15T18:00:00", "data_cutoff_derived": "2026-11-20T00:00:00"}) == datetime(
        2026, 11, 15, 18
    )
    assert cutoff_of({"data_cutoff_derived": "2026-11-20T08:30:00"}) == datetime(2026, 11, 20, 8, 30)
    assert cutoff_of({}) is None


def test_default_view_is_the_30_days_before_the_cutoff_to_the_minute_like_the_monthly_briefing():
    v = View.of(META, snapshot="第 3 版")
    assert (v.cutoff, v.as_of, v.period_start, v.first_day) == (
        datetime(2026, 11, 15, 18),
        datetime(2026, 11, 15, 18),
        datetime(2026, 10, 16, 18),
        date(2026, 3, 2),
    )
    assert v.first_period_day == date(2026, 10, 16) and v.default_days == (date(2026, 10, 16), date(2026, 11, 15))
    assert v.period_text == "2026年10月16日 18:00 至 2026年11月15日 18:00（不含起点）"
    # 日期控件选回这两天：仍是默认区间；换一天起：从那天 0 时起
    assert v.for_days(date(2026, 10, 16), date(2026, 11, 15)).period_start == datetime(2026, 10, 16, 18)
    other = v.for_days(date(2026, 10, 17), date(2026, 11, 15))
    assert other.period_start == datetime(2026, 10, 16, 23, 59, 59, 999999)
    assert other.period_text == "2026年10月17日 至 2026年11月15日"
    assert (v.county_code, v.county_name, v.province_name, v.target_rank, v.rival_codes, v.is_demo, v.snapshot) == (
        "990101",
        "甲县",
        "某省",
        8,
        "990102,990103",
        True,
        "第 3 版",
    )
    assert not v.is_history


def test_settings_win_over_meta_for_county_and_target(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_OUR_CODE", "990102")
    monkeypatch.setenv("CHUANGWEN_TARGET_RANK", "3")
    v = View.of(META)
    assert (v.county_code, v.target_rank) == ("990102", 3)
    # 名称一律取地区表（不是 meta 里原来那个县的名称，也不是代码）
    assert (v.county_name, v.title_suffix, v.county_chosen) == ("乙县", " · 乙县", True)


def test_the_store_setting_wins_over_environment_and_meta(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_OUR_CODE", "990101")
    v = View.of(META, chosen={"our_region_code": "990102", "target_rank": "12"})
    assert (v.county_code, v.county_name, v.target_rank) == ("990102", "乙县", 12)


def test_a_county_not_in_the_ranking_group_is_not_chosen_and_titles_do_not_end_in_a_dot():
    v = View.of({**META, "our_region_code": "IMPX0023"})
    assert (v.county_code, v.county_name, v.county_chosen, v.title_suffix) == ("IMPX0023", "", False, "")
    v = View.of({k: val for k, val in META.items() if k != "our_region_code"})
    assert (v.county_code, v.county_chosen, v.title_suffix) == ("", False, "")


def test_empty_store_has_no_view_unless_a_moment_is_given():
    with pytest.raises(NoData, match="没有写明数据截至时间"):
        View.of({})
    v = View.of({}, as_of=datetime(2026, 1, 5, 12))
    assert (v.cutoff, v.as_of, v.target_rank, v.county_code) == (
        datetime(2026, 1, 5, 12),
        datetime(2026, 1, 5, 12),
        None,
        "",
    )


def test_a_day_ends_at_the_cutoff_on_the_cutoff_day_else_at_midnight():
    cutoff = datetime(2026, 11, 15, 18)
    assert day_end(date(2026, 11, 15), cutoff) == cutoff
    assert day_end(date(2026, 11, 14), cutoff) == datetime(2026, 11, 14, 23, 59, 59)
    assert day_start(date(2026, 11, 1)) == datetime(2026, 10, 31, 23, 59, 59, 999999)


def test_picked_days_are_clamped_into_the_data():
    v = View.of(META)
    assert v.for_days(date(2020, 1, 1), date(2030, 1, 1)).period_start == day_start(date(2026, 3, 2))
    assert v.for_days(date(2020, 1, 1), date(2030, 1, 1)).as_of == datetime(2026, 11, 15, 18)
    # 终点早于起点时取起点那一天；只选了起点时终点是数据截至
    back = v.for_days(date(2026, 6, 10), date(2026, 6, 1))
    assert (back.period_start, back.as_of, back.is_history) == (
        day_start(date(2026, 6, 10)),
        datetime(2026, 6, 10, 23, 59, 59),
        True,
    )
    assert v.for_days(date(2026, 11, 1), None).as_of == datetime(2026, 11, 15, 18)
    assert v.days_ending(date(2026, 3, 20)) == (date(2026, 3, 2), date(2026, 3, 20))


def test_at_keeps_the_period_length_and_filters():
    v = View.of(META).filtered(township="T1", unit="U1", round="R1")
    moved = v.at(datetime(2026, 11, 8, 18))
    assert (moved.as_of - moved.period_start) == (v.as_of - v.period_start)
    assert (moved.township, moved.unit, moved.round) == ("T1", "U1", "R1")
    assert (v.filtered().township, v.filtered().unit, v.for_unit("U2").unit, v.for_unit("U2").township) == (
        None,
        None,
        "U2",
        "T1",
    )


def test_params_are_every_name_queries_may_declare():
    v = View.of(META, scope_unit="D01").filtered(township="T1")
    assert v.params() == {
        "as_of": datetime(2026, 11, 15, 18),
        "period_start": datetime(2026, 10, 16, 18),
        "township": "T1",
        "unit": None,
        "round": None,
        "scope_unit": "D01",
        "county": "990101",
        "target_rank": 8,
        "rebound_days": 30,
    }
    assert View.of({**META, "target_rank": ""}).params()["target_rank"] == 1  # 没有目标：差距按第 1 名算


def test_every_query_parameter_is_either_from_the_view_or_named_by_its_page():
    # 口径类参数只从 View 来：文件头里出现的其他参数都是某一页自己的（台账的状态、热点的来源……），不是口径
    view_names = set(View.of(META).params())
    page_names = {
        "round_type",
        "round_code",
        "unit_code",
        "problem_code",
        "involved_unit",
        "status",
        "overdue_only",
        "due_this_week_only",
        "min_sample",
        "prior",
        "red_max_overdue_rate",
        "w_on_time",
        "w_overdue",
        "w_rebound",
        "w_reject",
        "w_points",
        "points",
        "step",
        "site",
        "sources",
        "categories",
        "site_types",
        "severities",
        "statuses",
        "county_ring",
        "limit",
        "top",
        "origin_lon",
        "origin_lat",
        "cell_lon",
        "cell_lat",
        "west",
        "south",
        "east",
        "north",
        "start",  # 时间图的范围（timeline_rounds，由页面按图的数据给出）
        "end",
        "kind",  # 单位清单（ref_units，命令行 units list 与账号表单）的条块与查找文字
        "search",
    }
    declared = {p for q in queries.all_queries() for p in q.param_names}
    assert declared - view_names - page_names == set()
