"""整改督办查询在 tests/data/league 上的精确答案：台账、逾期回放、时间线、在办问题走势与导出。"""

from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pytest

from chuangwen import queries, supervision
from chuangwen.view import View
from tests.builders import build_league_db

AS_OF = datetime(2026, 11, 15, 18, 0)


def view_at(as_of=AS_OF) -> View:
    return View(cutoff=AS_OF, as_of=as_of, period_start=as_of - timedelta(days=30), first_day=AS_OF.date())


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_league_db(tmp_path_factory.mktemp("ledger") / "league.duckdb")
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def rows(con, as_of=AS_OF, limit=None, **overrides):
    return queries.run(con, "supervision_ledger", view_at(as_of), **supervision.ledger_params(**overrides), limit=limit)


def counts(con, as_of=AS_OF, **overrides):
    return supervision.cards(
        queries.run(con, "supervision_ledger_summary", view_at(as_of), **supervision.ledger_params(**overrides))
    )


def test_ledger_lists_open_problems_most_overdue_first(con):
    df = rows(con)
    assert df["problem_code"].tolist() == ["A4", "B4", "A5", "B3", "C1", "Q1", "E3", "F3", "Q3", "B5"]
    assert df["days_overdue"].astype("Int64").tolist()[:4] == [39, 17, 6, 3]
    assert df["days_overdue"].isna().tolist()[4:] == [True] * 6


def test_no_deadline_is_never_overdue(con):
    b5 = rows(con).set_index("problem_code").loc["B5"]
    assert (bool(b5["is_overdue"]), pd.isna(b5["overdue_bucket"]), bool(b5["due_this_week"])) == (False, True, False)


def test_due_this_week(con):
    df = rows(con)
    assert df.loc[df["due_this_week"], "problem_code"].tolist() == ["C1", "Q1", "E3", "F3", "Q3"]


def test_limit_keeps_the_most_overdue_first(con):
    assert rows(con, limit=3)["problem_code"].tolist() == ["A4", "B4", "A5"]


def test_due_this_week_only_lists_those_due_soonest_first(con):
    assert rows(con, due_this_week_only=True, limit=2)["problem_code"].tolist() == ["C1", "Q1"]
    assert rows(con, due_this_week_only=True)["problem_code"].tolist() == ["C1", "Q1", "E3", "F3", "Q3"]


def test_summary_counts_the_whole_ledger(con):
    # 在办 10 条（见上）：逾期 A4 B4 A5 B3；逾期超过 30 天只有 A4（39 天）；7 天内到期 5 条；记录顺序存疑 Q1、Q3
    assert counts(con) == {
        "在办问题（存量）": 10,
        "逾期（存量）": 4,
        "逾期30天以上（存量）": 1,
        "7天内到期": 5,
        "记录顺序存疑": 2,
    }
    # 城管局牵头 A4 A5 Q3、配合 B3：逾期 A4 A5 B3，7 天内到期 Q3（它也是存疑的那条）
    assert counts(con, involved_unit="D01") == {
        "在办问题（存量）": 4,
        "逾期（存量）": 3,
        "逾期30天以上（存量）": 1,
        "7天内到期": 1,
        "记录顺序存疑": 1,
    }


def test_summary_equals_the_cards_of_the_full_ledger(con):
    for overrides in (
        {},
        {"overdue_only": True},
        {"status": "反弹重开"},
        {"involved_unit": "D01"},
        {"due_this_week_only": True},
        {"as_of": datetime(2026, 11, 12, 12, 0)},
    ):
        df = rows(con, **overrides)
        assert counts(con, **overrides) == {
            "在办问题（存量）": len(df),
            "逾期（存量）": int(df["is_overdue"].sum()),
            "逾期30天以上（存量）": int((df["overdue_bucket"] == "30天以上").sum()),
            "7天内到期": int(df["due_this_week"].sum()),
            "记录顺序存疑": int(df["data_quality"].notna().sum()),
        }, overrides


def test_involved_unit_includes_cooperation(con):
    # 城管局牵头 A4 A5 Q3，配合 B3
    assert sorted(rows(con, involved_unit="D01")["problem_code"]) == ["A4", "A5", "B3", "Q3"]


def test_overdue_only_and_status_filters(con):
    assert rows(con, overdue_only=True)["problem_code"].tolist() == ["A4", "B4", "A5", "B3"]
    assert rows(con, status="反弹重开")["problem_code"].tolist() == ["A4"]


def test_unknown_status_is_refused():
    with pytest.raises(ValueError, match="未知的状态"):
        supervision.ledger_params(status="'; drop table problem; --")


def test_coop_units_and_quality_flag_are_shown(con):
    df = rows(con).set_index("problem_code")
    assert (df.loc["B3", "coop_units"], df.loc["Q1", "data_quality"]) == ("城管局、东坝镇", "销号早于交办")


