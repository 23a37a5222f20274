"""数据管理页的纯函数：陌生表头、选列默认值、由选列生成映射、预览格式。"""

from __future__ import annotations

import duckdb

from chuangwen.imports import mapping, preview, validate_only
from tests.unit._import_helpers import DATA, base_db, csv_bytes, row


def test_foreign_headers_fall_back_to_the_first_row():
    raw = csv_bytes([{"case_id": "1", "opened": "03/05/2025 09:00:00 AM"}])
    assert preview.source_columns(raw, "x.csv", "problems") == (["case_id", "opened"], 1)


def test_guess_prefers_the_preset_then_same_name_columns():
    preset = mapping.load(DATA / "nyc311_mapping.toml", "problems")
    got = preview.guess("problems", ["case_id", "opened", "问题描述"], preset)
    assert (got["问题编号"], got["发现时间"], got["问题描述"], got["镇街"]) == (
        "case_id",
        "opened",
        "问题描述",
        preview.NOT_MAPPED,
    )


def test_build_mapping_keeps_only_picked_columns_and_the_preset_value_maps():
    preset = mapping.load(DATA / "nyc311_mapping.toml", "problems")
    m = preview.build_mapping(
        "problems", {"问题编号": "case_id", "镇街": preview.NOT_MAPPED, "来源": preview.NOT_MAPPED}, preset=preset
    )
    assert m.columns == {"问题编号": "case_id"}
    assert m.defaults == {"来源": "12345热线", "严重程度": "一般", "点位类型": "沿街地址"}
    assert m.values["整改状态"]["Closed"] == "已销号"
    assert mapping.parse(m.to_toml(), "problems") == m


def test_stored_rows_show_minutes_and_blank_for_missing(tmp_path):
    path = base_db(tmp_path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        prep = validate_only(con, csv_bytes([row("A1")]), "a.csv", "problems")
    finally:
        con.close()
    shown = preview.stored_rows(prep)
    first = shown["问题"].iloc[0]
    assert (first["发现时间"], first["整改期限"], first["点位编码"]) == ("2026-03-01 09:00", "2026-03-10 00:00", "")
    assert preview.summary(prep) == {"总行数": 1, "通过": 1, "被拒": 0, "与库中相同": 0, "错误": 0, "提示": 0}
