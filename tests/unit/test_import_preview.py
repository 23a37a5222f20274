"""数据管理页的纯函数：读陌生表头、映射的起点、取值对照、由页面上的选择生成映射、校验结论与预览。"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen.imports import PAGE, mapping, page_mapping, preview, validate_only, validate_table
from chuangwen.imports.page_mapping import NOT_MAPPED, ValueRow
from tests.unit._import_helpers import DATA, base_db, csv_bytes, row


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(base_db(tmp_path)), read_only=True)
    yield c
    c.close()


CITY = [
    {
        "案件号": "A1",
        "上报时间": "2026-03-01 09:00",
        "案件状态": "已结案",
        "结案时间": "2026-03-02",
        "小类名称": "出店经营",
    },
    {"案件号": "A2", "上报时间": "2026-03-01 10:00", "案件状态": "处置中", "结案时间": "", "小类名称": "出店经营"},
    {"案件号": "A3", "上报时间": "2026-03-01 11:00", "案件状态": "处置中", "结案时间": "", "小类名称": "暴露垃圾"},
    {"案件号": "A4", "上报时间": "2026-03-01 12:00", "案件状态": "挂起", "结案时间": "", "小类名称": "暴露垃圾"},
]


def test_foreign_headers_fall_back_to_the_first_row():
    raw = csv_bytes([{"case_id": "1", "opened": "03/05/2025 09:00:00 AM"}])
    table = page_mapping.read_source(raw, "x.csv", "problems")
    assert (table.columns, page_mapping.header_row(table)) == (["case_id", "opened"], 1)


def test_headers_are_found_below_a_title_by_their_usual_names():
    raw = ("数字城管案件导出（2026年3月）\n" + "案件号,上报时间,案件状态\nA1,2026-03-01,已结案\n").encode()
    table = page_mapping.read_source(raw, "x.csv", "problems")
    assert (table.columns, page_mapping.header_row(table)) == (["案件号", "上报时间", "案件状态"], 2)


def test_starting_mapping_takes_same_name_columns_first_then_usual_names():
    got = page_mapping.starting_mapping("problems", ["案件号", "上报时间", "问题描述", "状态", "责任部门", "描述"])
    assert got.columns == {
        "问题编号": "案件号",
        "发现时间": "上报时间",
        "问题描述": "问题描述",  # 同名的“问题描述”，不是别名“描述”
        "牵头单位": "责任部门",
        "整改状态": "状态",
    }


def test_starting_mapping_from_a_preset_drops_columns_the_file_does_not_have():
    preset = mapping.load(DATA / "nyc311_mapping.toml", "problems")
    got = page_mapping.starting_mapping("problems", ["case_id", "OPENED", "descriptor"], preset)
    assert got.columns == {"问题编号": "case_id", "发现时间": "OPENED", "问题描述": "descriptor"}
    assert got.defaults == {"来源": "12345热线", "严重程度": "一般", "点位类型": "沿街地址"}
    assert got.values == {"整改状态": {"Open": "已交办", "In Progress": "整改中", "Closed": "已销号"}}


def test_value_rows_count_each_value_and_guess_the_allowed_one(con):
    table = page_mapping.read_source(csv_bytes(CITY), "c.csv", "problems")
    m = page_mapping.starting_mapping("problems", table.columns)
    rows = page_mapping.value_rows(table, "problems", m, page_mapping.site_types(con))
    assert rows == {
        "整改状态": [
            ValueRow("整改状态", "处置中", 2, False, "整改中"),
            ValueRow("整改状态", "已结案", 1, False, "已销号"),
            ValueRow("整改状态", "挂起", 1, False, None),
        ]
    }
    assert page_mapping.unmapped(rows) == [ValueRow("整改状态", "挂起", 1, False, None)]
    guessed = page_mapping.with_guesses("problems", m, rows)
    assert guessed.values == {"整改状态": {"处置中": "整改中", "已结案": "已销号"}}


def test_site_types_not_in_the_database_are_kept_as_they_are(con):
    table = page_mapping.read_source(
        csv_bytes([{"点位名称": "北门", "点位类型": "农贸 市场"}, {"点位名称": "东门", "点位类型": "沿街商铺"}]),
        "s.csv",
        "sites",
    )
    m = page_mapping.starting_mapping("sites", table.columns)
    rows = page_mapping.value_rows(table, "sites", m, page_mapping.site_types(con))
    assert rows["点位类型"] == [
        ValueRow("点位类型", "农贸 市场", 1, False, "农贸市场"),
        ValueRow("点位类型", "沿街商铺", 1, False, "沿街商铺"),
    ]


def test_from_choices_builds_the_mapping_the_cli_reads():
    shown = {
        "整改状态": [
            ValueRow("整改状态", "已结案", 3, False, "已销号"),
            ValueRow("整改状态", "已交办", 2, True, "已交办"),
        ]
    }
    m, problems = page_mapping.from_choices(
        "problems",
        {"问题编号": "案件号", "整改状态": "状态", "来源": NOT_MAPPED, "镇街": None},
        {"来源": "县自查", "严重程度": "一般", "镇街": "  "},
        {"整改状态": {"已结案": "已销号", "已交办": "已交办"}},
        shown=shown,
        date_format=" %Y/%m/%d ",
        crs="GCJ02",
    )
    assert problems == []
    assert (m.columns, m.defaults, m.values, m.date_format, m.crs) == (
        {"问题编号": "案件号", "整改状态": "状态"},
        {"来源": "县自查", "严重程度": "一般"},
        {"整改状态": {"已结案": "已销号"}},
        "%Y/%m/%d",
        "GCJ02",
    )
    assert mapping.parse(m.to_toml(), "problems") == m


def test_from_choices_keeps_a_presets_value_maps_for_values_this_file_lacks():
    base = mapping.Mapping(columns={"整改状态": "状态"}, values={"整改状态": {"退单": "退回整改", "已结案": "整改中"}})
    shown = {"整改状态": [ValueRow("整改状态", "已结案", 1, False, "已销号")]}
    m, problems = page_mapping.from_choices(
        "problems", {"整改状态": "状态"}, {}, {"整改状态": {"已结案": "已销号"}}, shown=shown, base=base
    )
    assert (problems, m.values) == ([], {"整改状态": {"退单": "退回整改", "已结案": "已销号"}})


def test_from_choices_names_each_column_and_value_that_does_not_work():
    shown = {"整改状态": [ValueRow("整改状态", "挂起", 4, False, None)]}
    _, problems = page_mapping.from_choices(
        "problems",
        {"来源": "渠道", "整改状态": "状态"},
        {"来源": "县自查"},
        {"整改状态": {"挂起": None}},
        shown=shown,
    )
    assert problems == [
        "“来源”既选了源列“渠道”，又填了整列的值“县自查”：只能二选一（整列的值只在不选源列时用）。",
        "“整改状态”里的取值“挂起”（4 行）还没有选对照到哪个取值。",
    ]


def test_missing_required_lists_template_columns_with_neither_source_nor_default():
    m = mapping.Mapping(columns={"问题编号": "a", "发现时间": "b"}, defaults={"来源": "县自查"})
    assert page_mapping.missing_required("problems", m) == ["问题类别", "问题描述", "严重程度", "牵头单位"]


def test_a_page_validation_points_to_the_page_controls_and_says_all_rows_are_rejected(con):
    table = page_mapping.read_source(csv_bytes(CITY), "c.csv", "problems")
    m = page_mapping.starting_mapping("problems", table.columns)
    prep = validate_table(con, table, "problems", m, place=PAGE)
    reasons = set(prep.report()["原因"])
    assert "缺少必填列；请在上面“列映射”里为它选一个源列，或填一个整列的值，再点“应用映射并校验”" in reasons
    assert not any("映射文件" in r or "--" in r for r in reasons)
    assert preview.verdict(prep, partial=False) == (
        "error",
        "列映射还不完整（来源、问题描述、严重程度、牵头单位），4 行都没有校验、不会写入。"
        "请在上面“列映射”里补上，再点“应用映射并校验”。",
    )
    assert preview.nothing_to_write(prep) == "没有要写入的行：所有 4 行都被拒（见校验报告）。"


def test_every_row_rejected_is_said_so_not_nothing_new(con):
    raw = csv_bytes([row("A1", 来源="数字城管"), row("A2", 来源="巡查")])
    prep = validate_only(con, raw, "a.csv", "problems", place=PAGE)
    assert preview.verdict(prep, partial=True) == (
        "error",
        "所有 2 行都未通过校验（2 处错误），没有可写入的行。请按下面的校验报告改正列映射、取值对照或文件后再试。",
    )
    assert set(prep.report()["原因"]) == {
        "取值不在允许范围内，应为：省暗访、市督查、县自查、模拟测评、12345热线、媒体曝光（可在上面“取值对照”里把它对照到允许的取值）"
    }


def test_the_cli_place_points_to_the_mapping_file(con):
    prep = validate_only(con, csv_bytes([row("A1", 来源="数字城管")]), "a.csv", "problems")
    assert set(prep.report()["原因"]) == {
        "取值不在允许范围内，应为：省暗访、市督查、县自查、模拟测评、12345热线、媒体曝光（可在映射文件 [values.来源] 中对照到允许的取值）"
    }


def test_verdict_for_some_errors_and_for_a_clean_file(con):
    prep = validate_only(con, csv_bytes([row("A1"), row("A2", 来源="巡查")]), "a.csv", "problems", place=PAGE)
    assert preview.verdict(prep, partial=False) == (
        "warning",
        "校验发现 1 处错误，涉及 1 行。整批模式下不会写入任何数据；请改正后重新上传，或勾选“只导入通过校验的行”（可导入 1 行）。",
    )
    assert preview.verdict(prep, partial=True)[1].endswith("被拒的 1 行不会写入，其余 1 行可以导入。")
    clean = validate_only(con, csv_bytes([row("A1")]), "a.csv", "problems")
    assert preview.verdict(clean, partial=False) == ("success", "校验通过：1 行。")


def test_report_head_puts_errors_first_and_stops_at_the_limit(con):
    rows = [row(f"A{i}", 来源="巡查") for i in range(5)]
    prep = validate_only(con, csv_bytes(rows), "a.csv", "problems")
    assert len(preview.report_head(prep, limit=3)) == 3
    assert len(preview.report_head(prep)) == 5


def test_stored_rows_show_minutes_and_blank_for_missing(con):
    prep = validate_only(con, csv_bytes([row("A1")]), "a.csv", "problems")
    shown = preview.stored_rows(prep)
    first = shown["问题"].iloc[0]
    assert (first["发现时间"], first["整改期限"], first["点位编码"]) == ("2026-03-01 09:00", "2026-03-10 00:00", "")
    assert preview.summary(prep) == {"总行数": 1, "通过": 1, "被拒": 0, "与库中相同": 0, "错误": 0, "提示": 0}
