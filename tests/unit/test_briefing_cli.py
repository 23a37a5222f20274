"""命令行 chuangwen brief：生成 PPTX、无数据的统计时刻报错且不留文件、用法错误为中文（退出码 2）。"""

from __future__ import annotations

import io

from pptx import Presentation

from chuangwen import cli
from tests.builders import build_briefing_db as build_fixture_db


def test_brief_writes_deck_and_reports_digest(tmp_path, capsys):
    path = build_fixture_db(tmp_path / "b.duckdb")
    out = tmp_path / "out" / "周通报.pptx"
    assert cli.main(["brief", "--db", str(path), "--out", str(out), "--issue-no", "3", "--period", "month"]) == 0
    printed = capsys.readouterr().out
    assert "已生成通报" in printed and "第3期" in printed and "数据指纹" in printed
    prs = Presentation(io.BytesIO(out.read_bytes()))
    assert len(prs.slides) == 11
    assert prs.core_properties.title == "甲县创建文明城市工作月通报 第3期"


def test_brief_as_of_without_data_exits_2_and_writes_nothing(tmp_path, capsys):
    path = build_fixture_db(tmp_path / "b.duckdb")
    out = tmp_path / "x.pptx"
    assert cli.main(["brief", "--db", str(path), "--out", str(out), "--as-of", "2020-01-01"]) == 2
    assert "之前没有任何问题记录" in capsys.readouterr().err
    assert not out.exists()


def test_brief_refuses_other_extension(tmp_path, capsys):
    path = build_fixture_db(tmp_path / "b.duckdb")
    assert cli.main(["brief", "--db", str(path), "--out", str(tmp_path / "x.ppt")]) == 2
    assert "扩展名应为 .pptx" in capsys.readouterr().err


def test_brief_unknown_period_is_a_chinese_usage_error(tmp_path, capsys):
    path = build_fixture_db(tmp_path / "b.duckdb")
    assert cli.main(["brief", "--db", str(path), "--out", str(tmp_path / "x.pptx"), "--period", "year"]) == 2
    assert "参数 --period 的取值 'year' 无效" in capsys.readouterr().err


def test_brief_missing_database_exits_1(tmp_path, capsys):
    assert cli.main(["brief", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.pptx")]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
