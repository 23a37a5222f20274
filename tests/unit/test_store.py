"""发布的快照：读者与写入者互不阻塞、读者只看到一个完整版本、写入者一次一个、坏的快照目录给中文说明。"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from chuangwen import db, osuser, store
from chuangwen.imports import ImportFailed, rollback, run_import
from tests.unit._import_helpers import base_db, csv_bytes, q, row, table_hashes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ref_db(tmp_path):
    return base_db(tmp_path)


def problems(file: Path) -> int:
    return q(file, "select count(*) from problem")[0][0]


def test_first_write_moves_a_single_file_into_snapshots_and_the_path_follows_current(tmp_path):
    path = db.create_database(tmp_path / "new.duckdb")  # chuangwen init：单个文件
    assert store.current(path) == store.Snapshot(None, path)
    with db.writer(path, "写入参考数据") as con:
        con.execute("insert into meta values ('x', '1')")
    snap = store.current(path)
    assert snap.id == 1 and snap.file == store.snapshots_dir(path) / "000001.duckdb"
    assert os.path.samefile(path, snap.file)  # 库文件路径就是当前版本
    with db.writer(path, "再写一次") as con:
        con.execute("insert into meta values ('y', '2')")
    assert store.current(path).id == 2
    assert q(path, "select key from meta order by 1") == [("x",), ("y",)]
    assert q(store.snapshots_dir(path) / "000001.duckdb", "select key from meta") == [("x",)]  # 旧版本原样保留


def test_readers_see_the_single_file_while_its_first_publish_is_half_way(tmp_path):
    # 第一次发布：快照文件已改名就位、CURRENT 还没写（或写之前被杀）：读者照旧读原来的单文件库，不报错
    path = db.create_database(tmp_path / "new.duckdb")
    folder = store.snapshots_dir(path)
    folder.mkdir()
    (folder / "000001.duckdb").write_bytes(path.read_bytes())
    assert store.current(path) == store.Snapshot(None, path)
    with db.writer(path, "写入参考数据") as con:  # 下一次写入照常发布（编号跳过残留的 1）
        con.execute("insert into meta values ('x', '1')")
    assert store.current(path).id == 2


def test_readers_polling_while_a_single_file_is_moved_into_snapshots_never_fail(ref_db, tmp_path):
    import shutil
    import threading

    legacy = tmp_path / "legacy" / "office.duckdb"  # 旧版本留下的单文件库
    legacy.parent.mkdir()
    shutil.copyfile(store.current(ref_db).file, legacy)
    os.chmod(legacy, 0o600)
    ref_db = legacy
    assert store.current(ref_db).id is None
    errors, done = [], threading.Event()

    def poll():
        while not done.is_set():
            try:
                store.current(ref_db)
            except Exception as exc:  # noqa: BLE001 —— 测试要记下任何异常
                errors.append(exc)

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    finally:
        done.set()
        reader.join(10)
    assert errors == []
    assert store.current(ref_db).id == 1


def test_a_write_that_changes_nothing_publishes_nothing(ref_db):
    raw = csv_bytes([row("A1")])
    run_import(ref_db, raw, "台账.csv", "problems")
    first = store.current(ref_db).id
    run_import(ref_db, raw, "台账.csv", "problems")  # 同一文件：已导入过
    assert store.current(ref_db).id == first


def test_an_open_reader_keeps_its_version_while_an_import_publishes_a_new_one(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    reader = duckdb.connect(str(store.current(ref_db).file), read_only=True)  # 看板里正开着的连接
    try:
        run_import(ref_db, csv_bytes([row("A2"), row("A3")]), "台账2.csv", "problems")
        assert reader.execute("select count(*) from problem").fetchone()[0] == 1
    finally:
        reader.close()
    assert problems(store.current(ref_db).file) == 3


def test_cli_import_succeeds_while_another_process_holds_a_reader_open(ref_db, tmp_path):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
                "print(c.execute('select count(*) from problem').fetchone()[0], flush=True); time.sleep(60)"
            ),
            str(ref_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "1"
        ledger = tmp_path / "新台账.csv"
        ledger.write_bytes(csv_bytes([row("B1")]))
        done = subprocess.run(
            [sys.executable, "-m", "chuangwen.cli", "import", "problems", str(ledger), "--db", str(ref_db)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    finally:
        holder.kill()
        holder.wait()
    assert problems(ref_db) == 2


def test_rollback_is_one_publish(ref_db):
    res = run_import(ref_db, csv_bytes([row("A1"), row("A2")]), "台账.csv", "problems")
    first = store.current(ref_db).id
    rollback(ref_db, res.import_id)
    assert store.current(ref_db).id == first + 1
    assert [(e["event"], e["command"]) for e in store.read_log(ref_db)][-2:] == [
        ("发布", "导入问题台账：台账.csv"),
        ("发布", f"回滚导入 {res.import_id}"),
    ]


def test_a_failed_write_publishes_nothing_and_is_logged_as_failed(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    before, first = table_hashes(ref_db), store.current(ref_db).id
    with pytest.raises(ImportFailed, match="未导入任何数据"):
        run_import(ref_db, csv_bytes([row("A2", 来源="外星人")]), "坏.csv", "problems")
    assert table_hashes(ref_db) == before and store.current(ref_db).id == first
    last = store.read_log(ref_db)[-1]
    assert (last["event"], last["command"]) == ("失败", "导入问题台账：坏.csv")
    assert not [p for p in store.snapshots_dir(ref_db).iterdir() if ".tmp-" in p.name]


def test_only_the_newest_snapshots_are_kept(ref_db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_KEEP_SNAPSHOTS", "2")
    for k in range(4):
        run_import(ref_db, csv_bytes([row(f"A{k}")]), f"台账{k}.csv", "problems")
    names = sorted(p.name for p in store.snapshots_dir(ref_db).glob("*.duckdb"))
    assert names == ["000004.duckdb", "000005.duckdb"]  # 第 1 版是建参考库时发布的


def test_republish_makes_an_old_version_current_as_a_new_number(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    run_import(ref_db, csv_bytes([row("A2")]), "台账2.csv", "problems")
    assert store.republish(ref_db, 2) == 4
    assert problems(ref_db) == 1 and store.current(ref_db).id == 4
    assert [(s["版本"], s["当前"], s["操作"]) for s in store.list_snapshots(ref_db)] == [
        (1, False, "写入"),
        (2, False, "导入问题台账：台账.csv"),
        (3, False, "导入问题台账：台账2.csv"),
        (4, True, "重新发布第 2 版"),
    ]


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    code = (
        "import sys, time; from pathlib import Path; from chuangwen import store\n"
        "with store.writer_lock(Path(sys.argv[1]), '导入问题台账：大台账.xlsx'):\n"
        "    print('locked', flush=True); time.sleep(float(sys.argv[2]))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_writer_waits_then_fails_naming_who_holds_the_lock(ref_db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_WRITE_WAIT", "1")
    holder = _hold_lock(ref_db, 30)
    try:
        before = table_hashes(ref_db)
        with pytest.raises(store.StoreBusy) as err:
            run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
        message = str(err.value)
        assert message.startswith("另一个写入正在进行：导入问题台账：大台账.xlsx（")
        assert f"进程 {holder.pid}" in message and "本次没有写入任何数据" in message
        assert table_hashes(ref_db) == before
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_that_waits_long_enough_runs_after_the_first(ref_db, monkeypatch):
    monkeypatch.setenv("CHUANGWEN_WRITE_WAIT", "30")
    messages = []
    monkeypatch.setattr(store, "wait_reporter", messages.append)
    holder = _hold_lock(ref_db, 3)
    try:
        run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    finally:
        holder.wait()
    assert problems(ref_db) == 1
    assert messages and messages[0].startswith("正在等待另一个写入完成：导入问题台账：大台账.xlsx")


def test_a_lock_left_by_a_killed_writer_is_taken_over_and_noted(ref_db):
    holder = _hold_lock(ref_db, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    notes = [e for e in store.read_log(ref_db) if e["event"] == "接管"]
    assert len(notes) == 1 and f"进程 {holder.pid}" in notes[0]["note"] and "已不在" in notes[0]["note"]


@pytest.mark.parametrize("delay", [0.2, 0.6, 1.0, 1.6])
def test_killing_an_import_at_any_moment_leaves_the_old_or_the_new_version(ref_db, tmp_path, delay):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    old = problems(ref_db)
    ledger = tmp_path / "大台账.csv"
    ledger.write_bytes(csv_bytes([row(f"K{k:05d}") for k in range(3000)]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuangwen.cli", "import", "problems", str(ledger), "--db", str(ref_db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert problems(store.current(ref_db).file) in (old, old + 3000)
    assert problems(ref_db) == problems(store.current(ref_db).file)
    # 下一次写入清掉被杀进程留下的临时文件，照常发布
    run_import(ref_db, csv_bytes([row("Z1")]), "再一个.csv", "problems")
    assert not [p.name for p in store.snapshots_dir(ref_db).iterdir() if ".tmp-" in p.name]


def _published(ref_db) -> Path:
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    return store.snapshots_dir(ref_db)


def test_a_missing_current_pointer_is_reported_in_chinese_and_nothing_is_touched(ref_db):
    folder = _published(ref_db)
    (folder / "CURRENT").unlink()
    with pytest.raises(db.DatabaseError, match="里没有 CURRENT（当前版本指针）"):
        store.current(ref_db)
    with pytest.raises(db.DatabaseError, match="里没有 CURRENT"):
        run_import(ref_db, csv_bytes([row("A2")]), "台账2.csv", "problems")
    assert sorted(p.name for p in folder.iterdir()) == ["000001.duckdb", "000002.duckdb", "store.log"]


def test_a_pointer_to_a_missing_or_truncated_snapshot_is_reported(ref_db):
    folder = _published(ref_db)
    (folder / "CURRENT").write_text("7\n")
    with pytest.raises(db.DatabaseError, match="当前版本 7 的快照文件不见了"):
        store.current(ref_db)
    (folder / "CURRENT").write_text("2\n")
    os.chmod(folder / "000002.duckdb", 0o600)
    with open(folder / "000002.duckdb", "r+b") as fh:
        fh.truncate(5)
    with pytest.raises(db.DatabaseError, match="文件不是 DuckDB 数据库"):
        store.current(ref_db)


def test_garbage_in_the_pointer_or_a_file_instead_of_the_folder_is_reported(ref_db):
    folder = _published(ref_db)
    (folder / "CURRENT").write_text("'; drop table problem; --")
    with pytest.raises(db.DatabaseError, match="的内容不是版本号"):
        store.current(ref_db)


def test_a_snapshot_from_a_newer_program_is_refused(ref_db):
    folder = _published(ref_db)
    snap = folder / "000002.duckdb"
    os.chmod(snap, 0o600)
    con = duckdb.connect(str(snap))
    con.execute("insert into schema_version values (99, 'future', now())")
    con.close()
    with pytest.raises(db.DatabaseError, match="高于本程序支持的"):
        db.open_readonly(ref_db)
    with pytest.raises(db.DatabaseError, match="高于本程序支持的"):
        run_import(ref_db, csv_bytes([row("A2")]), "台账2.csv", "problems")


def test_the_log_is_json_lines_with_who_and_what(ref_db):
    _published(ref_db)
    first, second = store.read_log(ref_db)
    assert (first["event"], first["snapshot"], first["note"]) == ("发布", 1, "由单文件库迁入快照目录")
    assert (second["event"], second["snapshot"], second["command"]) == ("发布", 2, "导入问题台账：台账.csv")
    assert json.loads((store.snapshots_dir(ref_db) / "store.log").read_text().splitlines()[1]) == second


def test_the_log_records_the_signed_in_user_for_imports_and_rollbacks_from_the_page(ref_db):
    res = run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems", imported_by="创建办小李", page="数据管理")
    rollback(ref_db, res.import_id, by="管理员老王", page="数据管理")
    assert [(e["event"], e["command"], e["user"]) for e in store.read_log(ref_db)][-2:] == [
        ("发布", "导入问题台账：台账.csv", "创建办小李"),
        ("发布", f"回滚导入 {res.import_id}", "管理员老王"),
    ]


def test_a_failed_import_from_the_page_is_logged_with_the_signed_in_user(ref_db):
    with pytest.raises(ImportFailed, match="未导入任何数据"):
        run_import(ref_db, csv_bytes([row("A2", 来源="外星人")]), "坏.csv", "problems", imported_by="创建办小李")
    last = store.read_log(ref_db)[-1]
    assert (last["event"], last["command"], last["user"]) == ("失败", "导入问题台账：坏.csv", "创建办小李")


def test_a_command_line_import_is_logged_with_the_operating_system_user(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    assert store.read_log(ref_db)[-1]["user"] == osuser.name()


def test_republish_logs_the_user_it_is_given(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    store.republish(ref_db, 1, user="管理员老王")
    assert [(e["command"], e["user"]) for e in store.read_log(ref_db)][-1] == ("重新发布第 1 版", "管理员老王")


def test_the_lock_names_the_user_who_holds_it(ref_db):
    with store.writer_lock(ref_db, "导入问题台账：台账.csv", user="创建办小李"):
        holder = json.loads(ref_db.with_name(ref_db.name + ".lock").read_text(encoding="utf-8"))
    assert (holder["user"], holder["command"], holder["state"]) == ("创建办小李", "导入问题台账：台账.csv", "进行中")
