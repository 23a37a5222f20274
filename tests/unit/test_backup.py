"""备份与恢复：备份是当前版本加导入存档；恢复发布成新版本、记入导入记录、补回存档；坏备份中文报错、什么都不改。"""

from __future__ import annotations

import json

import pytest

from chuangwen import backup, cli, db, store
from chuangwen.imports import ImportFailed, list_imports, rollback, run_import
from chuangwen.imports.write import archive_dir
from tests.unit._import_helpers import base_db, csv_bytes, q, row, table_hashes


@pytest.fixture
def office(tmp_path):
    path = base_db(tmp_path)
    run_import(path, csv_bytes([row("A1")]), "台账.csv", "problems")
    return path


def test_backup_then_restore_brings_back_the_data_as_a_new_version(office, tmp_path):
    saved = table_hashes(office)
    target = backup.backup(office, tmp_path / "备份")
    manifest = json.loads((target / backup.MANIFEST).read_text(encoding="utf-8"))
    # 状态库（账号、审计，导入时记了审计就有）一起备份；恢复时不动它（审计只追加）
    assert manifest["快照版本"] == 2 and sorted(manifest["文件"]) == ["app.sqlite"] + [
        "imports/" + p.name for p in archive_dir(office).iterdir()
    ] + ["snapshot.duckdb"]
    run_import(office, csv_bytes([row("B1"), row("B2")]), "又一批.csv", "problems")
    for f in archive_dir(office).iterdir():
        f.unlink()
    message = backup.restore(office, target)
    assert message.startswith(f"已从备份 {target.name} 恢复，发布为第 4 版（备份时为第 2 版）")
    after = table_hashes(office)
    assert {k for k in saved if saved[k] != after[k]} == {"import_log"}
    assert q(office, "select kind, status, file_name from import_log order by id desc limit 1") == [
        ("restore", "成功", target.name)
    ]
    assert len(list(archive_dir(office).iterdir())) == 1  # 存档补回
    assert store.current(office).id == 4 and [s["版本"] for s in store.list_snapshots(office)] == [1, 2, 3, 4]


def test_a_restore_cannot_be_rolled_back_but_says_how_to_go_back(office, tmp_path):
    target = backup.backup(office, tmp_path / "备份")
    backup.restore(office, target)
    con = db.connect(store.current(office).file, read_only=True)
    try:
        log = list_imports(con)
    finally:
        con.close()
    restore_id = int(log.iloc[0]["导入编号"])
    assert log.iloc[0]["种类"] == "从备份恢复"
    with pytest.raises(ImportFailed, match="是从备份恢复，不能回滚；要回到恢复前的数据，请在快照列表里重新发布"):
        rollback(office, restore_id)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda t: (t / backup.MANIFEST).unlink(), "不是创文看板的备份"),
        (lambda t: (t / backup.MANIFEST).write_text("{乱码", encoding="utf-8"), "不是创文看板的备份"),
        (lambda t: (t / backup.SNAPSHOT).write_bytes(b"0" * 100), "与清单里的校验值不符"),
        (lambda t: (t / backup.SNAPSHOT).unlink(), "备份不完整：缺少 snapshot.duckdb"),
    ],
)
def test_a_damaged_backup_is_refused_and_nothing_changes(office, tmp_path, damage, message):
    target = backup.backup(office, tmp_path / "备份")
    damage(target)
    before, version = table_hashes(office), store.current(office).id
    with pytest.raises(db.DatabaseError, match=message):
        backup.restore(office, target)
    assert table_hashes(office) == before and store.current(office).id == version


