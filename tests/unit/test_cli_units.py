"""找得到要敲的单位代码（Issue 30 第 4 部分）：chuangwen units list [--kind 条|块] [--search 文字]；
建责任单位账号时 --unit 写代码或单位全称，对不上时说出相近的单位与查代码的命令。"""

from __future__ import annotations

import io

import pytest

from chuangwen import accounts, cli
from tests.builders import fixture_db

PASSWORD = "Unit-口令-2026"


@pytest.fixture
def path(tmp_path):
    return fixture_db(tmp_path / "u.duckdb", "imports")


def test_units_list_prints_codes_and_names_in_the_databases_order(path, capsys):
    assert cli.main(["units", "list", "--db", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "代码\t名称\t条块\t单位类型\t所属镇街"
    assert out[1:4] == [
        "D01\t城管局\t条\t政府部门\t",
        "D02\t交警大队\t条\t垂管单位\t",
        "D03\t县委宣传部（文明办）\t条\t党委部门\t",
    ]
    assert out[-1].startswith(
        f"共 {len(out) - 2} 个单位。建责任单位账号：chuangwen user add 登录名 --role 责任单位 --unit 代码"
    )


def test_units_list_filters_by_kind_and_by_text_in_name_or_code(path, capsys):
    assert cli.main(["units", "list", "--kind", "块", "--db", str(path)]) == 0
    rows = capsys.readouterr().out.splitlines()[1:-1]
    assert rows and all(r.split("\t")[2] == "块" for r in rows)
    assert cli.main(["units", "list", "--search", "城管", "--db", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1:-1] == ["D01\t城管局\t条\t政府部门\t"]
    assert cli.main(["units", "list", "--search", "d02", "--db", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1:-1] == ["D02\t交警大队\t条\t垂管单位\t"]
    assert cli.main(["units", "list", "--search", "无此", "--kind", "条", "--db", str(path)]) == 0
    assert capsys.readouterr().out == "没有条块为“条”、名称含“无此”的单位。\n"


def test_user_add_takes_a_unit_by_its_full_name(path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    argv = [
        "user",
        "add",
        "城管联络员",
        "--role",
        "责任单位",
        "--unit",
        "城管局",
        "--password-stdin",
        "--db",
        str(path),
    ]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "已新建账号 城管联络员（责任单位，单位 D01）。\n"
    assert accounts.viewer_named(path, "城管联络员") == accounts.Viewer("城管联络员", "责任单位", "D01")


def test_a_unit_that_is_not_a_code_names_the_near_units_and_the_command(path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    argv = ["user", "add", "联络员", "--role", "责任单位", "--unit", "城管", "--password-stdin", "--db", str(path)]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"chuangwen user：错误：库中没有单位代码“城管”；名称或代码里含“城管”的单位有：D01 城管局。"
        f"查单位代码：chuangwen units list --db {path} --search 城管\n"
    )
    assert accounts.accounts(path) == []


def test_a_unit_account_without_a_unit_names_the_command(path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "联络员", "--role", "责任单位", "--password-stdin", "--db", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"chuangwen user：错误：责任单位账号必须用 --unit 指定单位代码。查单位代码：chuangwen units list --db {path}"
        " [--search 名称里的字]\n"
    )
