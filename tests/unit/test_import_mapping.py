"""映射文件（TOML）：页面与命令行同一种格式；写错的映射逐条写明哪一列、哪个值；表头的样子；最可能的对照。"""

from __future__ import annotations

from pathlib import Path

import pytest

from chuangwen.imports import guesses, mapping

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_MAPPING = ROOT / "data" / "samples" / "数字城管案件导出.mapping.toml"


def _problems(text: str, kind: str = "problems") -> list[str]:
    with pytest.raises(mapping.MappingError) as exc:
        mapping.parse(text, kind, name="映射文件“x.toml”")
    return str(exc.value).splitlines()


def test_the_readme_sample_mapping_round_trips_through_to_toml():
    m = mapping.load(SAMPLE_MAPPING, "problems")
    assert m.defaults == {"来源": "县自查", "严重程度": "一般"}
    assert m.values == {"整改状态": {"已派遣": "已交办", "处置中": "整改中", "已结案": "已销号"}}
    text = m.to_toml()
    assert text.startswith("# 创文看板列映射（问题台账）")
    assert mapping.parse(text, "problems") == m


def test_quotes_backslashes_and_control_characters_in_cells_survive_the_round_trip():
    # 单元格里的换行、制表符与其他控制字符：写成 \uXXXX，否则存的预设与下载的映射文件是坏的 TOML
    m = mapping.Mapping(
        columns={"问题编号": '案件号"\\'},
        values={"整改状态": {"已结案\n": "已销号", "处置\t中": "整改中", "x\x7f\x01": "已交办"}},
        defaults={"来源": "县自查"},
        kind="problems",
    )
    text = m.to_toml()
    assert "\\u000A" in text and "\\u007F" in text
    assert mapping.parse(text, "problems") == m


def test_unknown_template_columns_are_named_with_the_table_they_are_in():
    assert _problems('[columns]\n编号 = "a"\n[defaults]\n渠道 = "县自查"\n[values.状态]\n"x" = "已交办"\n') == [
        "映射文件“x.toml”中的列 “编号”（[columns]）、“渠道”（[defaults]）、“状态”（[values.列名]） 不是“问题台账”模板的列；"
        "模板列为：问题编号、发现时间、来源、测评轮次、测评标准编号、问题类别、点位名称、点位类型、镇街、社区、经度、纬度、"
        "坐标系、问题描述、严重程度、牵头单位、配合单位、整改期限、整改状态、销号时间。"
    ]


def test_values_outside_the_allowed_list_and_values_mapped_to_nothing_are_named():
    assert _problems('[columns]\n整改状态 = "状态"\n[values.整改状态]\n"已派遣" = ""\n"处置中" = "处理"\n') == [
        "映射文件“x.toml”的 [values.整改状态] 把“已派遣”对照成了空值：请写明对照到哪个取值"
        "（应为：待交办、已交办、整改中、申请销号、已销号、退回整改、反弹重开）。",
        "映射文件“x.toml”的 [values.整改状态] 把“处置中”对照为“处理”，不在允许的取值内，"
        "应为：待交办、已交办、整改中、申请销号、已销号、退回整改、反弹重开。",
    ]


def test_defaults_outside_the_allowed_list_or_empty_are_named():
    assert _problems('[defaults]\n来源 = "数字城管"\n严重程度 = ""\n') == [
        "映射文件“x.toml”的 [defaults] 里“来源”的值“数字城管”不在允许的取值内，应为：省暗访、市督查、县自查、模拟测评、12345热线、媒体曝光。",
        "映射文件“x.toml”的 [defaults] 里“严重程度”的值是空的：写上整列要用的值，或删掉这一行。",
    ]


def test_two_source_columns_for_one_template_column_are_refused_either_way():
    assert _problems('[columns]\n问题编号 = "案件号"\n发现时间 = "上报时间"\n问题编号 = "工单号"\n') == [
        "映射文件“x.toml”的 [columns] 里模板列“问题编号”写了 2 次（第 2、4 行）：一个模板列只能对应一个源列。"
    ]
    assert _problems('[columns]\n问题编号 = ["案件号", "工单号"]\n') == [
        "映射文件“x.toml”的 [columns] 里模板列“问题编号”写了几个值（“案件号”、“工单号”）：一个模板列只能对应一个源列。"
    ]
    assert _problems('[columns]\n来源 = "渠道"\n[defaults]\n来源 = "县自查"\n') == [
        "映射文件“x.toml”里模板列“来源”既对应源列“渠道”（[columns]），又给了整列的值“县自查”（[defaults]）：只能二选一。"
    ]


