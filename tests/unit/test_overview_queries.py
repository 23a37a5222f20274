"""总览查询在 tests/data/tiny 上的精确答案（手算见 tests/data/shared/03_problems_events.sql 的注释）。"""

from datetime import datetime

import duckdb
import pytest

from chuangwen import queries

AS_OF = datetime(2026, 11, 15, 18, 0)
PERIOD_START = datetime(2026, 10, 16, 18, 0)
ALL = {"township": None, "unit": None, "round": None, "scope_unit": None}


@pytest.fixture
def con(tiny_db):
    c = duckdb.connect(str(tiny_db), read_only=True)
    yield c
    c.close()


def summary(con, **overrides):
    params = {"as_of": AS_OF, "period_start": PERIOD_START, **ALL, **overrides}
    df = queries.run(con, "overview_problem_summary", params)
    cols = [
        "grouping_kind",
        "code",
        "problems",
        "open_now",
        "overdue_now",
        "new_this_week",
        "closed_this_week",
        "closed_in_period",
        "closed_on_time_in_period",
        "worst_rank",
    ]
    return [tuple(None if v != v else v for v in row) for row in df[cols].itertuples(index=False)]


def test_county_totals_as_of_cutoff(con):
    total = [r for r in summary(con) if r[0] == "合计"]
    # 8 个问题（P9 在截至后）；未销号 6；逾期 P3、P7；本周新增 P4 P5 P6 P8；本周销号 P2；区间内销号 P1 P2，按期 P1
    assert total == [("合计", None, 8, 6, 2, 4, 1, 2, 1, 1)]


def test_townships_ranked_worst_with_tie(con):
    rows = [r for r in summary(con) if r[0] == "镇街"]
    assert rows == [
        ("镇街", "990101001", 5, 3, 1, 2, 1, 2, 1, 1),
        ("镇街", "990101002", 3, 3, 1, 2, 0, 0, 0, 1),
    ]


def test_units_ranked_by_overdue_then_new(con):
    rows = [(r[1], r[4], r[5], r[9]) for r in summary(con) if r[0] == "单位"]
    assert rows == [("D02", 1, 1, 1), ("D01", 1, 0, 2), ("T01", 0, 2, 3), ("T02", 0, 1, 4)]


def test_group_sums_equal_county_total(con):
    rows = summary(con)
    total = next(r for r in rows if r[0] == "合计")
    for kind in ("镇街", "单位"):
        group = [r for r in rows if r[0] == kind]
        for i in range(2, 9):
            assert sum(r[i] for r in group) == total[i], (kind, i)


def test_viewer_scope_includes_cooperating_unit(con):
    # 城管局牵头 P1 P2 P7，配合 P3：看得到 4 条，其中未销号 P3 P7，均逾期
    total = next(r for r in summary(con, scope_unit="D01") if r[0] == "合计")
    assert total[2:5] == (4, 2, 2)


def test_lead_unit_filter_excludes_cooperation(con):
    total = next(r for r in summary(con, unit="D01") if r[0] == "合计")
    assert total[2:5] == (3, 1, 1)


def test_as_of_earlier_time_replays_the_log(con):
    # 截至 11-11 12:00：已发现 P1 P2 P3 P4 P7（P5 P6 P8 尚未发现）；P1 已销号；
    # P2 申请销号未批、P7 当天上午反弹重开 → 未销号 P2 P3 P4 P7；逾期 P2 P3 P7
    total = next(r for r in summary(con, as_of=datetime(2026, 11, 11, 12, 0)) if r[0] == "合计")
    assert total[2:5] == (5, 4, 3)


def test_as_of_before_rebound_shows_problem_closed(con):
    df = queries.run(
        con, "overview_problem_summary", {"as_of": datetime(2026, 11, 10, 0, 0), "period_start": PERIOD_START, **ALL}
    )
    total = df[df["grouping_kind"] == "合计"].iloc[0]
    # 截至 11-10 00:00：已发现 P1 P2 P3 P7；P1、P7 已销号 → 未销号 P2 P3；逾期 P2（期限 11-09）
    assert (total["problems"], total["open_now"], total["overdue_now"]) == (4, 2, 1)


