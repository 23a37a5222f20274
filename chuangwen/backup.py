"""备份与恢复：`chuangwen backup` 把当前快照（本身不可变，复制即一致）、导入存档、看板状态库（SQLite 在线备份）、
定时通报的存档（<库文件名>.briefings/）与渠道密钥文件（<库文件名>.secrets.json，0600）拷到一个新目录；
`chuangwen restore` 校验后把备份发布成一个新快照（历史版本不动），并记入导入记录；通报存档只补回缺的文件（不覆盖），
密钥文件只在当前没有时放回。"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from chuangwen import db, osuser, statedb, store
from chuangwen.dispatch import archive as briefing_archive
from chuangwen.dispatch import channels
from chuangwen.imports.write import ARCHIVE_DIR_MODE, archive_dir, archive_raw

MANIFEST = "manifest.json"
SNAPSHOT = "snapshot.duckdb"
ARCHIVE = "imports"
APP_STATE = "app.sqlite"  # 看板状态（列映射预设、审计）；恢复分析数据时不动当前的状态库，需要时手工换回
BRIEFINGS = "briefings"  # 定时通报的存档（期号、文件）
SECRETS = "secrets.json"  # 推送渠道的地址与口令、加签密钥（0600）


def _sha256(file: Path) -> str:
    h = hashlib.sha256()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup(path: str | os.PathLike, out: str | os.PathLike) -> Path:
    """在 out 下新建 <库名>-第N版-时间/，放当前快照、导入存档与清单（各文件的 SHA-256）；返回该目录。"""
    path, out = Path(path), Path(out)
    snap = store.current(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out / f"{path.stem}-{'v' + str(snap.id) if snap.id is not None else '单文件'}-{stamp}"
    if target.exists():
        raise db.DatabaseError(f"备份目录已存在，不会覆盖：{target}")
    target.mkdir(parents=True, mode=ARCHIVE_DIR_MODE)
    shutil.copyfile(snap.file, target / SNAPSHOT)
    os.chmod(target / SNAPSHOT, db.PRIVATE_FILE)
    files = {SNAPSHOT: _sha256(target / SNAPSHOT)}
    source_archive = archive_dir(path)
    if source_archive.is_dir():
        (target / ARCHIVE).mkdir(mode=ARCHIVE_DIR_MODE)
        for f in sorted(source_archive.iterdir()):
            if f.is_file() and ".tmp-" not in f.name:
                shutil.copyfile(f, target / ARCHIVE / f.name)
                os.chmod(target / ARCHIVE / f.name, 0o600)
                files[f"{ARCHIVE}/{f.name}"] = _sha256(target / ARCHIVE / f.name)
    if statedb.backup_to(path, target / APP_STATE):
        files[APP_STATE] = _sha256(target / APP_STATE)
    files.update(_copy_dispatch(path, target))
    con = db.connect(target / SNAPSHOT, read_only=True)
    try:
        version = db.schema_version(con)
    finally:
        con.close()
    manifest = {"来源": str(path), "快照版本": snap.id, "结构版本": version, "备份时间": stamp, "文件": files}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def _copy_dispatch(path: Path, target: Path) -> dict[str, str]:
    """通报存档的每个文件（目录 0700、文件 0600，跳过写了一半的临时文件）与密钥文件（0600）；返回 清单名 → SHA-256。"""
    files: dict[str, str] = {}
    source = briefing_archive.root(path)
    for f in sorted(source.rglob("*")) if source.is_dir() else []:
        if not f.is_file() or f.name.startswith("."):
            continue
        name = f"{BRIEFINGS}/{f.relative_to(source).as_posix()}"
        copy = target / name
        for parent in reversed(copy.relative_to(target).parents[:-1]):
            (target / parent).mkdir(mode=ARCHIVE_DIR_MODE, exist_ok=True)
        shutil.copyfile(f, copy)
        os.chmod(copy, 0o600)
        files[name] = _sha256(copy)
    secrets = channels.secrets_path(path)
    if secrets.is_file():
        fd = os.open(target / SECRETS, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # 建时就是 0600
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.read_bytes())
        files[SECRETS] = _sha256(target / SECRETS)
    return files


def _restore_dispatch(path: Path, folder: Path, names: list[str]) -> list[str]:
    """补回通报存档里缺的文件（已有的不覆盖）；密钥文件只在当前没有时放回（0600）。返回给人看的说明。"""
    put, kept = 0, 0
    base = briefing_archive.root(path)
    for name in names:
        if not name.startswith(BRIEFINGS + "/"):
            continue
        dest = base / Path(name).relative_to(BRIEFINGS)
        if dest.exists():
            kept += 1
            continue
        base.mkdir(mode=0o700, exist_ok=True)
        for parent in reversed(dest.relative_to(base).parents[:-1]):
            (base / parent).mkdir(mode=0o700, exist_ok=True)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write((folder / name).read_bytes())
        put += 1
    notes = []
    if put or kept:
        notes.append(f"通报存档补回 {put} 个文件" + (f"（已有的 {kept} 个不覆盖）" if kept else ""))
    if SECRETS in names:
        secrets = channels.secrets_path(path)
        if secrets.exists():
            notes.append(f"渠道密钥文件 {secrets.name} 已存在，没有用备份里的覆盖")
        else:
            fd = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write((folder / SECRETS).read_bytes())
            notes.append(f"渠道密钥文件 {secrets.name} 原来没有，已从备份放回（0600）")
    return notes


def _check_backup(folder: Path) -> dict:
    if not folder.is_dir():
        raise db.DatabaseError(f"备份目录不存在：{folder}")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = dict(manifest["文件"])
    except (OSError, ValueError, KeyError, TypeError):
        raise db.DatabaseError(f"{folder} 不是创文看板的备份（没有可读的 {MANIFEST}）；未做任何修改。") from None
    for name, digest in files.items():
        f = folder / name
        if ".." in Path(name).parts or not f.is_file():
            raise db.DatabaseError(f"备份不完整：缺少 {name}；未做任何修改。")
        if _sha256(f) != digest:
            raise db.DatabaseError(f"备份文件 {name} 与清单里的校验值不符（文件损坏或被改过）；未做任何修改。")
    db.check_is_duckdb_file(folder / SNAPSHOT)
    return manifest


def republish(path: str | os.PathLike, sid: int, *, by: str | None = None, page: str | None = None) -> int:
    """把旧版本重新发布为当前版本（chuangwen.store.republish），成功或失败都恰好留一条审计；返回新版本号。"""
    with statedb.audited(path, by, "重新发布旧版本", f"第 {sid} 版", page=page) as outcome:
        new = store.republish(path, sid, f"{page + '：' if page else ''}重新发布第 {sid} 版", user=by)
        outcome["detail"] = f"第 {sid} 版，发布为第 {new} 版"
    return new


def restore(path: str | os.PathLike, folder: str | os.PathLike, *, restored_by: str | None = None) -> str:
    """校验备份，把它发布成新快照（导入记录里记一笔“从备份恢复”），补回存档里缺的原始文件；返回中文说明。
    成功或失败都恰好留一条审计（状态库里的账号与审计不随备份恢复：审计只追加）。"""
    path, folder = Path(path), Path(folder)
    with statedb.audited(path, restored_by, "从备份恢复", str(folder)):
        return _restore(path, folder, restored_by)


def _restore(path: Path, folder: Path, restored_by: str | None) -> str:
    manifest = _check_backup(folder)
    if store.current(path).id is None:
        with store.publishing(path, "迁入快照目录", user=restored_by), db.writer(path, "迁入快照目录"):
            pass  # 单文件库：先把现状收成一个版本，恢复后仍可重新发布回来
    command = f"从备份恢复：{folder.name}"
    with store.publishing(path, command, base_file=folder / SNAPSHOT, user=restored_by):
        with db.writer(path, command) as con:
            con.execute(
                "insert into import_log (kind, file_name, file_sha256, rows_total, rows_imported, imported_by, imported_at,"
                " status, archive_path, note) values ('restore', $f, $h, 0, 0, $by, $at, '成功', $a, $n)",
                {
                    "f": folder.name,
                    "h": manifest["文件"][SNAPSHOT],
                    "by": restored_by or osuser.name(),
                    "at": datetime.now().replace(microsecond=0),
                    "a": str(folder),
                    "n": f"从备份恢复：备份于 {manifest.get('备份时间')}，当时为{_version_text(manifest)}",
                },
            )
    for name in manifest["文件"]:
        if name.startswith(ARCHIVE + "/"):
            archive_raw(archive_dir(path) / Path(name).name, (folder / name).read_bytes())
    notes = _restore_dispatch(path, folder, list(manifest["文件"]))
    snap = store.current(path)
    return (
        f"已从备份 {folder.name} 恢复，发布为{snap.label}（备份时为{_version_text(manifest)}）；"
        "恢复前的版本仍保留，可用 chuangwen republish 重新发布。" + "".join(f"{n}。" for n in notes)
    )


def _version_text(manifest: dict) -> str:
    sid = manifest.get("快照版本")
    return f"第 {sid} 版" if sid is not None else "单文件库"
