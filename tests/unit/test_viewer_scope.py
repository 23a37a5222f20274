"""查看范围：责任单位账号（$scope_unit）只看到自己单位牵头或配合的问题。规则只写一处（迁移 006 的宏 involves_unit）；
这里把每个返回问题行的查询在测试小库上跑一遍，逐行核对。"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pytest

from chuangwen import queries
from chuangwen.view import View
from tests.builders import build_briefing_db, build_league_db, fixture_db

MOMENTS = [datetime(2026, 11, 8, 18), datetime(2026, 11, 15, 18)]
PAGE_PARAMS = {
    "min_sample": 2,
    "prior": 0.0,
    "red_max_overdue_rate": 1.0,
    "w_on_time": 40.0,
    "w_overdue": 30.0,
    "w_rebound": 15.0,
    "w_reject": 15.0,
    "w_points": 2.0,
    "round_type": "年度测评",
    "round_code": None,
    "unit_code": "D01",
    "points": 3,
    "step": timedelta(days=7),
    "involved_unit": None,
    "status": None,
    "overdue_only": False,
    "due_this_week_only": False,
    "site": None,
    "sources": None,
    "categories": None,
    "site_types": None,
    "severities": None,
    "statuses": None,
    "county_ring": None,
    "limit": None,
    "top": 100,
    "origin_lon": 117.0,
    "origin_lat": 31.0,
    "cell_lon": 0.05,
    "cell_lat": 0.05,
    "west": None,
    "south": None,
    "east": None,
    "north": None,
    "start": datetime(2026, 8, 1),
    "end": datetime(2026, 11, 15, 18),
}


@pytest.fixture(scope="module", params=["league", "hotspots", "briefing", "site_scope"])
def con(request, tmp_path_factory):
    path = tmp_path_factory.mktemp(request.param) / "f.duckdb"
    {"league": build_league_db, "briefing": build_briefing_db}.get(
        request.param, lambda p: fixture_db(p, request.param)
    )(path)
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def run_frames(con, scope_unit: str | None, at: datetime) -> dict[str, pd.DataFrame]:
    """每个查询（含它读的中间结果）在这一时刻的结果。"""
    county = con.execute("select coalesce(max(value), '990101') from meta where key = 'our_region_code'").fetchone()[0]
    view = View(
        cutoff=MOMENTS[-1],
        as_of=at,
        period_start=at - timedelta(days=30),
        first_day=at.date(),
        county_code=county,
        scope_unit=scope_unit,
    )
    frames = {}
    for q in queries.all_queries():
        problem = {
            **view.params(),
            **PAGE_PARAMS,
            "problem_code": con.execute("select min(code) from problem").fetchone()[0],
        }
        frames[q.name] = queries.run(con, q.name, queries.bind(q, problem))
    return frames


def run_all(con, scope_unit: str | None, at: datetime) -> dict[str, set[str]]:
    """每个查询（含它读的中间结果）在这一时刻返回的问题编号；不返回问题行的查询不在内。"""
    return {
        name: set(df["problem_code"].dropna())
        for name, df in run_frames(con, scope_unit, at).items()
        if "problem_code" in df.columns
    }


def involved(con, unit: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select code from problem where lead_unit_code = $u union "
            "select problem_code from problem_coop_unit where unit_code = $u",
            {"u": unit},
        ).fetchall()
    }


def test_every_query_that_returns_problem_rows_declares_the_viewer_scope(con):
    returning = run_all(con, None, MOMENTS[-1])
    assert sorted(q for q in returning if "scope_unit" not in queries.load(q).param_names) == []
    assert {"supervision_ledger", "hotspot_problems", "quality_event_order", "supervision_export_problems"} <= set(
        returning
    )


def test_a_unit_viewer_gets_only_problems_its_unit_leads_or_helps_with(con):
    units = [r[0] for r in con.execute("select code from unit order by code").fetchall()]
    seen_other = seen_own = False
    for unit in units[:3]:
        mine = involved(con, unit)
        for at in MOMENTS:
            everyone, scoped = run_all(con, None, at), run_all(con, unit, at)
            for name, codes in scoped.items():
                assert codes <= mine, (unit, name, sorted(codes - mine))
                # 范围只去掉别人的问题，不丢自己的：不设范围时查得到的本单位问题，设了范围照样在
                assert everyone[name] & mine <= codes, (unit, name)
                seen_own |= bool(codes)
                seen_other |= bool(everyone[name] - mine)
    assert (seen_own, seen_other) == (True, True)  # 这个核对在测试库上确有可比的行，能失败


def test_a_unit_viewer_sees_no_code_of_another_units_problem_in_any_column(con):
    """不只是问题行：任何一列（如点位历史的“反弹自”、“销号后再现”）里出现的问题编号也都得在查看范围内。"""
    all_codes = {r[0] for r in con.execute("select code from problem").fetchall()}
    units = [r[0] for r in con.execute("select code from unit order by code").fetchall()]
    intermediate = {source for q in queries.all_queries() for source in q.reads}  # 只给别的查询读，不上屏
    referenced = False
    for unit in units[:3]:
        mine = involved(con, unit)
        for at in MOMENTS:
            for name, df in run_frames(con, unit, at).items():
                if name in intermediate:
                    continue
                for column in df.columns:
                    cited = {t for v in df[column] if isinstance(v, str) for t in v.split("、")} & all_codes
                    assert cited <= mine, (unit, name, column, sorted(cited - mine))
                    referenced |= column != "problem_code" and bool(cited)
    assert referenced  # 测试库里确有引用别的问题的列，这个核对能失败


def test_the_rule_is_written_once():
    # 查询里不再各写“牵头或配合”：只调用宏 involves_unit
    inline = re.compile(r"problem_coop_unit c where c\.problem_code")
    assert [q.name for q in queries.all_queries() if inline.search(q.sql)] == []
