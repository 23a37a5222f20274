"""查看范围：责任单位账号（$scope_unit）只看到自己单位牵头或配合的问题。规则只写一处（迁移 006 的宏 involves_unit）；
这里把每个返回问题行的查询在测试小库上跑一遍，逐行核对。"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

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
    "kind": None,  # 单位清单（ref_units）的条块与查找文字
    "search": None,
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


def intermediates() -> set[str]:
    """只给别的查询读（-- reads:）、不上屏的中间结果。"""
    return {source for q in queries.all_queries() for source in q.reads}


def countywide_intermediates() -> set[str]:
    """不分查看范围的中间结果：例如 loss_risk_open 是全县的（全县预计丢分要算别的单位的不合格处），
    查看范围由读它的查询筛，这些查询的结果照样逐行核对。"""
    return {name for name in intermediates() if "scope_unit" not in queries.load(name).param_names}


def run_all(con, scope_unit: str | None, at: datetime) -> dict[str, set[str]]:
    """每个查询在这一时刻返回的问题编号；不返回问题行的查询、不分范围的中间结果不在内。"""
    skip = countywide_intermediates()
    return {
        name: set(df["problem_code"].dropna())
        for name, df in run_frames(con, scope_unit, at).items()
        if "problem_code" in df.columns and name not in skip
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


def test_intermediates_are_never_run_by_the_product_directly():
    """不分查看范围的中间结果，产品代码从不直接跑它（只经读它的、带 $scope_unit 的查询）：源码里不出现带引号的名字。"""
    names = countywide_intermediates()
    assert "loss_risk_open" in names  # 这个核对确有对象，能失败
    found = [
        (str(p.relative_to(ROOT)), name)
        for p in _sources()
        if p.suffix == ".py"
        for name in names
        if re.search(rf"[\"']{name}[\"']", p.read_text(encoding="utf-8"))
    ]
    assert found == []


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
    intermediate = intermediates()
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


# ---------------------------------------------------------------- “涉及某单位”只写在宏 involves_unit 里

ROOT = Path(__file__).resolve().parents[2]
THE_RULE = ROOT / "queries" / "macros" / "involves_unit.sql"
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_COOP_TABLE = re.compile(r"\bproblem_coop_unit\b(?: (?:as )?([a-z_]\w*))?")
_NOT_ALIAS = {"where", "join", "on", "using", "left", "inner", "cross", "group", "order", "limit", "union", "as"}
# 拿来与配合单位比的“某个单位”：参数（$名、?、:名）、字符串，或宏的形参这类不带表名的名字（u.code 这样带表名的是连接）
_A_UNIT = r"(?:\$\w+|\?|:\w+|'[^']*'|(?!and\b|or\b|not\b|null\b|select\b)[a-z_]\w*\b(?! ?[.(]))"
_EQUALS = r"(?:==?|is not distinct from|in ?\()"


def restates_involvement(text: str) -> bool:
    """这段 SQL（或含 SQL 的源码）是否自己写了“配合单位之一是某单位”：不论别名、引号、大小写、空白、写法先后，
    也不论是 exists、连接还是 in (select …)。只读配合单位的名称（连接单位表）不算。"""
    sql = _COMMENTS.sub(" ", text).lower().replace('"', "").replace("`", "")
    sql = re.sub(r"\bmain\.problem_coop_unit\b", "problem_coop_unit", re.sub(r"\s+", " ", sql))
    names = set()
    for m in _COOP_TABLE.finditer(sql):
        names |= {"problem_coop_unit"} | ({m[1]} if m[1] and m[1] not in _NOT_ALIAS else set())
    if not names:
        return False
    coop_unit = rf"(?:\b(?:{'|'.join(map(re.escape, sorted(names)))}) ?\. ?|(?<![\w.]))unit_code\b"
    return any(
        re.search(pattern, sql)
        for pattern in (
            rf"{coop_unit} ?{_EQUALS} ?{_A_UNIT}",  # c.unit_code = $unit
            rf"(?<![\w.]){_A_UNIT} ?(?:==?|is not distinct from) ?{coop_unit}",  # $unit = c.unit_code
            rf"(?<![\w.]){_A_UNIT} ?in ?\( ?select (?:distinct )?{coop_unit} from problem_coop_unit\b",
        )
    )


def _sources() -> list[Path]:
    """产品里可能写 SQL 的全部文件：queries/ 下的 .sql（含片段、宏、派生表），chuangwen/、app_pages/ 与入口的 Python。"""
    python = [*ROOT.glob("chuangwen/**/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "dashboard.py", ROOT / "webapp.py"]
    return sorted({*ROOT.glob("queries/**/*.sql"), *python})


def test_the_rule_is_written_once():
    # 查询与代码里不再各写“牵头或配合”：只调用宏 involves_unit。宏本身也过一遍检查：检查认得出真的写法
    found = [str(p.relative_to(ROOT)) for p in _sources() if restates_involvement(p.read_text(encoding="utf-8"))]
    assert found == [str(THE_RULE.relative_to(ROOT))]


@pytest.mark.parametrize(
    "sql",
    [
        "exists (select 1 from problem_coop_unit c where c.problem_code = p.code and c.unit_code = $scope_unit)",
        "EXISTS (SELECT 1 FROM problem_coop_unit AS coop\n  WHERE coop.problem_code = p.code\n    AND coop.unit_code=$u)",
        'exists (select 1 from "problem_coop_unit" "pc" where "pc"."unit_code" = $involved_unit)',
        "exists (select 1 from main.problem_coop_unit where problem_code = p.code and unit_code = $scope_unit)",
        "exists (select 1 from problem_coop_unit x where $scope_unit = x.unit_code and x.problem_code = p.code)",
        "join problem_coop_unit pc on pc.problem_code = s.problem_code and pc.unit_code is not distinct from $unit",
        "p.code in (select problem_code from problem_coop_unit where unit_code in ($a, $b))",
        "$scope_unit in (select unit_code from problem_coop_unit pc where pc.problem_code = p.code)",
        "exists (select 1 from problem_coop_unit /* 配合 */ c where c . unit_code = 'D01')",
        "or exists (select 1 from problem_coop_unit c where c.problem_code = problem and c.unit_code = unit)",
        'con.execute("select 1 from problem_coop_unit where problem_code = ? and unit_code = ?", [p, u])',
    ],
)
def test_the_rule_checker_catches_any_spelling(sql):
    assert restates_involvement(sql)


@pytest.mark.parametrize(
    "sql",
    [
        # 台账列出配合单位的名称：按问题编号连单位表，不是“涉及某单位”
        "select c.problem_code, string_agg(u.name, '、') from problem_coop_unit c join unit u on u.code = c.unit_code",
        "select 1 from problem_coop_unit c join unit u on c.unit_code = u.code where c.problem_code = $p",
        "where involves_unit($scope_unit, s.lead_unit_code, s.problem_code)",
        "delete from problem_coop_unit where problem_code in (select code from problem where import_id = $i)",
        "-- 注释里写 problem_coop_unit c where c.unit_code = $u 不算\nselect 1",
    ],
)
def test_the_rule_checker_leaves_other_uses_alone(sql):
    assert not restates_involvement(sql)
