"""示例县上的红黑榜：按周、按月，没有一个红榜单位违反资格（逾期 30 天以上的问题、逾期率上限、最少样本）；
有名次的满 10 个时黑榜正好列满 5 个（并列可多）；两个榜不重复。"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen import league, queries
from chuangwen.view import View


@pytest.mark.parametrize("period", ["week", "month"])
def test_no_red_list_unit_breaks_an_eligibility_rule_on_the_demo(demo_db, period):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        board = league.period_view(View.of_store(con), period)
        params = league.configured_params()
        units = queries.run(con, "league_units", board, **params)
        towns = queries.run(con, "league_townships", board, **params)
    finally:
        con.close()
    for rows in [units[units["kind"] == "条"], units[units["kind"] == "块"], towns]:
        red = rows[rows["is_red"]]
        assert (red["overdue_over_30"] == 0).all() and (
            red["overdue_rate"].fillna(0) <= params["red_max_overdue_rate"]
        ).all()
        assert red["enough_sample"].all() and not (rows["is_red"] & rows["is_black"]).any()
        ranked = int(rows["rank"].notna().sum())
        assert int(rows["is_black"].sum()) >= (5 if ranked >= 10 else ranked // 2)


@pytest.mark.parametrize("period", ["week", "month", "sidebar"])
def test_drill_down_trend_ends_at_the_rank_on_the_board(demo_db, period):
    """单位下钻的名次走势与榜同一区间长度：最后一个时点的名次就是榜上的名次（按月时不再出现“第11名”旁边一条周走势）。"""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        board = league.period_view(View.of_store(con), period)
        params = league.configured_params()
        units = queries.run(con, "league_units", board, **params)
        checked = 0
        for unit_code in units.loc[units["rank"].notna(), "unit_code"].head(6):
            trend = league.rank_trend(
                queries.run(
                    con, "league_unit_rank_trend", board, **params, unit_code=unit_code, **league.trend_params(board)
                )
            )
            row = league.unit_row(units, unit_code)
            assert len(trend) == league.TREND_POINTS
            assert trend["week_end"].iloc[-1] == board.as_of
            assert trend["rank"].iloc[-1] == int(row["rank"]) and trend["score"].iloc[-1] == pytest.approx(row["score"])
            checked += 1
    finally:
        con.close()
    assert checked >= 1
