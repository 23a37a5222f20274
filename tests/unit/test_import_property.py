"""性质测试：任意畸形的行（乱码、错类型、缺列、超长、奇怪日期）——从不抛出未处理的异常，总是给出报告。"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangwen.imports import ImportFailed, ReadError, run_import, validate_only
from chuangwen.imports.kinds import KINDS
from tests.unit._import_helpers import base_db, csv_bytes, table_hashes, xlsx_bytes

COLUMNS = KINDS["problems"].names
cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "2026-03-01",
            "2026/2/30",
            "２０２６年３月１日",
            "45721",
            "-1",
            "1e308",
            "县自查",
            "城管局",
            "出店经营",
            "已销号",
            "=cmd|' /C calc'!A0",
            "117.1",
            "31.05",
            "NaN",
            "　",
            "\x00",
            "<img src=x onerror=alert(1)>",
            "![x](http://192.0.2.1/x.png)",
            "城管局/执法大队",
            "x" * 40_000,
        ]
    ),
)
rows = st.lists(st.fixed_dictionaries({c: cell for c in COLUMNS}), min_size=1, max_size=8)
header = st.lists(st.sampled_from(COLUMNS + ["乱列", "case_id"]), min_size=1, max_size=12, unique=True)


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    path = base_db(tmp_path_factory.mktemp("prop"))
    con = duckdb.connect(str(path), read_only=True)
    yield path, con
    con.close()


def _text(v) -> str:
    return "" if v is None else str(v).replace(",", "，").replace("\n", " ").replace('"', "'").replace("\r", " ")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, cols=header, encoding=st.sampled_from(["utf-8", "gbk", "utf-8-sig"]))
def test_malformed_csv_rows_always_give_a_report_never_a_crash(ref, rows, cols, encoding):
    _, con = ref
    data = [{c: _text(r.get(c)) for c in cols} for r in rows]
    try:
        raw = csv_bytes(data, encoding=encoding, header=cols)
    except UnicodeEncodeError:
        raw = csv_bytes(data, encoding="utf-8", header=cols)
    try:
        prep = validate_only(con, raw, "乱.csv", "problems", create_missing=False)
    except ReadError as exc:
        assert str(exc)
        return
    report = prep.report()
    assert list(report.columns) == ["级别", "文件", "工作表", "行", "列", "值", "原因"]
    assert prep.rejected is not None and len(prep.rejected) == prep.rows_total
    if prep.errors == 0:
        assert not prep.rejected.any()
    assert report["原因"].map(lambda s: isinstance(s, str) and s != "").all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_malformed_xlsx_cells_of_any_type_always_give_a_report(ref, rows):
    _, con = ref
    body = [
        [
            r[c]
            if not (isinstance(r[c], float) and r[c] != r[c]) and r[c] not in (float("inf"), float("-inf"))
            else None
            for c in COLUMNS
        ]
        for r in rows
    ]
    body = [[v if not isinstance(v, str) else v.replace("\x00", "") for v in line] for line in body]
    raw = xlsx_bytes([COLUMNS, *body])
    try:
        prep = validate_only(con, raw, "乱.xlsx", "problems", create_missing=True)
    except ReadError as exc:
        assert str(exc)
        return
    assert len(prep.rejected) == prep.rows_total


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, partial=st.booleans())
def test_malformed_import_either_writes_or_leaves_every_table_unchanged(ref, tmp_path_factory, rows, partial):
    path, _ = ref
    copy = tmp_path_factory.mktemp("copy") / "c.duckdb"
    shutil.copy(path, copy)
    before = table_hashes(copy)
    data = [{c: _text(r.get(c)) for c in COLUMNS} for r in rows]
    try:
        result = run_import(copy, csv_bytes(data, header=COLUMNS), "乱.csv", "problems", partial=partial)
    except ImportFailed as exc:
        assert str(exc)
        assert table_hashes(copy) == before
        return
    assert result.status in ("成功", "部分导入", "无新数据")


# 每种表格导入（测评体系、成绩、扣分、单位、点位、整改记录）：模板列加上成绩表的分项列，单元格取自带领域取值的畸形值
ASSESSMENT_CELLS = st.one_of(
    cell,
    st.sampled_from(
        [
            "T版",
            "2026版",
            "1",
            "1.1",
            "1.1.1.1",
            "9.9",
            "1..2",
            "板块",
            "测评项目",
            "测评标准",
            "实地考察",
            "网上申报",
            "R2025-ND",
            "2025年度测评",
            "新轮次",
            "甲县",
            "乙县",
            "101",
            "60",
            "0",
            "-3",
            "农贸市场、背街小巷",
            "城管局、东坝镇",
        ]
    ),
)
KIND_COLUMNS = {
    k: KINDS[k].names + (["1.1", "宣传氛围", "名次"] if k == "scores" else [])
    for k in ("framework", "scores", "deductions", "units", "sites", "events")
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(sorted(KIND_COLUMNS)), create=st.booleans())
def test_every_kind_of_malformed_rows_gives_a_report(ref, data, kind, create):
    _, con = ref
    cols = data.draw(st.lists(st.sampled_from(KIND_COLUMNS[kind] + ["乱列"]), min_size=1, max_size=14, unique=True))
    body = data.draw(st.lists(st.fixed_dictionaries({c: ASSESSMENT_CELLS for c in cols}), min_size=1, max_size=6))
    raw = csv_bytes([{c: _text(r[c]) for c in cols} for r in body], header=cols)
    try:
        prep = validate_only(con, raw, "乱.csv", kind, create_missing=create)
    except ReadError as exc:
        assert str(exc)
        return
    report = prep.report()
    assert prep.rejected is not None and len(prep.rejected) == prep.rows_total
    assert report["原因"].map(lambda s: isinstance(s, str) and s != "").all()
    if prep.errors == 0:
        assert not prep.rejected.any()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(["framework", "scores", "deductions"]), partial=st.booleans())
def test_assessment_imports_either_write_or_leave_every_table_unchanged(ref, tmp_path_factory, data, kind, partial):
    path, _ = ref
    copy = tmp_path_factory.mktemp("copy") / "c.duckdb"
    shutil.copy(path, copy)
    before = table_hashes(copy)
    cols = KIND_COLUMNS[kind]
    body = data.draw(st.lists(st.fixed_dictionaries({c: ASSESSMENT_CELLS for c in cols}), min_size=1, max_size=5))
    try:
        result = run_import(
            copy,
            csv_bytes([{c: _text(r[c]) for c in cols} for r in body], header=cols),
            "乱.csv",
            kind,
            partial=partial,
            create_missing=True,
        )
    except ImportFailed as exc:
        assert str(exc)
        assert table_hashes(copy) == before
        return
    assert result.status in ("成功", "部分导入", "无新数据")


NAMES = st.lists(
    st.sampled_from(
        [
            "<img src=x onerror=alert(1)>",
            "![x](http://192.0.2.1/x.png)",
            "交通运输局/公路中心",
            "<script>alert('u')</script>",
            ":red[单位]",
            "A&B <局>",
            "教育局（体育局）",
        ]
    ),
    min_size=1,
    max_size=3,
    unique=True,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES)
def test_hostile_unit_names_are_stored_exactly_as_written(tmp_path_factory, names):
    path = base_db(tmp_path_factory.mktemp("names"))
    rows = [{"单位名称": n, "条块": "条", "单位类型": "政府部门"} for n in names]
    run_import(path, csv_bytes(rows, header=["单位名称", "条块", "单位类型"]), "单位.csv", "units")
    con = duckdb.connect(str(path), read_only=True)
    try:
        stored = {r[0] for r in con.execute("select name from unit").fetchall()}
    finally:
        con.close()
    assert set(names) <= stored
