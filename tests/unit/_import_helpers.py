"""导入测试共用：参考库夹具、按表哈希、写 CSV/xlsx 字节。"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import duckdb
import xlsxwriter

from tests.builders import fixture_db

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
HEADER = [
    "问题编号",
    "发现时间",
    "来源",
    "问题类别",
    "镇街",
    "经度",
    "纬度",
    "问题描述",
    "严重程度",
    "牵头单位",
    "配合单位",
    "整改期限",
    "整改状态",
    "销号时间",
]


def base_db(tmp_path: Path) -> Path:
    return fixture_db(tmp_path / "imp.duckdb", "imports")


def q(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    """只读查一次库（测试断言用）。"""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def table_hashes(path: Path) -> dict[str, str]:
    """每张表全部行（排序后）的哈希：判断表内容是否逐字节相同。"""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' and not internal"
            ).fetchall()
        ]
        out = {}
        for n in names:
            rows = con.execute(f'select * from "{n}"').fetchall()
            out[n] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        return out
    finally:
        con.close()


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in (
                "problem",
                "rectify_event",
                "problem_coop_unit",
                "unit",
                "region",
                "problem_category",
                "import_log",
            )
        }
    finally:
        con.close()


def row(code, found="2026-03-01 09:00", **kw) -> dict:
    r = {
        "问题编号": code,
        "发现时间": found,
        "来源": "县自查",
        "问题类别": "出店经营",
        "镇街": "城关街道",
        "经度": "",
        "纬度": "",
        "问题描述": "占道经营",
        "严重程度": "一般",
        "牵头单位": "城管局",
        "配合单位": "",
        "整改期限": "2026-03-10",
        "整改状态": "已交办",
        "销号时间": "",
    }
    r.update(kw)
    return r


def csv_bytes(rows: list[dict], encoding: str = "utf-8", header: list[str] | None = None) -> bytes:
    header = header or list(rows[0]) if rows else HEADER
    lines = [",".join(header)] + [",".join(str(r.get(h, "")) for h in header) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(
    rows: list[list],
    *,
    title: str | None = None,
    group_row: list | None = None,
    blank_tail: int = 0,
    dates_as_cells: dict[int, object] | None = None,
) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("问题台账")
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(rows[0]) - 1, title)
        r = 1
    if group_row:
        for c, v in enumerate(group_row):
            if v:
                ws.write(r, c, v)
        r += 1
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for i, values in enumerate(rows):
        for c, v in enumerate(values):
            if hasattr(v, "year"):
                ws.write_datetime(r + i, c, v, fmt)
            elif v is not None:
                ws.write(r + i, c, v)
    for k in range(blank_tail):
        ws.write_blank(r + len(rows) + k, 0, None, fmt)
    wb.close()
    return buf.getvalue()
