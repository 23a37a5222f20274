"""整改记录顺序检查：不可能的顺序被标记（附原因、按时刻回放），规则在各查询中逐字相同。"""

import re
from datetime import datetime

import duckdb
import pytest

from chuangwen import db, derived, queries
from tests.builders import build_league_db

AS_OF = datetime(2026, 11, 15, 18, 0)
RULE = re.compile(r"-- \[整改记录顺序规则·开始\].*?-- \[整改记录顺序规则·结束\]", re.S)
USERS = ["quality_event_order", "league_counts", "supervision_ledger", "supervision_ledger_summary"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_league_db(tmp_path_factory.mktemp("quality") / "league.duckdb")
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def flagged(con, as_of=AS_OF, scope_unit=None):
    df = queries.run(con, "quality_event_order", {"as_of": as_of, "scope_unit": scope_unit})
    return dict(zip(df["problem_code"], df["reasons"]))


def test_impossible_orders_are_listed_with_reasons(con):
    assert flagged(con) == {
        "Q1": "销号早于交办",
        "Q2": "重复销号（两次销号之间没有反弹重开）",
        "Q3": "整改事件早于发现时间",
    }


def test_reclose_after_a_reopen_is_not_flagged(con):
    # C2：已销号 → 反弹重开 → 已销号，顺序合法
    assert "C2" not in flagged(con)


def test_second_closure_is_flagged_only_from_the_moment_it_happened(con):
    assert "Q2" not in flagged(con, as_of=datetime(2026, 11, 11, 9, 59))
    assert "Q2" in flagged(con, as_of=datetime(2026, 11, 11, 10, 0))


def test_quality_list_respects_viewer_scope(con):
    assert list(flagged(con, scope_unit="D01")) == ["Q3"]


def test_the_rules_are_written_once_and_every_query_reads_the_derived_flags():
    # 规则只在 _event_order_rules.sql（发布时派生成表 event_order_flag）；各查询只读那张表，不再各算一遍
    assert len(RULE.findall(derived.flags_sql())) == 1
    for name in [*USERS, "league_unit_rank_trend"]:
        sql = queries.load(name).sql
        assert (RULE.findall(sql), "    from event_order_flag\n" in sql) == ([], True), name


def test_derived_flags_are_the_rules_applied_to_the_event_log(con):
    by_rules = con.execute(derived.flags_sql() + " order by all").fetchall()
    assert con.execute("select * from event_order_flag order by all").fetchall() == by_rules
    assert {r[0] for r in by_rules} == {"Q1", "Q2", "Q3"}


def test_same_time_events_are_ordered_by_id(tmp_path):
    path = build_league_db(tmp_path / "ties.duckdb")
    with db.writer(path) as w:
        w.execute("""
            insert into problem (code, found_at, source, category, township_code, description, severity, lead_unit_code)
            values ('T1', timestamp '2026-11-09 09:00', '县自查', '暴露垃圾', '990101001', 'T1', '一般', 'D01'),
                   ('T2', timestamp '2026-11-09 09:00', '县自查', '暴露垃圾', '990101001', 'T2', '一般', 'D01');
            -- 同一时刻：T1 先交办后销号（合法）；T2 先销号后交办（编号在前的销号 → 不可能）
            insert into rectify_event (id, problem_code, event_at, action) values
                (1001, 'T1', timestamp '2026-11-10 10:00', '交办'), (1002, 'T1', timestamp '2026-11-10 10:00', '已销号'),
                (1003, 'T2', timestamp '2026-11-10 10:00', '已销号'), (1004, 'T2', timestamp '2026-11-10 10:00', '交办');
        """)
    c = duckdb.connect(str(path), read_only=True)
    try:
        got = flagged(c)
    finally:
        c.close()
    assert ("T1" in got, got.get("T2")) == (False, "销号早于交办")


def test_quality_list_counts_the_events_up_to_the_moment(con):
    # 事件数取自标记表里存的事件时刻：与直接数事件日志相同（Q1 两条、Q2 三条、Q3 一条）
    df = queries.run(con, "quality_event_order", {"as_of": AS_OF, "scope_unit": None})
    assert dict(zip(df["problem_code"], df["events"])) == {"Q1": 2, "Q2": 3, "Q3": 1}
    for at in (datetime(2026, 11, 10, 12, 0), datetime(2026, 11, 11, 10, 0), AS_OF):
        df = queries.run(con, "quality_event_order", {"as_of": at, "scope_unit": None})
        logged = dict(
            con.execute(
                "select problem_code, count(*) from rectify_event where event_at <= $t group by all", {"t": at}
            ).fetchall()
        )
        assert {c: int(n) for c, n in zip(df["problem_code"], df["events"])} == {
            c: logged[c] for c in df["problem_code"]
        }