def test_round_filter(con):
    total = next(r for r in summary(con, round="R2026-06-ZA") if r[0] == "合计")
    assert total[2:5] == (1, 1, 1)


def test_rank_latest_round_vs_previous_and_target(con):
    df = queries.run(con, "overview_rank", {"county": "990101", "round_type": "年度测评", "target_rank": 1})
    row = df.iloc[0]
    assert (row["round_code"], row["total"], row["rank"], row["group_size"]) == ("R2025-ND", 88.0, 2, 4)
    assert (row["prev_total"], row["prev_rank"]) == (80.0, 4)
    assert row["points_to_target"] == 2.0


def test_points_to_target_zero_when_already_inside(con):
    df = queries.run(con, "overview_rank", {"county": "990101", "round_type": "年度测评", "target_rank": 2})
    assert df.iloc[0]["points_to_target"] == 0.0


def test_target_beyond_group_is_flagged(con):
    df = queries.run(con, "overview_rank", {"county": "990101", "round_type": "年度测评", "target_rank": 9})
    assert bool(df.iloc[0]["target_beyond_group"]) is True


def test_rank_history_skips_nothing_for_ours(con):
    df = queries.run(con, "overview_rank_history", {"county": "990101", "round_type": "年度测评"})
    assert list(zip(df["round_code"], df["rank"], df["group_size"])) == [("R2024-ND", 4, 5), ("R2025-ND", 2, 4)]


def test_negative_alerts_veto_first(con):
    df = queries.run(con, "overview_negative_alerts", {"as_of": AS_OF, "scope_unit": None})
    assert list(zip(df["problem_code"], df["is_veto"], df["status"])) == [
        ("P8", True, "已交办"),
        ("P6", False, "退回整改"),
    ]


def test_negative_alerts_respect_scope(con):
    df = queries.run(con, "overview_negative_alerts", {"as_of": AS_OF, "scope_unit": "D02"})
    assert list(df["problem_code"]) == ["P8"]  # 交警大队是 P8 的配合单位


def test_weekly_flow_last_two_weeks(con):
    df = queries.run(
        con, "overview_weekly_flow", {"as_of": AS_OF, **{k: None for k in ("township", "unit", "round", "scope_unit")}}
    )
    assert len(df) == 12
    last_two = df.tail(2)[["weeks_back", "new_problems", "closures"]].values.tolist()
    assert last_two == [[1, 2, 1], [0, 4, 1]]


def test_filter_options_lists_townships_units_rounds(con):
    df = queries.run(con, "ref_filter_options", {"county": "990101"})
    assert list(df[df["kind"] == "镇街"]["code"]) == ["990101001", "990101002"]
    assert list(df[df["kind"] == "轮次"]["code"]) == ["R2026-06-ZA"]
    assert len(df[df["kind"] == "单位"]) == 5


def test_negative_alert_texts_say_another_only_after_a_veto_line():
    import pandas as pd

    from chuangwen import overview

    only_other = pd.DataFrame({"is_veto": [False], "negative_item": ["占道经营"]})
    assert [a.text for a in overview.negative_alerts(only_other)] == [
        "**负面清单**：1 条未销号问题触及负面清单（非一票否决）。"
    ]
    both = pd.DataFrame({"is_veto": [True, False, False], "negative_item": ["安全事故", "占道经营", "占道经营"]})
    assert [a.text for a in overview.negative_alerts(both)] == [
        "**负面清单预警**：1 条未销号问题触及一票否决项（安全事故），须立即处置。",
        "**负面清单**：另有 2 条未销号问题触及负面清单（非一票否决）。",
    ]
