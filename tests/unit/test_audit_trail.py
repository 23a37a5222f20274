"""审计：每次导入（成功、未改动、被拒）、回滚、重新发布、从备份恢复，命令行的导出与通报，恰好留一条记录，记的是操作的人与页面、
行数、文件散列；看板与命令行都不能改、删、覆盖审计记录；散列链让绕过触发器的改动在 chuangwen audit verify 时现形。"""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import os
import re
import sqlite3
from datetime import date

import openpyxl
import pytest

from chuangwen import backup, briefing, cli, cli_common, osuser, statedb
from chuangwen.imports import ImportFailed, rollback, run_import
from chuangwen.imports.boundaries import run_boundaries
from tests.builders import build_briefing_db
from tests.unit._import_helpers import base_db, csv_bytes, row


def trail(path, since: int = 0) -> list[tuple]:
    return [
        (e["user"], e["action"], e["detail"], e["page"], e["rows"], e["file_sha256"])
        for e in reversed(statedb.audit(path, None))
    ][since:]


@pytest.fixture
def office(tmp_path):
    return base_db(tmp_path)


def test_each_import_rollback_republish_and_restore_leaves_exactly_one_record_with_the_right_user(office, tmp_path):
    raw = csv_bytes([row("A1"), row("A2")])
    digest = hashlib.sha256(raw).hexdigest()
    run_import(office, raw, "台账.csv", "problems", imported_by="创建办小李", page="数据管理")
    run_import(office, raw, "台账.csv", "problems", imported_by="创建办小李", page="数据管理")  # 同一文件：未改动
    bad = csv_bytes([row("B1", 发现时间="不是时间")])
    with pytest.raises(ImportFailed, match="校验发现 1 处错误"):
        run_import(office, bad, "坏的.csv", "problems", imported_by="创建办小李", page="数据管理")
    rollback(office, 1, by="管理员老王", page="数据管理")
    with pytest.raises(ImportFailed, match="已经回滚过"):
        rollback(office, 1, by="管理员老王", page="数据管理")
    sid = backup.republish(office, 2, by="管理员老王", page="数据管理")
    saved = backup.backup(office, tmp_path / "备份")
    backup.restore(office, saved, restored_by="管理员老王")
    assert trail(office) == [
        ("创建办小李", "导入", "问题台账：台账.csv：成功（导入编号 1）", "数据管理", 2, digest),
        ("创建办小李", "导入", "问题台账：台账.csv：已导入过（导入编号 1）", "数据管理", 0, digest),
        (
            "创建办小李",
            "导入失败",
            "问题台账：坏的.csv：校验发现 1 处错误（涉及 1 行），未导入任何数据。请按报告改正后重新导入，"
            "或加 --partial 只导入通过校验的行。",
            "数据管理",
            None,
            hashlib.sha256(bad).hexdigest(),
        ),
        ("管理员老王", "回滚导入", "导入编号 1", "数据管理", None, None),
        ("管理员老王", "回滚导入失败", "导入编号 1：导入编号 1 已经回滚过。", "数据管理", None, None),
        ("管理员老王", "重新发布旧版本", f"第 2 版，发布为第 {sid} 版", "数据管理", None, None),
        ("管理员老王", "从备份恢复", str(saved), None, None, None),
    ]


def test_a_refused_boundary_file_leaves_one_failure_record(office):
    with pytest.raises(ImportFailed, match="读不了|无法读取|不是"):
        run_boundaries(office, b"not a geojson", "边界.geojson", imported_by="创建办小李", page="数据管理")
    assert [(u, a, p) for u, a, _, p, _, _ in trail(office)] == [("创建办小李", "导入失败", "数据管理")]


def test_the_command_line_records_the_operating_system_user(office):
    run_import(office, csv_bytes([row("A1")]), "台账.csv", "problems")
    assert trail(office)[0][:2] == (osuser.name(), "导入")


def test_without_a_user_name_the_command_line_records_the_uid(monkeypatch):
    # 容器里的 uid 可能没有对应的用户：发布记录、审计与命令行的设置、账号操作都记 uid，不再各有各的退路
    def no_name() -> str:
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", no_name)
    assert (osuser.name(), cli_common.operator()) == (str(os.getuid()), f"命令行：{os.getuid()}")


