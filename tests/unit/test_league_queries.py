"""红黑榜查询在 tests/data/league 上的精确答案（手算见 03_league_problems.sql 的注释）。"""

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from chuangwen import queries
from tests.builders import build_league_db

AS_OF = datetime(2026, 11, 15, 18, 0)
WEEK_START = AS_OF - timedelta(days=7)
WEIGHTS = {"w_on_time": 40.0, "w_overdue": 30.0, "w_rebound": 15.0, "w_reject": 15.0, "w_points": 2.0}


@pytest.fixture(scope="module")
def league_db(tmp_path_factory) -> Path:
    # 只读使用，整个模块共用一份
    return build_league_db(tmp_path_factory.mktemp("league") / "league.duckdb")


@pytest.fixture(scope="module")
def con(league_db):
    c = duckdb.connect(str(league_db), read_only=True)
    yield c
    c.close()


def units(con, **overrides):
    params = {
        "as_of": AS_OF,
        "period_start": WEEK_START,
        "township": None,
        "round": None,
        "min_sample": 2,
        "prior": 0.0,
        "red_max_overdue_rate": 1.0,
        **WEIGHTS,
        **overrides,
    }
    return queries.run(con, "league_units", params).set_index("unit_code")


def townships(con, **overrides):
    params = {
        "as_of": AS_OF,
        "period_start": WEEK_START,
        "county": "990101",
        "unit": None,
        "round": None,
        "min_sample": 2,
        "prior": 0.0,
        "red_max_overdue_rate": 1.0,
        **WEIGHTS,
        **overrides,
    }
    return queries.run(con, "league_townships", params).set_index("township_code")


def test_unit_counts_for_the_week(con):
    d01 = units(con).loc["D01"]
    got = {
        k: int(d01[k])
        for k in (
            "assigned",
            "closed",
            "closed_on_time",
            "open_now",
            "overdue",
            "reopened",
            "rejected",
            "reviewed",
            "sample",
        )
    }
    assert got == {
        "assigned": 2,
        "closed": 2,
        "closed_on_time": 1,
        "open_now": 2,
        "overdue": 2,
        "reopened": 1,
        "rejected": 1,
        "reviewed": 3,
        "sample": 4,
    }


def test_on_time_rate_counts_no_deadline_as_on_time(con):
    rates = units(con)["on_time_rate"]
    # D01：A2 逾期销号、A3 按期 → 1/2；D02：B1 按期、B2 无期限 → 2/2
    assert (rates["D01"], rates["D02"]) == (0.5, 1.0)


def test_overdue_now_by_age_bucket(con):
    df = units(con)
    got = {
        u: tuple(int(df.loc[u, c]) for c in ("overdue_1_7", "overdue_8_30", "overdue_over_30")) for u in ("D01", "D02")
    }
    # D01：A5 逾期 6 天、A4 逾期 39 天；D02：B3 逾期 3 天、B4 逾期 17 天；B5 无期限不算
    assert got == {"D01": (1, 0, 1), "D02": (1, 1, 0)}


def test_average_days_to_close(con):
    df = units(con)
    assert (df.loc["D01", "avg_days_to_close"], df.loc["D02", "avg_days_to_close"]) == (3.75, 3.0)


def test_rebound_counts_reopen_events_in_the_period(con):
    df = units(con)
    assert (int(df.loc["D01", "reopened"]), df.loc["D01", "rebound_rate"]) == (1, 1 / 3)
    # C2 在 10 月反弹又销号：不在本周
    assert int(df.loc["D03", "reopened"]) == 0


def test_points_lost_follow_deduction_shares_in_rounds_of_the_period(con):
    df = units(con)
    assert df["points_lost"].to_dict() == {"T01": 0.0, "T02": 0.0, "D02": 1.0, "D01": 1.0, "D03": 0.0}


def test_points_lost_outside_the_period_are_not_counted(con):
    df = units(con, as_of=datetime(2026, 11, 8, 18, 0), period_start=datetime(2026, 11, 1, 18, 0))
    assert df["points_lost"].sum() == 0.0


def test_composite_score_uses_the_weights(con):
    df = units(con)
    assert df["score"].dropna().to_dict() == {"T01": 100.0, "T02": 100.0, "D02": 78.0, "D01": 38.0}


def test_composite_score_changes_with_weights(con):
    df = units(con, w_points=0.0, w_overdue=0.0)
    # D01：100×(40×0.5+15×⅔+15×⅔)/70 = 57.14
    assert df.loc["D01", "score"] == 57.14


def test_minimum_sample_excludes_from_ranking(con):
    df = units(con)
    assert (bool(df.loc["D03", "enough_sample"]), df.loc["D03", "score"] != df.loc["D03", "score"]) == (False, True)
    assert df["rank"].isna()["D03"]