def test_a_value_mapped_twice_and_a_broken_file_are_refused_in_chinese():
    assert _problems('[values.整改状态]\n"已结案" = "已销号"\n"已结案" = "整改中"\n') == [
        "映射文件“x.toml”的 [values.整改状态] 里取值“已结案”写了 2 次（第 2、3 行）：一个取值只能对照到一个。"
    ]
    assert _problems("[columns]\n问题编号 = 案件号\n") == [
        "映射文件“x.toml”不是有效的 TOML：第 2 行值写得不对：文字要用英文双引号括起来。"
    ]


def test_a_mapping_written_for_another_kind_and_an_unknown_crs_are_refused():
    assert _problems('kind = "events"\n[columns]\n问题编号 = "a"\n') == [
        "映射文件“x.toml”是为“整改记录”写的，不能用于导入“问题台账”。"
    ]
    assert _problems('crs = "mercator"\n[columns]\n问题编号 = "a"\n') == [
        "映射文件“x.toml”里 crs = “mercator” 不是认识的坐标系，应为 wgs84、cgcs2000、gcj02 或 bd09。"
    ]


def test_crs_values_accept_the_usual_spellings():
    m = mapping.parse('[columns]\n坐标系 = "坐标"\n[values.坐标系]\n"高德" = "GCJ-02"\n"gps" = "wgs84"\n', "problems")
    assert m.values == {"坐标系": {"高德": "GCJ-02", "gps": "wgs84"}}
    assert [mapping.crs_name(v) for v in ("wgs84", "GCJ-02", "百度", "bd-09", "墨卡托", None)] == [
        "WGS84",
        "GCJ02",
        "BD09",
        "BD09",
        None,
        None,
    ]


def test_missing_sources_names_the_columns_a_preset_expects_but_the_file_lacks():
    m = mapping.load(SAMPLE_MAPPING, "problems")
    got = mapping.missing_sources(m, ["案件号", "上报时间 ", "案件状态", "问题描述", "经度", "纬度"])
    assert got == {
        "整改期限": "处置时限",
        "销号时间": "结案时间",
        "问题类别": "小类名称",
        "镇街": "所属街道",
        "牵头单位": "责任部门",
    }


def test_header_signature_ignores_order_spaces_width_and_case_but_not_names():
    a = mapping.header_signature(["案件号", "上报时间", "Lat"])
    assert a == mapping.header_signature([" lat", "上报 时间", "案件号"])
    assert a == mapping.header_signature(["案件号", "上报时间", "ＬＡＴ"])
    assert a != mapping.header_signature(["案件号", "上报时间"])
    assert a != mapping.header_signature(["案件号", "上报时间", "lng"])


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("整改状态", "已结案", "已销号"),
        ("整改状态", "处置中", "整改中"),
        ("整改状态", "已派遣", "已交办"),
        ("整改状态", "待派遣", "待交办"),
        ("整改状态", "申请结案", "申请销号"),
        ("整改状态", "已销号", "已销号"),
        ("整改状态", " 已 销号 ", "已销号"),
        ("整改状态", "挂起", None),
        ("来源", "12345市民热线", "12345热线"),
        ("来源", "数字城管", "县自查"),
        ("严重程度", "普通", "一般"),
        ("严重程度", "紧急", "严重"),
        ("坐标系", "高德", "GCJ02"),
        ("坐标系", "gps", "WGS84"),
        ("动作", "派遣", "交办"),
        ("条块", "职能部门", "条"),
    ],
)
def test_best_value_guesses_the_allowed_value_or_admits_it_cannot(column, value, expected):
    from chuangwen.imports.kinds import CHOICES

    kind = "events" if column == "动作" else "units" if column == "条块" else "problems"
    assert guesses.best_value(column, value, CHOICES[kind][column]) == expected


def test_header_guesses_give_each_source_column_to_one_template_column_only():
    got = guesses.header_guesses(["问题编号", "问题描述", "整改状态"], ["编号", "描述", "状态", "案件状态"])
    assert got == {"问题编号": "编号", "问题描述": "描述", "整改状态": "状态"}