def test_audit_records_cannot_be_changed_or_deleted(office):
    run_import(office, csv_bytes([row("A1")]), "台账.csv", "problems", imported_by="创建办小李")
    with statedb.connect(office) as con:
        with pytest.raises(sqlite3.IntegrityError, match="审计记录只能追加，不能修改"):
            con.execute("update audit_event set user = '别人'")
    with statedb.connect(office) as con:
        with pytest.raises(sqlite3.IntegrityError, match="审计记录只能追加，不能删除"):
            con.execute("delete from audit_event")
    assert [u for u, *_ in trail(office)] == ["创建办小李"]


def test_the_audit_filters_by_user_action_and_day(office):
    with statedb.connect(office) as con:
        for at, user, action in [
            ("2026-12-01 09:00:00", "甲", "登录"),
            ("2026-12-02 23:59:59", "乙", "下载"),
            ("2026-12-03 00:00:00", "甲", "下载"),
        ]:
            statedb.record(con, user, action, at=at)
    since, until = statedb.day_window(date(2026, 12, 1), date(2026, 12, 2))
    assert [(e["at"], e["user"]) for e in statedb.audit(office, None, since=since, until=until)] == [
        ("2026-12-02 23:59:59", "乙"),
        ("2026-12-01 09:00:00", "甲"),
    ]
    assert [e["at"] for e in statedb.audit(office, None, user="甲", action="下载")] == ["2026-12-03 00:00:00"]
    assert statedb.audit_choices(office) == (["乙", "甲"], ["下载", "登录"])


# ---------------------------------------------------------------- 散列链

THREE = [
    ("2026-12-01 09:00:00", "甲", "登录", "管理员"),
    ("2026-12-02 10:00:00", "乙", "下载", "红黑榜.xlsx"),
    ("2026-12-03 11:00:00", "丙", "退出", None),
]


@pytest.fixture
def log(tmp_path):
    """三条审计记录（只有状态库：核对与导出审计不需要分析库）。"""
    path = tmp_path / "库.duckdb"
    for at, user, action, detail in THREE:
        statedb.audit_event(path, user, action, detail, at=at)
    return path


def chain(path) -> list[tuple]:
    with statedb.connect(path) as con:
        return con.execute("select id, prev_sha256, row_sha256 from audit_event order by id").fetchall()


def tampered(log, tmp_path, sql: str, params: tuple = ()):
    """状态库的一份副本：用 sqlite3 删掉三个触发器后直接改它（有文件写权限的人能做的）。"""
    copy = tmp_path / "副本.duckdb"
    statedb.backup_to(log, statedb.state_path(copy))
    con = sqlite3.connect(statedb.state_path(copy), isolation_level=None)
    for trigger in ("audit_event_no_update", "audit_event_no_delete", "audit_event_no_overwrite"):
        con.execute(f"drop trigger {trigger}")
    con.execute(sql, params)
    con.close()
    return copy


