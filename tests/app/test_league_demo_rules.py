"""示例县上的红黑榜：按周、按月，没有一个红榜单位违反资格（逾期 30 天以上的问题、逾期率上限、最少样本），
也没有一项比本榜全体合起来差；有名次的满 10 个时黑榜正好列满 5 个（并列可多）；没有名字同时在红榜与黑榜上。"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen import league, queries
from chuangwen.view import View


def pooled(rows) -> dict[str, float]:
    """一张榜全体合起来的比率（在这里按返回的分子分母重算，不用查询里的）。"""
    days_n = rows["closed"].sum()  # 平均销号天数按销号数加权
    return {
        "on_time_rate": rows["closed_on_time"].sum() / rows["closed"].sum(),
        "overdue_rate": rows["overdue"].sum() / rows["open_now"].sum(),
        "reject_rate": rows["rejected"].sum() / rows["reviewed"].sum(),
        "rebound_rate": rows["reopened"].sum() / (rows["closed"].sum() + rows["reopened"].sum()),
        "avg_days_to_close": (rows["avg_days_to_close"].fillna(0) * rows["closed"]).sum() / days_n,
    }


@pytest.mark.parametrize("period", ["week", "month"])
def test_no_red_list_entry_breaks_a_rule_or_is_worse_than_its_board_on_the_demo(demo_db, period):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        board = league.period_view(View.of_store(con), period)
        params = league.configured_params()
        units = queries.run(con, "league_units", board, **params)
        towns = queries.run(con, "league_townships", board, **params)
    finally:
        con.close()
    depts = units[units["kind"] == "条"]
    assert not units[units["kind"] == "块"][["is_red", "is_black"]].any().any()  # 块只在镇街榜上评价
    worse = []
    for name, rows in (("部门", depts), ("镇街", towns)):
        red, pool = rows[rows["is_red"]], pooled(rows)
        if name == "部门":  # 示例县每个镇街辖内都有逾期 30 天以上的问题，镇街红榜为空（页面写明原因）
            assert len(red) >= 1
        assert (red["overdue_over_30"] == 0).all() and (
            red["overdue_rate"].fillna(0) <= params["red_max_overdue_rate"]
        ).all()
        assert red["enough_sample"].all() and not (rows["is_red"] & rows["is_black"]).any()
        for _, r in red.iterrows():
            worse += [f"{name}{r.iloc[1]}：{k}" for k in ("on_time_rate",) if r[k] < pool[k] - 1e-12]
            worse += [
                f"{name}{r.iloc[1]}：{k}"
                for k in ("overdue_rate", "reject_rate", "rebound_rate", "avg_days_to_close")
                if (0 if r[k] != r[k] else r[k]) > pool[k] + 1e-9
            ]
        ranked = int(rows["rank"].notna().sum())
        assert int(rows["is_black"].sum()) >= (5 if ranked >= 10 else ranked // 2)
    assert worse == []
    red_names = set(depts.loc[depts["is_red"], "unit_name"]) | set(towns.loc[towns["is_red"], "township_name"])
    black_names = set(depts.loc[depts["is_black"], "unit_name"]) | set(towns.loc[towns["is_black"], "township_name"])
    assert red_names & black_names == set()


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
