"""查询登记处：每个 queries/*.sql 都能解析、能在表结构上执行、在代码里被用到；登记处自身的行为。"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from chuangwen import db, queries

REPO = Path(__file__).resolve().parents[2]
QUERY_FILES = sorted(p for p in queries.QUERY_DIR.glob("*.sql") if not p.name.startswith("_"))  # _*.sql 是片段

# 每种声明类型的样例值；VARCHAR 分别用空值（“全部”）和一个具体值各跑一次
SAMPLE_VALUES = {
    "TIMESTAMP": datetime(2026, 11, 15, 18, 0),
    "DATE": date(2026, 11, 15),
    "INTEGER": 1,
    "BIGINT": 1,
    "DOUBLE": 1.0,
    "BOOLEAN": True,
    "INTERVAL": timedelta(days=7),
    "VARCHAR[]": [],
}


def sample_params(query: queries.Query, varchar) -> dict:
    unknown = [t for _, t in query.params if t != "VARCHAR" and t not in SAMPLE_VALUES]
    assert not unknown, f"{query.name}: 测试还不认识参数类型 {unknown}，请在 SAMPLE_VALUES 中补上"
    return {name: varchar if type_ == "VARCHAR" else SAMPLE_VALUES[type_] for name, type_ in query.params}


@pytest.fixture(scope="module")
def schema_con(tmp_path_factory):
    path = db.create_database(tmp_path_factory.mktemp("schema") / "schema.duckdb")
    con = db.open_readonly(path)
    yield con
    con.close()


# ---------------------------------------------------------------- 每个 SQL 文件


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_file_header_is_complete(path):
    query = queries.load(path.stem)
    used = set(
        re.findall(
            r"\$([a-z_][a-z0-9_]*)",
            "\n".join(
                # 用引入片段之后、真正执行的 SQL
                line
                for line in query.sql.splitlines()
                if not line.startswith("--")
            ),
        )
    )
    for source in query.reads:  # 读别的查询时，那个查询的参数也要声明（执行时先用它们跑那个查询）
        used |= set(queries.load(source).param_names)
    assert (query.name, bool(query.purpose), set(query.param_names)) == (path.stem, True, used)


@pytest.mark.parametrize("varchar", [None, "x"], ids=["空值", "样例值"])
@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_runs_on_an_empty_schema(schema_con, path, varchar):
    query = queries.load(path.stem)
    frame = queries.run(schema_con, query.name, sample_params(query, varchar))
    assert frame.columns.size > 0


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_is_used_by_the_code(path):
    sources = [REPO / "dashboard.py", *(REPO / "app_pages").rglob("*.py"), *(REPO / "chuangwen").rglob("*.py")]
    pattern = re.compile(rf"""["']{re.escape(path.stem)}["']""")
    users = [str(p.relative_to(REPO)) for p in sources if p.exists() and pattern.search(p.read_text(encoding="utf-8"))]
    # 被别的查询当表读（-- reads:）也算用到，但读它的查询本身得有代码在用
    readers = [q.name for q in queries.all_queries() if path.stem in q.reads]
    assert users or readers, f"查询 {path.stem} 没有被 dashboard.py、app_pages/ 或 chuangwen/ 中的代码使用"


# ---------------------------------------------------------------- 登记处行为（用临时查询目录）

SAMPLE_SQL = """\
-- name: sample_problem_count
-- 用途: 测试用：统计某时刻前发现的问题数
-- params: $as_of TIMESTAMP, $township VARCHAR
-- 指标: 问题数 | 口径: 发现时间不晚于统计时刻的问题条数 | 分母: 无
select count(*) as 问题数, $township as 镇街
from problem
where found_at <= $as_of
"""


@pytest.fixture
def query_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    queries.load.cache_clear()
    (tmp_path / "sample_problem_count.sql").write_text(SAMPLE_SQL, encoding="utf-8")
    yield tmp_path
    queries.load.cache_clear()


def test_run_binds_params_and_returns_a_frame(query_dir, fresh_db):
    con = db.open_readonly(fresh_db)
    try:
        frame = queries.run(con, "sample_problem_count", {"as_of": datetime(2026, 1, 1), "township": "城关镇"})
    finally:
        con.close()
    assert frame.to_dict("records") == [{"问题数": 0, "镇街": "城关镇"}]


READER_SQL = """\
-- name: sample_by_township
-- 用途: 测试用：读 sample_numbers 的结果再汇总
-- params: $upto INTEGER, $factor INTEGER
-- reads: sample_numbers  （中间结果）
select sum(n) * $factor as total, count(*) as rows from sample_numbers
"""
NUMBERS_SQL = """\
-- name: sample_numbers
-- 用途: 测试用：1..$upto
-- params: $upto INTEGER
select unnest(range(1, $upto + 1)) as n
"""


def test_a_query_reads_another_query_as_a_table_with_the_same_params(query_dir, fresh_db):
    (query_dir / "sample_by_township.sql").write_text(READER_SQL, encoding="utf-8")
    (query_dir / "sample_numbers.sql").write_text(NUMBERS_SQL, encoding="utf-8")
    assert queries.load("sample_by_township").reads == ("sample_numbers",)
    con = db.open_readonly(fresh_db)
    try:
        assert queries.run(con, "sample_by_township", {"upto": 4, "factor": 10}).to_dict("records") == [
            {"total": 100, "rows": 4}
        ]
        # 调用方给了中间结果放在哪（shared）：已有的就用它，这里不再执行被读的查询
        given = queries.run(con, "sample_numbers", {"upto": 2})
        asked = []

        class Kept:
            def get(self, key, make):
                asked.append(key)
                return given

        out = queries.run(con, "sample_by_township", {"upto": 4, "factor": 1}, shared=Kept())
        assert (asked, out.to_dict("records")) == ([("sample_numbers", (("upto", 4),))], [{"total": 3, "rows": 2}])
    finally:
        con.close()


def test_a_reading_query_must_declare_the_params_of_what_it_reads(query_dir):
    (query_dir / "sample_numbers.sql").write_text(NUMBERS_SQL, encoding="utf-8")
    (query_dir / "sample_by_township.sql").write_text(READER_SQL.replace("$upto INTEGER, ", ""), encoding="utf-8")
    with pytest.raises(queries.QueryError, match="upto"):
        queries.load("sample_by_township")
    (query_dir / "reads_nothing.sql").write_text(
        "-- name: reads_nothing\n-- 用途: 测试\n-- reads: no_such_query\nselect 1\n", encoding="utf-8"
    )
    with pytest.raises(queries.QueryError, match="no_such_query"):
        queries.load("reads_nothing")


def test_missing_param_raises_query_error(query_dir):
    query = queries.load("sample_problem_count")
    with pytest.raises(queries.QueryError, match="township"):
        queries.bind(query, {"as_of": datetime(2026, 1, 1)})


def test_extra_params_are_dropped(query_dir):
    query = queries.load("sample_problem_count")
    bound = queries.bind(query, {"as_of": datetime(2026, 1, 1), "township": None, "unit": "城管局"})
    assert bound == {"as_of": datetime(2026, 1, 1), "township": None}


def test_header_metric_is_parsed(query_dir):
    assert queries.load("sample_problem_count").metrics == (
        queries.Metric("问题数", "发现时间不晚于统计时刻的问题条数", "无"),
    )


def test_all_queries_lists_every_file_in_the_folder(query_dir):
    (query_dir / "another_query.sql").write_text("-- name: another_query\n-- 用途: 测试\nselect 1\n", encoding="utf-8")
    assert [q.name for q in queries.all_queries()] == ["another_query", "sample_problem_count"]


def test_unknown_query_name_raises_query_error(query_dir):
    with pytest.raises(queries.QueryError, match="没有名为"):
        queries.load("no_such_query")


def test_header_name_must_match_file_name(query_dir):
    (query_dir / "misnamed.sql").write_text("-- name: other\n-- 用途: 测试\nselect 1\n", encoding="utf-8")
    with pytest.raises(queries.QueryError, match="文件名"):
        queries.load("misnamed")


def test_purpose_line_is_required(query_dir):
    (query_dir / "no_purpose.sql").write_text("-- name: no_purpose\nselect 1\n", encoding="utf-8")
    with pytest.raises(queries.QueryError, match="用途"):
        queries.load("no_purpose")


def test_used_but_undeclared_param_is_rejected(query_dir):
    (query_dir / "undeclared.sql").write_text(
        "-- name: undeclared\n-- 用途: 测试\n-- params: $a INTEGER\nselect $a + $b\n", encoding="utf-8"
    )
    with pytest.raises(queries.QueryError, match="不一致"):
        queries.load("undeclared")


def test_include_line_is_replaced_by_the_fragment(query_dir):
    (query_dir / "_scoped.sql").write_text("with scoped as (select $as_of::timestamp as t)\n", encoding="utf-8")
    (query_dir / "uses_fragment.sql").write_text(
        "-- name: uses_fragment\n-- 用途: 测试\n-- params: $as_of TIMESTAMP\n-- include: _scoped.sql  （说明）\nselect t from scoped\n",
        encoding="utf-8",
    )
    query = queries.load("uses_fragment")
    assert "with scoped as (select $as_of::timestamp as t)\nselect t from scoped" in query.sql
    assert query.param_names == ("as_of",)


def test_fragments_are_not_listed_as_queries(query_dir):
    (query_dir / "_scoped.sql").write_text("with scoped as (select 1)\n", encoding="utf-8")
    assert [q.name for q in queries.all_queries()] == ["sample_problem_count"]


def test_missing_fragment_raises_query_error(query_dir):
    (query_dir / "broken.sql").write_text(
        "-- name: broken\n-- 用途: 测试\n-- include: _nope.sql\nselect 1\n", encoding="utf-8"
    )
    with pytest.raises(queries.QueryError, match="_nope.sql"):
        queries.load("broken")


def test_fragment_params_count_as_used(query_dir):
    (query_dir / "_scoped.sql").write_text("with scoped as (select $as_of::timestamp as t)\n", encoding="utf-8")
    (query_dir / "undeclared.sql").write_text(
        "-- name: undeclared\n-- 用途: 测试\n-- include: _scoped.sql\nselect t from scoped\n", encoding="utf-8"
    )
    with pytest.raises(queries.QueryError, match="as_of"):
        queries.load("undeclared")


def test_a_fragment_may_include_another_fragment(query_dir):
    (query_dir / "_inner.sql").write_text("inner as (select 2 as v),\n", encoding="utf-8")
    (query_dir / "_outer.sql").write_text("outer_ as (select 1 as v),\n-- include: _inner.sql\n", encoding="utf-8")
    (query_dir / "nested.sql").write_text(
        "-- name: nested\n-- 用途: 测试\nwith\n-- include: _outer.sql\nlast as (select 3 as v)\n"
        "select v from outer_ union all select v from inner union all select v from last order by v\n",
        encoding="utf-8",
    )
    assert "outer_ as (select 1 as v),\ninner as (select 2 as v),\nlast" in queries.load("nested").sql


def test_a_fragment_that_includes_itself_is_refused(query_dir):
    (query_dir / "_a.sql").write_text("-- include: _b.sql\n", encoding="utf-8")
    (query_dir / "_b.sql").write_text("-- include: _a.sql\n", encoding="utf-8")
    (query_dir / "loop.sql").write_text(
        "-- name: loop\n-- 用途: 测试\n-- include: _a.sql\nselect 1\n", encoding="utf-8"
    )
    with pytest.raises(queries.QueryError, match="片段循环引入：_a.sql → _b.sql → _a.sql"):
        queries.load("loop")


def test_metric_definitions_are_chinese_only():
    """指标口径（页面的口径卡片、悬停提示、通报口径页都用它）：没有查询名、表名、字段名、环境变量名。"""
    import re

    offenders = [
        (q.name, m.name, word)
        for q in queries.all_queries()
        for m in q.metrics
        for word in re.findall(r"[A-Za-z_][A-Za-z_0-9.]{2,}", f"{m.name} {m.formula} {m.denominator}")
    ]
    assert offenders == []
    m = queries.Metric("甲", "乙", "—")
    assert m.text == "乙。" and queries.Metric("甲", "乙", "丙").text == "乙。分母：丙。"
