"""红黑榜的规则（查询片段 _league_score.sql 与 _league_rank.sql，单位与镇街共用）在手写的小表上逐条核对：
小样本向全县比率收缩、红榜资格、黑榜在不足 10 个有名次时只取后一半、并列、两个榜不重复。"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from chuangwen import league, settings


def _fragment(name: str) -> str:
    return (settings.APP_ROOT / "queries" / name).read_text(encoding="utf-8")


def board(rows: list[tuple], *, prior: float = 0.0, red_max: float = 0.2, min_sample: int = 1) -> pd.DataFrame:
    """rows：(名称, 区间内销号, 其中按期, 在办, 其中逾期, 其中逾期 30 天以上[, 反弹重开, 退回, 审核次数, 销号天数合计])；
    只按按期销号率计分，便于手算。后四项不给时为 0、0、区间内销号数、每条 1 天。"""
    values = ",\n".join(
        f"('cur', '条', '{n}', {r[0] + r[2]}, {r[0]}, {r[1]}, {r[2]}, {r[3]}, {r[4]}, "
        f"{extra[0]}, {extra[1]}, {extra[2]}, {extra[3]}, {r[0]}, 0.0)"
        for n, *r in rows
        for extra in [(list(r[5:]) + [0, 0, r[0], float(r[0])][len(r[5:]) :])]
    )
    sql = (
        f"with board(period, kind, name, sample, closed, closed_on_time, open_now, overdue, overdue_over_30, "
        f"reopened, rejected, reviewed, days_to_close_sum, days_to_close_n, points_lost) as (values {values}),\n"
        + _fragment("_league_score.sql")
        + "\n"
        + _fragment("_league_rank.sql")
        + "\nselect name, score, rank, ranked_count, is_red, is_black, red_eligible from ranked order by name"
    )
    params = {
        "prior": prior,
        "red_max_overdue_rate": red_max,
        "min_sample": min_sample,
        "w_on_time": 1.0,
        "w_overdue": 0.0,
        "w_rebound": 0.0,
        "w_reject": 0.0,
        "w_points": 0.0,
    }
    con = duckdb.connect()
    try:
        return con.execute(sql, params).df().set_index("name")
    finally:
        con.close()


def test_small_samples_are_shrunk_toward_the_county_rate():
    rows = [("甲", 3, 3, 0, 0, 0), ("乙", 30, 27, 0, 0, 0), ("丙", 7, 0, 0, 0, 0)]  # 全县按期率 30 ÷ 40 = 75%
    raw = board(rows, prior=0)
    shrunk = board(rows, prior=10)
    assert raw["score"].to_dict() == {"丙": 0.0, "乙": 90.0, "甲": 100.0}
    # (3 + 10×0.75) ÷ 13 = 80.77；(27 + 7.5) ÷ 40 = 86.25；(0 + 7.5) ÷ 17 = 44.12：3 条全按期不再压过 30 条错 3 条
    assert shrunk["score"].to_dict() == {"丙": 44.12, "乙": 86.25, "甲": 80.77}
    assert shrunk["rank"].to_dict() == {"丙": 3, "乙": 1, "甲": 2}


def test_red_list_skips_ineligible_units_and_black_list_is_the_bottom_five():
    # 12 个单位，按期率 100%、95%……45% 依次排名；U01 有逾期 30 天以上的问题，U02 逾期率 50% 超过 20%
    rows = [
        (f"U{i:02d}", 20, 21 - i, 2 if i == 2 else 1, 1 if i in (1, 2) else 0, 1 if i == 1 else 0) for i in range(1, 13)
    ]
    df = board(rows)
    # 全体按期率 174 ÷ 240 = 72.5%：U07（70%）比全体差，上不了红榜，红榜只有 4 个
    assert df.index[df["is_red"]].tolist() == ["U03", "U04", "U05", "U06"]
    assert df.index[df["is_black"]].tolist() == ["U08", "U09", "U10", "U11", "U12"]
    assert df["red_eligible"][["U01", "U02", "U03", "U07"]].tolist() == [False, False, True, False]


def test_with_fewer_than_ten_ranked_the_black_list_takes_only_the_lower_half_and_ties_stay_off_it():
    df = board([("甲", 10, 10, 0, 0, 0), ("乙", 10, 10, 0, 0, 0), ("丙", 10, 5, 0, 0, 0)])
    assert (df.index[df["is_red"]].tolist(), df.index[df["is_black"]].tolist()) == (["乙", "甲"], ["丙"])
    tied = board([(n, 10, 10, 0, 0, 0) for n in "甲乙丙丁"])
    assert (tied["is_red"].all(), tied["is_black"].any()) == (True, False)


def test_the_page_says_how_many_take_part_and_when_the_lists_cannot_be_filled():
    rows = pd.DataFrame({"rank": [1, 2, None, None], "enough_sample": [True, True, False, True]})
    assert (
        league.participation(rows, "部门")
        == "共 4 个部门，2 个参与排名；未排名的：1 个区间内经手问题不足最少样本数，1 个没有可比的比率。"
    )
    assert league.shortfall(rows) == (
        "本期只有 2 个参与排名，不足红榜、黑榜合计 10 个名额：黑榜只取后 1 名，"
        "红榜从其余有资格的里选，同一对象不会同时出现在两个榜上。"
    )
    assert league.shortfall(pd.DataFrame({"rank": range(1, 11)})) is None


@pytest.mark.parametrize(("raw", "message"), [("-1", "应为不小于 0 的数"), ("abc", "应为不小于 0 的数")])
def test_a_bad_prior_setting_is_refused_in_chinese(monkeypatch, raw, message):
    monkeypatch.setenv("CHUANGWEN_LEAGUE_PRIOR", raw)
    with pytest.raises(settings.SettingError, match=message):
        league.configured_params()


def test_a_red_overdue_cap_above_one_is_refused(monkeypatch):
    monkeypatch.setenv("CHUANGWEN_RED_MAX_OVERDUE_RATE", "20")
    with pytest.raises(settings.SettingError, match="应为 0 到 1 之间的比例"):
        league.configured_params()


def test_a_unit_worse_than_its_board_on_any_component_is_not_red():
    # 全体：销号 60，按期 48（80%）；审核 66，退回 6（9.1%）；销号天数合计 300 ÷ 60 = 5 天；反弹 3 ÷ 63 = 4.8%
    rows = [
        ("好", 20, 19, 0, 0, 0, 0, 0, 20, 60.0),  # 每一项都不比全体差：上红榜
        ("按期差", 10, 5, 0, 0, 0, 0, 0, 10, 30.0),  # 按期 50% < 80%
        ("退回多", 10, 10, 0, 0, 0, 0, 4, 14, 30.0),  # 退回 4 ÷ 14 = 28.6% > 9.1%
        ("慢", 10, 10, 0, 0, 0, 0, 0, 10, 150.0),  # 平均 15 天 > 5 天
        ("反弹多", 10, 4, 0, 0, 0, 3, 2, 12, 30.0),  # 反弹 3 ÷ 13 = 23% > 4.8%
    ]
    df = board(rows)
    assert df.index[df["red_eligible"]].tolist() == ["好"]
    assert df.index[df["is_red"]].tolist() == ["好"]


def test_a_unit_that_closed_nothing_in_the_period_is_not_red():
    df = board([("没销号", 0, 0, 3, 0, 0), ("销了号", 10, 9, 0, 0, 0)])
    assert df["red_eligible"].to_dict() == {"没销号": False, "销了号": True}


def test_zero_percent_on_time_is_never_red_even_when_the_others_are_worse_off():
    # 报告里的情形：0% 按期、退回 50% 的单位上了红榜。全体按期 9 ÷ 12 = 75%
    df = board([("商务局", 2, 0, 0, 0, 0, 0, 2, 4, 67.6), ("甲", 10, 9, 0, 0, 0), ("乙", 0, 0, 5, 5, 0)], min_sample=1)
    assert df["red_eligible"].to_dict() == {"乙": False, "商务局": False, "甲": True}
    assert df.index[df["is_red"]].tolist() == ["甲"]
