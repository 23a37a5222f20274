"""审计：每次导入（成功、未改动、被拒）、回滚、重新发布、从备份恢复恰好留一条记录，记的是操作的人与页面、行数、文件散列；
看板与命令行都不能改、删审计记录。"""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import date

import pytest

from chuangwen import appstate, backup
from chuangwen.imports import ImportFailed, rollback, run_import
from chuangwen.imports.boundaries import run_boundaries
from tests.unit._import_helpers import base_db, csv_bytes, row


def trail(path, since: int = 0) -> list[tuple]:
    return [(e["user"], e["action"], e["detail"], e["page"], e["rows"], e["file_sha256"])
            for e in reversed(appstate.audit(path, None))][since:]


@pytest.fixture
def office(tmp_path):
    return base_db(tmp_path)


def test_each_import_rollback_republish_and_restore_leaves_exactly_one_record_with_the_right_user(office, tmp_path):
    raw = csv_bytes([row("A1"), row("A2")])
    digest = hashlib.sha256(raw).hexdigest()
    run_import(office, raw, "台账.csv", "problems", imported_by="创建办小李", page="数据管理")
    run_import(office, raw, "台账.csv", "problems", imported_by="创建办小李", page="数据管理")     # 同一文件：未改动
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
        ("创建办小李", "导入失败", "问题台账：坏的.csv：校验发现 1 处错误（涉及 1 行），未导入任何数据。请按报告改正后重新导入，"
                                "或加 --partial 只导入通过校验的行。", "数据管理", None, hashlib.sha256(bad).hexdigest()),
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
    assert trail(office)[0][:2] == (appstate.os_user(), "导入")


def test_audit_records_cannot_be_changed_or_deleted(office):
    run_import(office, csv_bytes([row("A1")]), "台账.csv", "problems", imported_by="创建办小李")
    with appstate.connect(office) as con:
        with pytest.raises(sqlite3.IntegrityError, match="审计记录只能追加，不能修改"):
            con.execute("update audit_event set user = '别人'")
    with appstate.connect(office) as con:
        with pytest.raises(sqlite3.IntegrityError, match="审计记录只能追加，不能删除"):
            con.execute("delete from audit_event")
    assert [u for u, *_ in trail(office)] == ["创建办小李"]


def test_the_audit_filters_by_user_action_and_day(office):
    with appstate.connect(office) as con:
        for at, user, action in [("2026-12-01 09:00:00", "甲", "登录"), ("2026-12-02 23:59:59", "乙", "下载"),
                                 ("2026-12-03 00:00:00", "甲", "下载")]:
            appstate.record(con, user, action, at=at)
    since, until = appstate.day_window(date(2026, 12, 1), date(2026, 12, 2))
    assert [(e["at"], e["user"]) for e in appstate.audit(office, None, since=since, until=until)] == [
        ("2026-12-02 23:59:59", "乙"), ("2026-12-01 09:00:00", "甲")]
    assert [e["at"] for e in appstate.audit(office, None, user="甲", action="下载")] == ["2026-12-03 00:00:00"]
    assert appstate.audit_choices(office) == (["乙", "甲"], ["下载", "登录"])