def test_cli_backup_snapshots_restore_and_republish(office, tmp_path, capsys):
    assert cli.main(["backup", "--db", str(office), "--out", str(tmp_path / "备份")]) == 0
    target = next((tmp_path / "备份").iterdir())
    assert cli.main(["restore", "--db", str(office), "--from", str(target)]) == 0
    assert cli.main(["republish", "1", "--db", str(office)]) == 0
    capsys.readouterr()
    assert cli.main(["snapshots", "--db", str(office)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "当前版本：第 4 版"
    assert [line.split("版")[0].strip("＊　 第") for line in out[1:]] == ["1", "2", "3", "4"]
    assert out[-1].startswith("＊ 第   4 版") and out[-1].endswith("重新发布第 1 版")
    assert cli.main(["republish", "9", "--db", str(office)]) == 1
    assert "没有第 9 版快照；现有：1、2、3、4。" in capsys.readouterr().err


def _dispatch_state(path):
    """定时通报的存档（一期两个文件）与一个带密钥的渠道。"""
    from chuangwen.dispatch import archive, channels

    issue = archive.reserve(path, "week", 2026, "2026-W47")
    files = {"deck": ("周通报_第1期.pptx", b"deck-bytes"), "docx": ("周通报_第1期.docx", b"docx-bytes")}
    archive.store(
        path, issue, files, title="周通报", period_text="11月", as_of="x", cutoff="y", digest="d" * 64, by="测试"
    )
    channels.add(
        path,
        "钉钉群",
        "dingtalk",
        "https://oapi.dingtalk.com/robot/send?access_token=t0ken",
        "测试",
        sign_secret="SECk3y",
    )
    return archive.root(path), channels.secrets_path(path)


def test_backup_includes_the_briefing_archive_and_the_0600_secrets_file(office, tmp_path):
    import hashlib
    import os
    import stat

    folder, secrets = _dispatch_state(office)
    secret_bytes = secrets.read_bytes()
    target = backup.backup(office, tmp_path / "备份")
    manifest = json.loads((target / backup.MANIFEST).read_text(encoding="utf-8"))["文件"]
    assert {k: v for k, v in manifest.items() if k.startswith("briefings/") or k == "secrets.json"} == {
        "briefings/2026/week/001/周通报_第1期.docx": hashlib.sha256(b"docx-bytes").hexdigest(),
        "briefings/2026/week/001/周通报_第1期.pptx": hashlib.sha256(b"deck-bytes").hexdigest(),
        "secrets.json": hashlib.sha256(secret_bytes).hexdigest(),
    }
    assert stat.S_IMODE(os.stat(target / "secrets.json").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(target / "briefings/2026/week/001/周通报_第1期.pptx").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(target / "briefings/2026/week").st_mode) == 0o700

    (folder / "2026/week/001/周通报_第1期.pptx").unlink()  # 丢了一个
    (folder / "2026/week/001/周通报_第1期.docx").write_bytes(b"newer")  # 现有的：不覆盖
    secrets.unlink()
    message = backup.restore(office, target)
    assert message.endswith(
        "通报存档补回 1 个文件（已有的 1 个不覆盖）。渠道密钥文件 imp.duckdb.secrets.json 原来没有，已从备份放回（0600）。"
    )
    assert (folder / "2026/week/001/周通报_第1期.pptx").read_bytes() == b"deck-bytes"
    assert (folder / "2026/week/001/周通报_第1期.docx").read_bytes() == b"newer"
    assert secrets.read_bytes() == secret_bytes
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder / "2026/week/001/周通报_第1期.pptx").st_mode) == 0o600

    from chuangwen.dispatch import channels

    channels.add(office, "新群", "webhook", "https://x.example/h?key=n3wn3wn3w", "测试")
    now = secrets.read_bytes()
    message = backup.restore(office, target)
    assert f"渠道密钥文件 {secrets.name} 已存在，没有用备份里的覆盖。" in message
    assert "通报存档补回 0 个文件（已有的 2 个不覆盖）" in message
    assert secrets.read_bytes() == now


def test_a_tampered_briefing_in_the_backup_is_refused(office, tmp_path):
    _dispatch_state(office)
    target = backup.backup(office, tmp_path / "备份")
    (target / "briefings/2026/week/001/周通报_第1期.pptx").write_bytes(b"evil")
    with pytest.raises(
        db.DatabaseError, match="备份文件 briefings/2026/week/001/周通报_第1期.pptx 与清单里的校验值不符"
    ):
        backup.restore(office, target)
