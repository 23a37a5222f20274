"""命令行与页面读写同一种映射（Issue 30 第 2、3 部分）：--preset 用页面存的预设；没给映射、表头却与某个预设相同时提示它；
写错的映射文件退出码 2、写明哪一列哪个值、库不变；命令行的报告指向映射文件与参数。"""

from __future__ import annotations

import pytest

from chuangwen import cli
from chuangwen.imports import PAGE, mapping, page_mapping, save_preset
from tests.unit._import_helpers import base_db, csv_bytes, q, table_hashes

CITY = [
    {
        "案件号": "A1",
        "上报时间": "2026-03-01 09:00",
        "案件状态": "已结案",
        "结案时间": "2026-03-02 09:00",
        "小类名称": "出店经营",
        "责任部门": "城管局",
        "问题描述": "占道",
    },
    {
        "案件号": "A2",
        "上报时间": "2026-03-01 10:00",
        "案件状态": "处置中",
        "结案时间": "",
        "小类名称": "暴露垃圾",
        "责任部门": "城管局",
        "问题描述": "垃圾",
    },
]
TOML = """
[columns]
问题编号 = "案件号"
发现时间 = "上报时间"
整改状态 = "案件状态"
销号时间 = "结案时间"
问题类别 = "小类名称"
牵头单位 = "责任部门"
问题描述 = "问题描述"
[defaults]
来源 = "县自查"
严重程度 = "一般"
[values.整改状态]
"已结案" = "已销号"
"处置中" = "整改中"
"""


@pytest.fixture
def path(tmp_path):
    return base_db(tmp_path)


@pytest.fixture
def city(tmp_path):
    f = tmp_path / "城管导出.csv"
    f.write_bytes(csv_bytes(CITY))
    return f


def test_a_preset_saved_on_the_page_imports_the_same_file_on_the_cli(path, city, capsys):
    save_preset(path, "problems", "城管导出", mapping.parse(TOML, "problems"), saved_by="创建办小李")
    assert cli.main(["import", "problems", str(city), "--preset", "城管导出", "--db", str(path)]) == 0
    assert "导入成功（导入编号 1）：城管导出.csv，共 2 行。" in capsys.readouterr().out
    assert q(path, "select code, source, severity from problem where code in ('A1', 'A2') order by code") == [
        ("A1", "县自查", "一般"),
        ("A2", "县自查", "一般"),
    ]


def test_without_a_mapping_the_cli_names_the_preset_saved_for_this_header(path, city, capsys):
    table = page_mapping.read_source(city.read_bytes(), city.name, "problems")
    save_preset(
        path,
        "problems",
        "城管导出",
        mapping.parse(TOML, "problems"),
        saved_by="创建办小李",
        header_signature=mapping.header_signature(table.columns),
    )
    before = table_hashes(path)
    assert cli.main(["import", "problems", str(city), "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("chuangwen import：错误：城管导出.csv中找不到表头行")
    assert err.rstrip().endswith(
        "提示：这个文件的表头与数据管理页存的预设“城管导出”相同，可加 --preset 城管导出 用它"
        "（或用页面上“下载映射文件”得到的 .mapping.toml：--mapping 文件）。"
    )
    assert table_hashes(path) == before


def test_an_unknown_preset_lists_the_saved_ones(path, city, capsys):
    save_preset(path, "problems", "城管导出", mapping.parse(TOML, "problems"))
    before = table_hashes(path)
    assert cli.main(["import", "problems", str(city), "--preset", "12345", "--db", str(path)]) == 2
    assert capsys.readouterr().err == (
        "chuangwen import：错误：没有名为“12345”的问题台账预设；数据管理页存过的问题台账预设：“城管导出”。\n"
    )
    assert (
        cli.main(["import", "problems", str(city), "--preset", "城管导出", "--mapping", "x.toml", "--db", str(path)])
        == 2
    )
    assert "--mapping 与 --preset 只能用一个" in capsys.readouterr().err
    assert table_hashes(path) == before


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[columns]\n编号 = "案件号"\n', "中的列 “编号”（[columns]） 不是“问题台账”模板的列"),
        (
            TOML.replace('"已结案" = "已销号"', '"已结案" = "结案"'),
            "[values.整改状态] 把“已结案”对照为“结案”，不在允许的取值内",
        ),
        (TOML.replace('"已结案" = "已销号"', '"已结案" = ""'), "[values.整改状态] 把“已结案”对照成了空值"),
        (TOML + '问题编号 = "工单号"\n', "[values.整改状态] 把“问题编号”对照为“工单号”，不在允许的取值内"),
        (
            TOML.replace('发现时间 = "上报时间"', '问题编号 = "工单号"'),
            "[columns] 里模板列“问题编号”写了 2 次（第 3、4 行）",
        ),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_the_column_or_value_and_nothing_is_written(
    path, city, tmp_path, capsys, toml, message
):
    bad = tmp_path / "坏.mapping.toml"
    bad.write_text(toml, encoding="utf-8")
    before = table_hashes(path)
    assert cli.main(["import", "problems", str(city), "--mapping", str(bad), "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chuangwen import：错误：映射文件“坏.mapping.toml”") and message in err
    assert table_hashes(path) == before


def test_a_mapping_whose_headers_no_longer_match_names_each_missing_column(path, tmp_path, capsys):
    renamed = tmp_path / "改了表头.csv"
    renamed.write_bytes(csv_bytes([{("工单号" if k == "案件号" else k): v for k, v in r.items()} for r in CITY]))
    good = tmp_path / "城管.mapping.toml"
    good.write_text(TOML, encoding="utf-8")
    before = table_hashes(path)
    assert cli.main(["import", "problems", str(renamed), "--mapping", str(good), "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        "错误｜改了表头.csv 表头｜问题编号｜值“案件号”：文件中没有列“案件号”（映射到模板列“问题编号”）："
        "请核对映射文件 [columns] 里的源列名与文件表头" in err
    )
    assert table_hashes(path) == before


def test_the_same_file_on_the_page_gets_advice_about_the_page(path, city):
    import duckdb

    from chuangwen.imports import validate_table

    renamed = mapping.parse(TOML.replace('问题编号 = "案件号"', '问题编号 = "工单号"'), "problems")
    con = duckdb.connect(str(path), read_only=True)
    try:
        table = page_mapping.read_source(city.read_bytes(), city.name, "problems")
        prep = validate_table(con, table, "problems", renamed, place=PAGE)
    finally:
        con.close()
    assert prep.report()["原因"].tolist() == [
        "文件中没有列“工单号”（映射到模板列“问题编号”）：映射是为别的表头写的，或导出的格式变了；请在上面“列映射”里重新为它选源列"
    ]