def test_raising_minimum_sample_unranks_more_units(con):
    df = units(con, min_sample=5)
    assert df["rank"].dropna().astype(int).to_dict() == {"D02": 1}


def test_ties_share_a_rank(con):
    df = units(con)
    assert df["rank"].dropna().astype(int).to_dict() == {"T01": 1, "T02": 1, "D02": 1, "D01": 2}


def test_units_are_ranked_within_their_kind(con):
    df = units(con)
    assert df.groupby("kind")["ranked_count"].first().to_dict() == {"块": 2, "条": 2}


def test_week_over_week_change(con):
    df = units(con)
    # D01 上周第 1（综合 100），本周第 2 → 变化 −1；D02 上周样本 1 不足 → 无上期名次
    assert (int(df.loc["D01", "prev_rank"]), df.loc["D01", "prev_score"], int(df.loc["D01", "rank_change"])) == (
        1,
        100.0,
        -1,
    )
    assert df["prev_rank"].isna()["D02"]


def test_previous_period_equals_a_direct_query_of_that_period(con):
    now = units(con)
    before = units(con, as_of=WEEK_START, period_start=WEEK_START - timedelta(days=7))
    assert now["prev_rank"].equals(before["rank"].reindex(now.index))
    assert now["prev_score"].equals(before["score"].reindex(now.index))


def test_red_and_black_boards_do_not_overlap(con):
    df = units(con)
    assert not (df["is_red"] & df["is_black"]).any()
    # 条只有两个有名次（D02、D01）：黑榜取后一半（1 名）即 D01；它还有逾期 30 天以上的问题，本就没有红榜资格。
    # 块（T01、T02）不在单位的红黑榜上：镇街只在镇街榜上按辖区评价一次
    assert (df.index[df["is_red"]].tolist(), df.index[df["is_black"]].tolist()) == (["D02"], ["D01"])
    assert df["red_eligible"].to_dict() == {"T01": True, "T02": True, "D02": True, "D01": False, "D03": False}


def test_flagged_problems_are_excluded_and_counted(con):
    df = units(con)
    # Q1（交警大队）、Q2（城关街道）、Q3（城管局）不进入任何数字，只在“存疑排除”中计数
    assert df["excluded"].to_dict() == {"T01": 1, "T02": 0, "D02": 1, "D01": 1, "D03": 0}
    assert int(df.loc["T01", "assigned"]) == 3


def test_flag_appears_only_once_the_bad_event_happened(con):
    # 截至 11-10 12:00，Q2 只有一次销号，还不存疑
    df = units(con, as_of=datetime(2026, 11, 10, 12, 0), period_start=datetime(2026, 11, 3, 12, 0))
    assert int(df.loc["T01", "excluded"]) == 0


def test_township_filter_limits_unit_figures(con):
    df = units(con, township="990101002")
    assert (int(df.loc["D01", "sample"]), int(df.loc["D02", "sample"])) == (0, 5)


def test_the_boards_are_the_same_for_every_viewer_names_and_scores_only(con):
    # 责任单位也看全县的榜（各单位的名称、计数与得分），但榜上没有问题行：两个榜不接查看范围，也不返回问题编号
    assert [("scope_unit" in queries.load(q).param_names) for q in ("league_units", "league_townships")] == [
        False,
        False,
    ]
    assert sorted(units(con).index) == ["D01", "D02", "D03", "T01", "T02"]
    assert [c for c in (*units(con).columns, *townships(con).columns) if "problem" in c or c == "code"] == []


def test_township_league(con):
    df = townships(con)
    got = {
        t: (
            int(df.loc[t, "assigned"]),
            int(df.loc[t, "closed"]),
            df.loc[t, "on_time_rate"],
            int(df.loc[t, "overdue"]),
            df.loc[t, "score"],
            int(df.loc[t, "rank"]),
        )
        for t in df.index
    }
    assert got == {"990101002": (7, 4, 1.0, 2, 85.0, 1), "990101001": (6, 4, 0.75, 2, 69.0, 2)}


def test_township_rates_per_site_and_per_thousand_residents(con):
    df = townships(con)
    assert (df.loc["990101001", "assigned_per_site"], df.loc["990101001", "assigned_per_1000"]) == (6.0, 0.05)
    assert df.loc["990101002", "assigned_per_1000"] == 7 / 80


def test_township_sums_match_unit_sums(con):
    u, t = units(con), townships(con)
    for col in ("assigned", "closed", "overdue", "open_now", "reopened", "excluded"):
        assert u[col].sum() == t[col].sum(), col
