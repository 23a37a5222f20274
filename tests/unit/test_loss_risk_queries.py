"""丢分预警在小库 tests/data/loss_risk 上的精确答案（Issue 31 第 7 部分）：三种扣分方式的算例、同一标准两类点位、
街面问题、同一点位两条问题只算一处、前一天销号的不计、单位分摊、五处农贸市场的攻坚清单顺序与累计少丢、分数能换来什么。
答案都按 tests/data/loss_risk 的注释手算（分数写成分母 120 的分数，免得小数看不出来由）。"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from chuangwen import loss_risk, queries
from tests.builders import fixture_db

AS_OF = datetime(2026, 11, 15, 18, 0)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    return fixture_db(tmp_path_factory.mktemp("loss") / "loss.duckdb", "loss_risk")


@pytest.fixture(scope="module")
def con(path):
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def assessed(con, at: datetime = AS_OF, unit: str | None = None) -> loss_risk.Assessment:
    params = {"as_of": at, "scope_unit": unit}
    return loss_risk.assess(
        queries.run(con, "loss_risk_groups", params), queries.run(con, "loss_risk_items", params), at, unit
    )


def by_standard(result: loss_risk.Assessment) -> dict[str, float]:
    return {c: round(v, 10) for c, v in zip(result.standards["standard_code"], result.standards["expected"])}


def test_the_three_rules_give_the_worked_example_and_the_total_adds_up(con):
    result = assessed(con)
    assert by_standard(result) == {
        "1.1.1.1": 0.8,  # 按比例：5 处农贸市场 2 处不合格、抽 2 处
        "1.1.1.2": 1.4,  # 一处即扣完
        "1.1.1.3": 0.4,  # 每处扣 0.5 分
        "1.1.2.1": round(0.65 / 3, 10),  # 农贸市场 1/5 抽 2、背街小巷 1/4 抽 1：(2/5 + 1/4) ÷ 3
        "1.1.3.1": 0.375,  # 街面：城关街道 2/4、东坝镇 1/4，各抽 1 条
    }
    assert result.total == pytest.approx(383 / 120, abs=1e-12)


def test_the_denominators_are_k_of_n_failing_and_m_sampled(con):
    table = loss_risk.standards_table(assessed(con))
    assert table[["测评标准", "不合格处", "点位数", "抽查数"]].values.tolist() == [
        ["1.1.1.2 农贸市场无卫生死角", 2, 5, 2],
        ["1.1.1.1 农贸市场无出店经营", 2, 5, 2],
        ["1.1.1.3 农贸市场无乱贴小广告", 2, 5, 2],
        ["1.1.3.1 主次干道车辆停放有序", 3, 8, 2],
        ["1.1.2.1 无暴露垃圾", 2, 9, 3],
    ]
    assert table["扣分方式"].tolist() == ["一处即扣完", "按比例", "每处扣 0.5 分", "按比例", "按比例"]


def test_street_problems_count_as_road_segments_of_their_township(con):
    groups = queries.run(con, "loss_risk_groups", {"as_of": AS_OF})
    streets = groups[groups["standard_code"] == "1.1.3.1"]
    assert streets[["site_type", "township_name", "sites", "sampled", "failing"]].values.tolist() == [
        ["主次干道", "城关街道", 4, 1, 2],
        ["主次干道", "东坝镇", 4, 1, 1],
    ]


def test_a_site_with_two_open_problems_on_one_standard_fails_once(con):
    items = queries.run(con, "loss_risk_items", {"as_of": AS_OF, "scope_unit": None})
    s01 = items[(items["item_key"] == "S:S01") & (items["standard_code"] == "1.1.1.1")].iloc[0]
    assert (s01["problems_all"], s01["problem_codes"], s01["unit_codes"].split(chr(31))) == (
        2,
        "Q01、Q02",
        ["D01", "T01"],
    )
    groups = queries.run(con, "loss_risk_groups", {"as_of": AS_OF})
    assert groups.loc[groups["standard_code"] == "1.1.1.1", "failing"].tolist() == [2]  # S01、M2


def test_a_problem_closed_the_day_before_does_not_count(con):
    # Q04（M3 出店经营）11-14 18:00 销号：之前的时刻 M3 还不合格（3 处），统计时刻不计（2 处）
    def failing(at):
        g = queries.run(con, "loss_risk_groups", {"as_of": at})
        return int(g.loc[g["standard_code"] == "1.1.1.1", "failing"].iloc[0])

    assert (failing(datetime(2026, 11, 14, 12, 0)), failing(AS_OF)) == (3, 2)
    assert "Q04" not in "、".join(
        queries.run(con, "loss_risk_items", {"as_of": AS_OF, "scope_unit": None})["problem_codes"]
    )


def test_unit_shares_split_each_place_among_its_lead_and_cooperating_units(con):
    result = assessed(con)
    units = loss_risk.breakdown(result, "责任单位")
    assert dict(zip(units["责任单位"], units["预计丢分"].round(10))) == {
        "东坝镇": round(100 / 120, 10),  # M4：卫生死角 0.7 + 暴露垃圾 0.4 × 0.2167 ÷ 0.65
        "县委宣传部（文明办）": 0.7,  # M5 卫生死角
        "城关街道": 0.6,  # S01 出店经营的一半 0.2（配合 Q01）+ M2 出店经营 0.4
        "城管局": 0.6,  # S01 的一半 0.2 + M2、M3 小广告各 0.2
        "交警大队": round(55 / 120, 10),  # S02 暴露垃圾 0.25 × 0.2167 ÷ 0.65 + 三条街面 0.125 × 3
    }
    assert units["预计丢分"].sum() == pytest.approx(result.total, abs=1e-12)
    towns = loss_risk.breakdown(result, "镇街")
    assert dict(zip(towns["镇街"], towns["预计丢分"].round(10))) == {
        "东坝镇": round(209 / 120, 10),
        "城关街道": round(174 / 120, 10),
    }


def test_the_worklist_orders_places_by_points_saved_per_day(con):
    rows = loss_risk.worklist(assessed(con))
    assert rows["item_key"].tolist() == [
        "S:M4",  # 少丢 0.6 + 0.1333，期限明天 18:00 → 1 天
        "S:M2",  # 0.4 + 0.2，期限明天 09:00 → 1 天
        "S:S01",  # 0.4，已逾期 → 1 天
        "S:M5",  # 0.6，没有期限 → 7 天
        "P:Q11",
        "S:M3",  # 0.2，4 天
        "P:Q12",
        "P:Q13",
        "S:S02",
    ]
    markets = rows[rows["site_type"] == "农贸市场"]
    assert markets["item_key"].tolist() == ["S:M4", "S:M2", "S:S01", "S:M5", "S:M3"]
    assert (rows["gain"] * 120).round(6).tolist() == [88, 72, 48, 72, 15, 24, 15, 15, 10]
    assert rows["days_left"].tolist() == [1, 1, 1, 7, 2, 4, 6, 7, 5]
    # 累计少丢是一起改完的实际效果：改完 M4 后 M5 的卫生死角从 0.6 变成 0.8（一处即扣完，剩它一处）
    assert (rows["cumulative"] * 120).round(6).tolist() == [88, 160, 208, 304, 319, 343, 358, 373, 383]
    assert loss_risk.running_text(rows, 3) == "改完前 3 处，预计少丢 1.73 分"


def test_the_worklist_shows_owner_deadline_and_overdue_days(con):
    table = loss_risk.place_table(loss_risk.worklist(assessed(con)))
    s01 = table[table["点位（或街面问题）"] == "南门农贸市场"].iloc[0]
    assert (s01["问题编号"], s01["牵头单位"], s01["最早整改期限"], s01["逾期天数"]) == (
        "Q01、Q02",
        "城管局",
        "2026年11月8日 09:00",
        8,
    )
    assert table.loc[table["点位（或街面问题）"] == "东坝新区农贸市场", "最早整改期限"].tolist() == ["无期限"]


def test_the_worklist_filters_recount_the_running_total(con):
    result = assessed(con)
    east = loss_risk.worklist(result, township="990101002")
    assert east["item_key"].tolist() == ["S:M4", "S:M5", "P:Q13", "S:S02"]
    assert (east["cumulative"] * 120).round(6).tolist() == [88, 184, 199, 209]
    assert loss_risk.worklist(result, lead_unit="D02")["item_key"].tolist() == ["P:Q11", "P:Q12", "P:Q13", "S:S02"]
    assert loss_risk.worklist(result, overdue_only=True)["item_key"].tolist() == ["S:S01"]


def test_a_unit_sees_its_own_share_and_its_own_list(con):
    d01 = assessed(con, unit="D01")
    assert d01.headline == pytest.approx(0.6, abs=1e-12)
    rows = loss_risk.worklist(d01)
    assert rows["item_key"].tolist() == ["S:S01", "S:M2", "S:M3"]
    assert (rows["gain"] * 120).round(6).tolist() == [48, 24, 24]  # M2：只有自己的小广告，出店经营是城关街道的
    assert set("、".join(rows["problem_codes"]).split("、")) == {"Q01", "Q02", "Q07", "Q08"}
    # 城关街道只配合 Q01：S01 还有城管局的 Q02，改了自己的那条 S01 也不合格
    t01 = loss_risk.worklist(assessed(con, unit="T01"))
    assert dict(zip(t01["item_key"], (t01["gain"] * 120).round(6))) == {"S:M2": 48, "S:S01": 0}


def test_what_the_points_buy_uses_the_same_rule_as_the_rank_page(con):
    needed = queries.run(con, "rank_trend_points_needed", {"county": "990101", "round_code": "L2026-ND"})
    assert [loss_risk.reach(needed, y)[0] for y in (0.0, 0.8, 1.5, 2.0, 2.01, 4.0)] == [5, 5, 3, 2, 2, 1]
    rows = loss_risk.worklist(assessed(con))
    table = loss_risk.reach_table(needed, loss_risk.reaches(needed, rows))
    assert table[["改完", "预计少丢（分）", "可到名次"]].values.tolist() == [
        ["现在（上一轮）", 0.0, "第5名 / 5"],
        ["改完前 5 处", 2.66, "第2名 / 5"],  # 88 + 2.66 超过乙县的 90
        ["改完全部 9 处", 3.19, "第2名 / 5"],
    ]
    assert table["说明"].tolist()[1] == "追平或超过乙县（90.00 分）"
    last = queries.run(con, "loss_risk_last_round", {"county": "990101", "as_of": AS_OF})
    assert last[["round_code", "our_total", "our_rank"]].values.tolist() == [["L2026-ND", 88.0, 5]]


def test_the_rising_loss_alert_fires_once_a_week_when_the_figure_rose_by_more_than_its_threshold(path, con):
    """提醒规则“丢分预警的预计丢分比 7 天前多出超过阈值”：小库上统计时刻 383/120 分，7 天前 1.8 分（多 1.39 分）。"""
    from chuangwen.dispatch import alerts
    from chuangwen.view import View

    view = View.of_store(con).at(AS_OF)
    assert (assessed(con).total, assessed(con, datetime(2026, 11, 8, 18, 0)).total) == pytest.approx((383 / 120, 1.8))
    for kind in alerts.RULES:
        alerts.set_rule(
            path, kind, "测试", enabled=kind == "loss_rising", threshold=2 if kind == "loss_rising" else None
        )
    assert alerts.evaluate(path, con, view, AS_OF) == []  # 多 1.39 分，没超过 2 分
    alerts.set_rule(path, "loss_rising", "测试", threshold=1)
    fresh = alerts.evaluate(path, con, view, AS_OF)
    assert [(s.kind, f.subject, f.crossing, f.unit_code, f.text) for s, f in fresh] == [
        (
            "loss_rising",
            "全县",
            "2026-W46 >1分",
            None,
            "【丢分预警】若明天暗访，实地考察部分预计丢 3.19 分，比 7 天前（1.80 分）多 1.39 分，超过提醒线 1 分。"
            "先改丢分预警页攻坚清单上的几处。",
        )
    ]
    assert alerts.evaluate(path, con, view, AS_OF) == []  # 同一周同一条线只提醒一次