def verify(path, capsys) -> tuple[int, str, str]:
    code = cli.main(["audit", "verify", "--db", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_each_record_hashes_the_documented_json_and_links_to_the_one_before(log):
    canonical = (
        '{"action":"登录","at":"2026-12-01 09:00:00","detail":"管理员","file_sha256":null,"filters":null,'
        f'"id":1,"page":null,"prev_sha256":"{"0" * 64}","rows":null,"user":"甲"}}'
    )
    first = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    rows = chain(log)
    assert rows[0] == (1, "0" * 64, first)
    assert [prev for _, prev, _ in rows[1:]] == [rows[0][2], rows[1][2]]


def test_insert_or_replace_over_an_existing_record_is_refused(log):
    with (
        statedb.connect(log) as con,
        pytest.raises(sqlite3.IntegrityError, match="审计记录只能追加，不能覆盖已有的记录"),
    ):
        con.execute(
            "insert or replace into audit_event (id, at, user, action, detail) values (2, '2026-12-02 10:00:00',"
            " '乙', '下载', '别的文件.xlsx')"
        )
    assert [e["detail"] for e in statedb.audit(log)] == [None, "红黑榜.xlsx", "管理员"]


def test_verify_passes_on_an_untouched_log_and_prints_the_last_hash(log, capsys):
    assert verify(log, capsys) == (0, f"3 条记录，链完整；末条散列 {chain(log)[-1][2]}\n", "")


def test_verify_names_a_record_overwritten_with_the_triggers_dropped(log, tmp_path, capsys):
    copy = tampered(
        log,
        tmp_path,
        "insert or replace into audit_event (id, at, user, action, detail, prev_sha256, row_sha256)"
        " select id, at, user, action, '绩效考核.xlsx', prev_sha256, row_sha256 from audit_event where id = 2",
    )
    assert verify(copy, capsys) == (
        1,
        "",
        "chuangwen audit verify：审计记录的散列链断了：第 2 条（2026-12-02 10:00:00，乙，下载）"
        "内容与它的散列不符（这条记录被改过）。共 3 条记录。\n",
    )


def test_verify_names_the_record_after_one_whose_hash_was_recomputed(log, tmp_path, capsys):
    forged = {
        "id": 2,
        "at": "2026-12-02 10:00:00",
        "user": "乙",
        "action": "下载",
        "detail": "绩效考核.xlsx",
        "page": None,
        "filters": None,
        "rows": None,
        "file_sha256": None,
        "prev_sha256": chain(log)[0][2],
    }
    copy = tampered(
        log,
        tmp_path,
        "update audit_event set detail = ?, row_sha256 = ? where id = 2",
        (forged["detail"], statedb.row_sha256(forged)),
    )
    assert verify(copy, capsys) == (
        1,
        "",
        "chuangwen audit verify：审计记录的散列链断了：第 3 条（2026-12-03 11:00:00，丙，退出）"
        "与前一条的链接对不上（记下的前一条散列与实际不符：前一条被改过、删除或替换）。共 3 条记录。\n",
    )


def test_verify_names_the_record_after_a_deleted_one(log, tmp_path, capsys):
    copy = tampered(log, tmp_path, "delete from audit_event where id = 2")
    assert verify(copy, capsys) == (
        1,
        "",
        "chuangwen audit verify：审计记录的散列链断了：第 3 条（2026-12-03 11:00:00，丙，退出）"
        "之前的第 2 条不见了（被删除）。共 2 条记录。\n",
    )


def test_verify_notices_that_the_newest_record_was_deleted(log, tmp_path, capsys):
    copy = tampered(log, tmp_path, "delete from audit_event where id = 3")
    assert verify(copy, capsys) == (
        1,
        "",
        "chuangwen audit verify：审计记录的散列链断了：第 2 条（2026-12-02 10:00:00，乙，下载）"
        "之后的第 3 条不见了（被删除）。共 2 条记录。\n",
    )


def test_verify_without_a_state_db_exits_1_and_creates_none(tmp_path, capsys):
    path = tmp_path / "库.duckdb"
    code, out, err = verify(path, capsys)
    assert (code, out) == (1, "") and "找不到看板状态库" in err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- 命令行的导出与通报


def last_record(path) -> tuple:
    e = statedb.audit(path, 1)[0]
    return e["user"], e["action"], e["detail"], e["page"], e["filters"], e["rows"], e["file_sha256"]


def file_sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_command_line_problem_export_is_audited_with_its_rows_and_file_hash(tiny_db, tmp_path):
    out = tmp_path / "台账.csv"
    assert cli.main(["export", "problems", "--db", str(tiny_db), "--out", str(out)]) == 0
    assert last_record(tiny_db) == (
        osuser.name(),
        "下载",
        f"问题台账：{out}",
        "命令行",
        "统计时刻 2026-11-15 18:00",
        8,
        file_sha256(out),
    )


def test_a_failed_command_line_problem_export_is_audited_as_failed(fresh_db, tmp_path):
    out = tmp_path / "台账.csv"
    assert cli.main(["export", "problems", "--db", str(fresh_db), "--out", str(out)]) == 1
    assert last_record(fresh_db) == (
        osuser.name(),
        "下载失败",
        f"问题台账：{out}：库里没有问题与整改记录，也没有写明数据截至时间，请用 --as-of 指定统计时刻：{fresh_db}",
        "命令行",
        "统计时刻 数据截至",
        None,
        None,
    )


@pytest.fixture(scope="module")
def brief_db(tmp_path_factory):
    return build_briefing_db(tmp_path_factory.mktemp("brief") / "b.duckdb")


def test_a_command_line_brief_is_audited_with_its_period_and_file_hash(brief_db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(briefing, "deck", lambda brief: b"PPTX")  # 核对的是审计，不是幻灯片
    out = tmp_path / "周通报.pptx"
    assert cli.main(["brief", "--db", str(brief_db), "--out", str(out), "--issue-no", "3"]) == 0
    digest = re.search(r"数据指纹 (\w+)", capsys.readouterr().out).group(1)
    assert last_record(brief_db) == (
        osuser.name(),
        "下载",
        f"通报（pptx）：{out}",
        "命令行",
        f"统计区间 11月8日18时至11月15日18时；第3期；数据指纹 {digest}",
        None,
        hashlib.sha256(b"PPTX").hexdigest(),
    )


def test_a_failed_command_line_brief_is_audited_as_failed(brief_db, tmp_path):
    out = tmp_path / "周通报.pptx"
    assert cli.main(["brief", "--db", str(brief_db), "--out", str(out), "--as-of", "2020-01-01"]) == 2
    assert last_record(brief_db) == (
        osuser.name(),
        "下载失败",
        f"通报（pptx）：{out}：统计时刻 2020年1月1日 00:00 之前没有任何问题记录"
        "（最早的问题发现于 2026年10月1日 08:00），未生成通报。请换一个统计时刻。",
        "命令行",
        "统计时刻 2020-01-01 00:00；周期 week",
        None,
        None,
    )


# ---------------------------------------------------------------- 导出审计记录


def test_audit_export_to_csv_lists_the_days_asked_for_newest_first(log, tmp_path):
    out = tmp_path / "审计.csv"
    assert (
        cli.main(
            ["audit", "export", "--db", str(log), "--since", "2026-12-02", "--until", "2026-12-03", "--out", str(out)]
        )
        == 0
    )
    assert list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")))) == [
        ["时间", "谁", "操作", "内容", "页面", "筛选", "行数", "文件 SHA-256"],
        ["2026-12-03 11:00:00", "丙", "退出", "", "", "", "", ""],
        ["2026-12-02 10:00:00", "乙", "下载", "红黑榜.xlsx", "", "", "", ""],
    ]


def test_audit_export_is_itself_audited(log, tmp_path):
    out = tmp_path / "审计.xlsx"
    assert cli.main(["audit", "export", "--db", str(log), "--out", str(out)]) == 0
    assert last_record(log) == (
        osuser.name(),
        "下载",
        f"审计记录：{out}",
        "命令行",
        "日期 最早 至 最新",
        3,
        file_sha256(out),
    )


def test_audit_export_to_xlsx_has_the_columns_of_the_page(log, tmp_path):
    out = tmp_path / "审计.xlsx"
    cli.main(["audit", "export", "--db", str(log), "--until", "2026-12-01", "--out", str(out)])
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[:2] == [
        ("时间", "谁", "操作", "内容", "页面", "筛选", "行数", "文件 SHA-256"),
        ("2026-12-01 09:00:00", "甲", "登录", "管理员", None, None, None, None),
    ]


def test_audit_export_to_csv_defuses_formulas_in_names(tmp_path):
    path = tmp_path / "库.duckdb"
    statedb.audit_event(path, '=HYPERLINK("http://x")', "登录失败", "没有这个账号")
    out = tmp_path / "审计.csv"
    cli.main(["audit", "export", "--db", str(path), "--out", str(out)])
    assert list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))[1][1] == '\'=HYPERLINK("http://x")'
