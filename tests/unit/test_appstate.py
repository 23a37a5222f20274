"""看板状态库（SQLite，WAL）：列映射预设不再发布分析快照；旧版本存在分析库里的预设第一次自动搬过来；可备份。"""
from __future__ import annotations

import os
import sqlite3
import stat
import threading

from chuangwen import appstate, backup, store
from chuangwen.imports import parse_mapping, presets, run_import, save_preset
from tests.unit._import_helpers import base_db, csv_bytes, row

TOML = '[columns]\n"问题编号" = "工单号"\n'


def test_saving_a_preset_does_not_publish_a_snapshot(tmp_path):
    path = base_db(tmp_path)
    version = store.current(path).id
    save_preset(path, "problems", "12345 热线", parse_mapping(TOML, "problems"))
    assert store.current(path).id == version
    assert list(presets(path, "problems")) == ["12345 热线"]
    assert [(e["action"], e["detail"]) for e in appstate.audit(path)] == [("保存列映射预设", "problems：12345 热线")]
    assert stat.S_IMODE(os.stat(appstate.state_path(path)).st_mode) == 0o600
    assert sqlite3.connect(appstate.state_path(path)).execute("pragma journal_mode").fetchone() == ("wal",)


def test_presets_saved_by_an_older_version_in_the_analytics_db_are_carried_over(tmp_path):
    from chuangwen import db
    path = base_db(tmp_path)
    with db.writer(path) as con:
        con.execute("insert into import_preset values ('problems', '旧预设', $t, timestamp '2026-01-02 03:04:05')", {"t": TOML})
    assert presets(path, "problems") == {"旧预设": TOML}


def test_many_threads_save_presets_at_once_without_errors(tmp_path):
    path = base_db(tmp_path)
    errors = []

    def save(k):
        try:
            for j in range(5):
                appstate.save_preset(path, "units", f"预设{k}-{j}", TOML, f"用户{k}")
        except Exception as exc:  # 记下来断言，不让线程吞掉
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(appstate.presets(path, "units")) == 40


def test_backup_includes_a_consistent_copy_of_the_app_state(tmp_path):
    path = base_db(tmp_path)
    run_import(path, csv_bytes([row("A1")]), "台账.csv", "problems")
    appstate.save_preset(path, "problems", "甲", TOML, "我")
    target = backup.backup(path, tmp_path / "备份")
    copy = sqlite3.connect(target / backup.APP_STATE)
    assert copy.execute("select name from import_preset").fetchall() == [("甲",)]
