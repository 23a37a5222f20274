"""看板状态库（SQLite，WAL）：列映射预设不再发布分析快照；旧版本存在分析库里的预设第一次自动搬过来；可备份；
升级时已有的审计记录补算一次散列链，之后许多线程同时写也连成一条。"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from chuangwen import backup, statedb, store
from chuangwen.imports import parse_mapping, presets, run_import, save_preset
from tests.unit._import_helpers import base_db, csv_bytes, row

TOML = '[columns]\n"问题编号" = "工单号"\n'


def test_saving_a_preset_does_not_publish_a_snapshot(tmp_path):
    path = base_db(tmp_path)
    version = store.current(path).id
    save_preset(path, "problems", "12345 热线", parse_mapping(TOML, "problems"))
    assert store.current(path).id == version
    assert list(presets(path, "problems")) == ["12345 热线"]
    assert [(e["action"], e["detail"]) for e in statedb.audit(path)] == [("保存列映射预设", "problems：12345 热线")]
    assert stat.S_IMODE(os.stat(statedb.state_path(path)).st_mode) == 0o600
    assert sqlite3.connect(statedb.state_path(path)).execute("pragma journal_mode").fetchone() == ("wal",)


def test_a_preset_is_remembered_for_the_header_it_was_saved_for(tmp_path):
    from chuangwen.imports import preset_for_layout

    path = base_db(tmp_path)
    save_preset(path, "problems", "旧的", parse_mapping(TOML, "problems"))  # 没记表头（旧版本存的也是这样）
    assert preset_for_layout(path, "problems", "甲") is None
    save_preset(path, "problems", "城管导出", parse_mapping(TOML, "problems"), header_signature="甲")
    save_preset(path, "problems", "城管导出（新）", parse_mapping(TOML, "problems"), header_signature="甲")
    save_preset(
        path, "events", "城管事件", parse_mapping('[columns]\n"问题编号" = "工单号"\n', "events"), header_signature="甲"
    )
    assert preset_for_layout(path, "problems", "甲") == "城管导出（新）"  # 同一种表头存了几个：最近存的
    assert preset_for_layout(path, "events", "甲") == "城管事件"
    assert preset_for_layout(path, "problems", "乙") is None
    save_preset(path, "problems", "城管导出（新）", parse_mapping(TOML, "problems"))  # 改写时不给表头：原来记的不丢
    assert preset_for_layout(path, "problems", "甲") == "城管导出（新）"


def test_presets_saved_by_an_older_version_in_the_analytics_db_are_carried_over(tmp_path):
    from chuangwen import db

    path = base_db(tmp_path)
    with db.writer(path) as con:
        con.execute(
            "insert into import_preset values ('problems', '旧预设', $t, timestamp '2026-01-02 03:04:05')", {"t": TOML}
        )
    assert presets(path, "problems") == {"旧预设": TOML}


def test_many_threads_save_presets_at_once_without_errors(tmp_path):
    path = base_db(tmp_path)
    errors = []

    def save(k):
        try:
            for j in range(5):
                statedb.save_preset(path, "units", f"预设{k}-{j}", TOML, f"用户{k}")
        except Exception as exc:  # 记下来断言，不让线程吞掉
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(statedb.presets(path, "units")) == 40


def test_backup_includes_a_consistent_copy_of_the_app_state(tmp_path):
    path = base_db(tmp_path)
    run_import(path, csv_bytes([row("A1")]), "台账.csv", "problems")
    statedb.save_preset(path, "problems", "甲", TOML, "我")
    target = backup.backup(path, tmp_path / "备份")
    copy = sqlite3.connect(target / backup.APP_STATE)
    assert copy.execute("select name from import_preset").fetchall() == [("甲",)]


def _state_db_before_the_chain(path) -> None:
    """升级前（迁移 001–003）的状态库，里面已有两条审计记录。"""
    con = sqlite3.connect(statedb.state_path(path), isolation_level=None)
    con.execute(
        "create table schema_version (version integer primary key, name text not null, applied_at text not null)"
    )
    for version, name, sql in statedb._migrations()[:3]:
        for statement in statedb._statements(sql):
            con.execute(statement)
        con.execute("insert into schema_version values (?, ?, '2026-01-01 00:00:00')", (version, name))
    con.execute(
        "insert into audit_event (at, user, action, detail) values ('2026-12-01 09:00:00', '甲', '登录', '管理员')"
    )
    con.execute(
        "insert into audit_event (at, user, action, detail, rows) values ('2026-12-01 10:00:00', '乙', '下载', 'a.xlsx', 3)"
    )
    con.close()


def test_upgrading_chains_the_existing_records_once_and_keeps_refusing_updates(tmp_path):
    path = tmp_path / "库.duckdb"
    _state_db_before_the_chain(path)
    check = statedb.verify_chain(path)
    assert (check.rows, check.broken) == (2, None)
    with statedb.connect(path) as con:
        chain = con.execute("select id, prev_sha256, row_sha256 from audit_event order by id").fetchall()
    assert [(i, p) for i, p, _ in chain] == [(1, "0" * 64), (2, chain[0][2])] and check.last_sha256 == chain[1][2]
    with statedb.connect(path) as con, pytest.raises(sqlite3.IntegrityError, match="审计记录只能追加，不能修改"):
        con.execute("update audit_event set prev_sha256 = null")


def test_a_record_after_the_upgrade_continues_the_chain(tmp_path):
    path = tmp_path / "库.duckdb"
    _state_db_before_the_chain(path)
    statedb.audit_event(path, "丙", "退出")
    check = statedb.verify_chain(path)
    assert (check.rows, check.broken) == (3, None)


def test_records_written_from_many_threads_form_one_unbroken_chain(tmp_path):
    path = tmp_path / "库.duckdb"
    errors = []

    def write(k):
        try:
            for j in range(5):
                statedb.audit_event(path, f"用户{k}", "下载", f"文件{j}")
        except Exception as exc:  # 记下来断言，不让线程吞掉
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = statedb.verify_chain(path)
    assert (errors, check.rows, check.broken) == ([], 40, None)