def test_ledger_as_of_an_earlier_time_replays_the_log(con):
    # 11-12 12:00：A2 已申请销号但未批、期限 11-12 09:00 已过 → 在办且逾期 1 天；A4 已反弹重开
    df = rows(con, as_of=datetime(2026, 11, 12, 12, 0)).set_index("problem_code")
    assert (df.loc["A2", "status"], bool(df.loc["A2", "is_overdue"]), int(df.loc["A2", "days_overdue"])) == (
        "申请销号",
        True,
        1,
    )
    assert "B5" in df.index and "A3" in df.index


def test_timeline_is_complete_and_ordered(con):
    df = queries.run(con, "supervision_timeline", {"problem_code": "A3", "as_of": AS_OF, "scope_unit": None})
    assert df["action"].tolist() == ["交办", "申请销号", "退回", "申请销号", "已销号"]
    assert df["note"].tolist()[2] == "现场仍有垃圾"


def test_timeline_stops_at_the_as_of_time(con):
    df = queries.run(
        con, "supervision_timeline", {"problem_code": "A3", "as_of": datetime(2026, 11, 11, 10, 0), "scope_unit": None}
    )
    assert df["action"].tolist() == ["交办", "申请销号", "退回"]


def test_timeline_hidden_outside_viewer_scope(con):
    # A3 由城管局 D01 牵头、没有配合单位：交警大队 D02 看不到它的时间线，城管局看到全部 5 个事件（对照，免得空表
    # 只是因为查询本身什么都查不出）
    def timeline(scope_unit):
        df = queries.run(con, "supervision_timeline", {"problem_code": "A3", "as_of": AS_OF, "scope_unit": scope_unit})
        return [tuple(r) for r in df[["action", "unit", "note"]].itertuples(index=False)]

    assert (timeline("D02"), timeline("D01")) == (
        [],
        [
            ("交办", "城管局", ""),
            ("申请销号", "城管局", ""),
            ("退回", "县委宣传部（文明办）", "现场仍有垃圾"),
            ("申请销号", "城管局", ""),
            ("已销号", "县委宣传部（文明办）", ""),
        ],
    )


def burndown(con, as_of=AS_OF):
    return queries.run(con, "supervision_burndown", view_at(as_of), involved_unit=None)


def test_burndown_matches_the_state_macro_at_every_point(con):
    points = burndown(con)
    assert len(points) == 57
    for at, open_problems, overdue in points.iloc[::7].itertuples(index=False):
        want = con.execute(
            "select count(*) filter (where not is_closed), count(*) filter (where is_overdue) "
            "from problem_state_as_of($t)",
            {"t": at.to_pydatetime()},
        ).fetchone()
        assert (open_problems, overdue) == want, at


def test_burndown_last_point_is_the_ledger(con):
    last = burndown(con).iloc[-1]
    df = rows(con)
    assert (int(last["open_problems"]), int(last["overdue"])) == (len(df), int(df["is_overdue"].sum()))


def export(con, as_of=AS_OF):
    return supervision.export_problems(con, View.of_store(con, as_of=as_of)).set_index("问题编号")


def test_export_has_one_row_per_problem_found(con):
    df = export(con)
    assert list(df.reset_index().columns) == ["问题编号", "发现时间", "整改期限", "销号时间", "当前状态", "是否逾期"]
    assert len(df) == 21


def test_export_overdue_flags(con):
    flags = export(con)["是否逾期"]
    # A2 期限后销号 → 逾期销号；A5 在办过期 → 逾期；B5 无期限在办、B2 无期限销号 → 否；A3 按期销号 → 否
    assert flags[["A2", "A5", "B5", "B2", "A3"]].tolist() == ["逾期销号", "逾期", "否", "否", "否"]


def test_export_as_of_before_closure(con):
    df = export(con, as_of=datetime(2026, 11, 12, 12, 0))
    assert df.loc["A2"].tolist() == ["2026-11-09 08:00:00", "2026-11-12 09:00:00", "", "申请销号", "逾期"]
    assert (df.loc["A4", "当前状态"], df.loc["A4", "是否逾期"]) == ("反弹重开", "逾期")


def test_export_excludes_problems_found_after_the_time(con):
    df = export(con, as_of=datetime(2026, 11, 9, 8, 30))
    assert sorted(df.index) == ["A1", "A2", "A4", "A5", "B4", "C2"]


def test_burndown_equals_the_reference_state_at_every_point(con):
    # 57 个时点各用参照宏（按事件日志聚合）重算一遍在办与逾期：与在办问题走势逐点相同
    points = burndown(con)
    for at, open_problems, overdue in points[["at", "open_problems", "overdue"]].itertuples(index=False):
        ref = con.execute(
            "select count(*) filter (where not is_closed), count(*) filter (where is_overdue) "
            "from problem_state_as_of($t)",
            {"t": at},
        ).fetchone()
        assert (int(open_problems), int(overdue)) == ref, at
