"""发布的快照：看板读的是不可变、带编号的快照；每次写入生成一个新快照，原子地发布。

布局（库文件 demo.duckdb 旁边）：
    demo.duckdb                       当前快照的硬链接（命令行只读命令、旧工具照旧打开这个路径）
    demo.duckdb.snapshots/CURRENT     当前快照编号（发布即原子地改写这个文件：写临时文件、fsync、改名）
    demo.duckdb.snapshots/000012.duckdb   各版本快照，只读；默认保留最近 10 个
    demo.duckdb.snapshots/store.log   发布、失败、接管的记录（每行一个 JSON；user 是做这次写入的人：页面上登录的账号，命令行为操作系统用户）
    demo.duckdb.lock                  写入锁（flock）与持有者信息（JSON：进程、用户、命令、开始时间）

写入（导入、回滚、边界导入、恢复、示例库重建、结构升级）：拿写入锁 → 把当前快照复制成临时文件 → 在临时文件上写
（一次发布里可以有多个事务，例如回滚的先子后父）→ checkpoint、fsync → 改名成新快照 → 改写 CURRENT → 重链库文件。
读者只读打开某个快照文件，一次页面运行从头到尾用同一个编号；已打开的旧快照在磁盘上删掉链接后照样读到关闭。
没有 .snapshots 目录的库（旧版本、`chuangwen init`、示例库首次生成）按单个文件读；第一次写入时自动迁进快照目录。
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from chuangwen import dbfile, derived, osuser

_SNAPSHOT_NAME = re.compile(r"^(\d{6})\.duckdb$")
_TMP_NAME = re.compile(r"^\.(\d{6})\.duckdb\.tmp-(\d+)(\.wal)?$")
_local = threading.local()
# 等别人写完时的进度提示：命令行设为打印到 stderr（cli.main），页面用转圈提示代替
wait_reporter: Callable[[str], None] | None = None


class StoreBusy(dbfile.DatabaseError):
    """另一个写入正在进行，等到上限仍未结束。"""


@dataclass(frozen=True)
class Snapshot:
    """读者打开的一个版本：编号（旧的单文件库为 None）与文件。key 用作缓存键：同一个 key 内容永远相同。"""

    id: int | None
    file: Path

    @property
    def key(self) -> str:
        if self.id is not None:
            return f"v{self.id}"
        st = os.stat(self.file)
        return f"f{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"

    @property
    def label(self) -> str:
        return f"第 {self.id} 版" if self.id is not None else "最初导入的数据（之后还没有更新过）"


def snapshots_dir(path: Path) -> Path:
    return path.with_name(path.name + ".snapshots")


def _snapshot_file(path: Path, sid: int) -> Path:
    return snapshots_dir(path) / f"{sid:06d}.duckdb"


def _read_current(path: Path) -> int | None:
    folder = snapshots_dir(path)
    pointer = folder / "CURRENT"
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise dbfile.DatabaseError(f"快照目录 {folder} 不是目录；未做任何修改。请把它移走后再打开。")
    if not pointer.exists():
        # 单文件库第一次发布：快照文件已就位、CURRENT 还没写的那一瞬间（或第一次发布中途被杀），库文件仍是原来的单文件库，
        # 照旧读它。发布过（记录里有“发布”）却没有 CURRENT，才是目录坏了
        if any(_SNAPSHOT_NAME.match(p.name) for p in folder.iterdir()) and _ever_published(path):
            raise dbfile.DatabaseError(
                f"快照目录 {folder} 里没有 CURRENT（当前版本指针），不知道该读哪个版本；"
                "未做任何修改。可用 chuangwen snapshots --db 路径 查看现有版本，再用 chuangwen republish 指定一个。"
            )
        return None
    text = pointer.read_text(encoding="utf-8", errors="replace").strip()
    if not text.isdigit():
        raise dbfile.DatabaseError(f"快照指针 {pointer} 的内容不是版本号（{text[:40]!r}）；未做任何修改。")
    return int(text)


def _ever_published(path: Path) -> bool:
    return any(e.get("event") == "发布" for e in read_log(path))


def current(path: str | os.PathLike) -> Snapshot:
    """当前发布的快照；快照缺失、截断或比本程序新时报中文错误（DatabaseError），什么都不改。"""
    path = Path(path)
    sid = _read_current(path)
    if sid is None:
        dbfile.check_is_duckdb_file(path)
        return Snapshot(None, path)
    file = _snapshot_file(path, sid)
    if not file.exists():
        raise dbfile.DatabaseError(
            f"当前版本 {sid} 的快照文件不见了：{file}；未做任何修改。"
            "可用 chuangwen snapshots 查看现有版本，用 chuangwen republish 重新发布其中一个。"
        )
    dbfile.check_is_duckdb_file(file)
    return Snapshot(sid, file)


def list_snapshots(path: str | os.PathLike) -> list[dict]:
    """现有快照：编号、文件、大小、时间、是否当前、说明（来自 store.log）。"""
    path = Path(path)
    folder = snapshots_dir(path)
    if not folder.is_dir():
        return []
    now = _read_current(path)
    notes = {e.get("snapshot"): e for e in read_log(path) if e.get("event") == "发布"}
    out = []
    for p in sorted(folder.iterdir()):
        m = _SNAPSHOT_NAME.match(p.name)
        if m:
            sid = int(m.group(1))
            st = p.stat()
            entry = notes.get(sid, {})
            out.append(
                {
                    "版本": sid,
                    "当前": sid == now,
                    "发布时间": entry.get("at") or datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M:%S"),
                    "操作": entry.get("command", ""),
                    "操作人": entry.get("user", ""),
                    "大小（MB）": round(st.st_size / 2**20, 1),
                    "文件": str(p),
                }
            )
    return out


def versions_table(versions: list[dict]) -> list[dict]:
    """页面上显示的版本表（不含服务器上的文件路径）。"""
    return [{k: v for k, v in r.items() if k != "文件"} for r in versions]


def older_versions(versions: list[dict]) -> list[int]:
    """可以重新发布的版本：当前之外的那些，新的在前。"""
    return [r["版本"] for r in reversed(versions) if not r["当前"]]


# ---------------------------------------------------------------- 记录


def _log(path: Path, event: str, **fields: Any) -> None:
    folder = snapshots_dir(path)
    folder.mkdir(mode=0o700, exist_ok=True)
    entry = {"at": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "event": event, **fields}
    with open(folder / "store.log", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read_log(path: str | os.PathLike) -> list[dict]:
    log = snapshots_dir(Path(path)) / "store.log"
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


# ---------------------------------------------------------------- 写入锁


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_text(info: dict) -> str:
    return (
        f"{info.get('command', '未知操作')}（{info.get('user', '?')}，进程 {info.get('pid', '?')}，"
        f"自 {info.get('since', '?')} 起）"
    )


@contextlib.contextmanager
def writer_lock(
    path: Path,
    command: str,
    *,
    wait_seconds: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    user: str | None = None,
) -> Iterator[None]:
    """跨进程的写入锁（flock）：同一时刻只有一个写入者。别人持有时每隔几秒报一次进度（on_wait），
    等到 wait_seconds 仍未轮到时报中文错误，写明谁在写（user，不给时为操作系统用户）、从何时起。
    持有者进程已不在（被杀）时接管并记一笔。"""
    from chuangwen import settings

    wait_seconds = settings.get("write_wait_seconds") if wait_seconds is None else wait_seconds
    on_wait = on_wait or wait_reporter
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        started, told = time.monotonic(), 0.0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                info = _read_holder(fd)
                if waited >= wait_seconds:
                    raise StoreBusy(
                        f"另一个写入正在进行：{_holder_text(info)}；已等待 {waited:.0f} 秒仍未结束，"
                        "本次没有写入任何数据，请稍后再试。"
                    ) from None
                if on_wait is not None and waited - told >= 2:
                    told = waited
                    on_wait(f"正在等待另一个写入完成：{_holder_text(info)}，已等 {waited:.0f} 秒……")
                time.sleep(0.2)
        previous = _read_holder(fd)
        if previous.get("state") == "进行中" and previous.get("pid") and not _alive(int(previous["pid"])):
            _log(path, "接管", note=f"上一次写入未正常结束（进程已不在）：{_holder_text(previous)}；已接管写入锁")
        info = {
            "pid": os.getpid(),
            "user": user or osuser.name(),
            "command": command,
            "since": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "state": "进行中",
        }
        _write_holder(fd, info)
        try:
            yield
        finally:
            _write_holder(fd, {**info, "state": "已结束"})
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> dict:
    try:
        raw = os.pread(fd, 4096, 0)
        return json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (OSError, ValueError):
        return {}


def _write_holder(fd: int, info: dict) -> None:
    data = json.dumps(info, ensure_ascii=False).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


# ---------------------------------------------------------------- 发布


@dataclass
class Publication:
    """一次发布：临时文件上的读写连接；writer() 在上面开事务。"""

    path: Path
    command: str
    sid: int
    tmp: Path
    con: duckdb.DuckDBPyConnection
    meta: dict = field(default_factory=dict)

    def changed(self) -> bool:
        """临时文件上有没有提交过改动：检查点阈值调得很大，有改动就一定留在 WAL 里。"""
        wal = self.tmp.with_name(self.tmp.name + ".wal")
        return wal.exists() and wal.stat().st_size > 0


def active(path: Path) -> Publication | None:
    pub = getattr(_local, "pub", None)
    return pub if pub is not None and pub.path == path else None


def _fsync(path: Path) -> None:
    """文件或目录落盘（目录的 fsync 让改名本身落盘）。"""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clean_leftovers(path: Path) -> None:
    """上一次被杀的写入留下的临时文件（进程已不在的）；并把库文件重新链到 CURRENT（发布在两步之间被打断时）。"""
    folder = snapshots_dir(path)
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        m = _TMP_NAME.match(p.name)
        if m and int(m.group(2)) != os.getpid() and not _alive(int(m.group(2))):
            p.unlink(missing_ok=True)
            if not m.group(3):
                _log(path, "清理", note=f"删除了未完成写入留下的临时文件 {p.name}（进程 {m.group(2)} 已不在）")
    for p in folder.glob("CURRENT.tmp-*"):
        p.unlink(missing_ok=True)
    sid = _read_current(path)
    if sid is not None:
        _relink(path, _snapshot_file(path, sid))


def _relink(path: Path, snapshot: Path) -> None:
    """库文件路径指向当前快照（硬链接；原子改名）。已指向的不动。"""
    try:
        if path.exists() and os.path.samefile(path, snapshot):
            return
    except OSError:
        pass
    link = path.with_name(f".{path.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.link(snapshot, link)
    os.replace(link, path)
    # 库文件旧的 WAL（单文件时代留下的）会被 DuckDB 当成新文件的日志重放：快照都已 checkpoint，删掉
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _next_id(path: Path) -> int:
    folder = snapshots_dir(path)
    ids = [int(m.group(1)) for p in folder.iterdir() if (m := _SNAPSHOT_NAME.match(p.name))] if folder.is_dir() else []
    return max(ids, default=0) + 1


def _switch(path: Path, sid: int, command: str, note: str | None = None, user: str | None = None) -> None:
    """原子地把 CURRENT 改成 sid，重链库文件，记一笔（user 不给时为操作系统用户），清理旧快照。"""
    folder = snapshots_dir(path)
    pointer_tmp = folder / f"CURRENT.tmp-{os.getpid()}"
    with open(pointer_tmp, "w", encoding="utf-8") as fh:
        fh.write(f"{sid}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer_tmp, folder / "CURRENT")
    _fsync(folder)
    _relink(path, _snapshot_file(path, sid))
    _log(path, "发布", snapshot=sid, command=command, user=user or osuser.name(), **({"note": note} if note else {}))
    _prune(path, sid)


def _prune(path: Path, now: int) -> None:
    """只留最近 keep 个快照（含当前）。读者已打开的旧快照删掉目录项后照样读到关闭（inode 还在），所以随时可删。"""
    from chuangwen import settings

    keep = settings.get("keep_snapshots")
    folder = snapshots_dir(path)
    ids = sorted(int(m.group(1)) for p in folder.iterdir() if (m := _SNAPSHOT_NAME.match(p.name)))
    for sid in ids[:-keep] if len(ids) > keep else []:
        if sid != now:
            _snapshot_file(path, sid).unlink(missing_ok=True)


@contextlib.contextmanager
def publishing(
    path: str | os.PathLike,
    command: str,
    *,
    on_wait: Callable[[str], None] | None = None,
    base_file: Path | None = None,
    user: str | None = None,
) -> Iterator[Publication]:
    """一次发布：里面的所有写入（可以是多个事务）要么一起发布成一个新快照，要么都不发布。嵌套时并入外层（人也用外层的）。
    base_file 给出时以它（恢复的备份）为底，而不是当前快照。user 是记进写入锁与 store.log 的人：页面传登录的账号，
    命令行不传（操作系统用户）。"""
    path = Path(path)
    user = user or osuser.name()
    outer = active(path)
    if outer is not None:
        yield outer
        return
    with writer_lock(path, command, on_wait=on_wait, user=user):
        _clean_leftovers(path)
        base = current(path) if path.exists() or _read_current(path) is not None else None
        if base_file is not None:
            base = Snapshot(-1, base_file)
        if base is None:
            raise dbfile.DatabaseError(f"数据库文件不存在：{path}")
        folder = snapshots_dir(path)
        folder.mkdir(mode=0o700, exist_ok=True)
        sid = _next_id(path)
        tmp = folder / f".{sid:06d}.duckdb.tmp-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        shutil.copyfile(base.file, tmp)
        os.chmod(tmp, dbfile.PRIVATE_FILE)
        legacy_wal = base.file.with_name(base.file.name + ".wal")
        if base.id is None and legacy_wal.exists():  # 单文件库还没合并的日志：一起带过去，打开时重放
            shutil.copyfile(legacy_wal, tmp.with_name(tmp.name + ".wal"))
        con = dbfile.connect(tmp, read_only=False)
        con.execute("set checkpoint_threshold = '1000GB'")  # 改动都留在 WAL 里，changed() 据此判断
        pub = Publication(path, command, sid, tmp, con)
        dbfile.refuse_newer(dbfile.schema_version(con), path)
        dbfile.apply_migrations(con, dbfile.schema_version(con))
        _local.pub = pub
        try:
            yield pub
        except BaseException as exc:
            con.close()
            for p in (tmp, tmp.with_name(tmp.name + ".wal")):
                p.unlink(missing_ok=True)
            _log(path, "失败", command=command, user=user, error=f"{type(exc).__name__}：{str(exc)[:200]}")
            raise
        finally:
            _local.pub = None
        changed = pub.changed() or base.id is None
        if not changed:
            con.close()
            for p in (tmp, tmp.with_name(tmp.name + ".wal")):
                p.unlink(missing_ok=True)
            return
        try:
            derived.rebuild(con)  # 派生表跟着事件日志走：每个发布出去的快照里都是最新的
        except BaseException as exc:
            con.close()
            for p in (tmp, tmp.with_name(tmp.name + ".wal")):
                p.unlink(missing_ok=True)
            _log(path, "失败", command=command, user=user, error=f"重建派生表：{type(exc).__name__}：{str(exc)[:200]}")
            raise
        con.execute("checkpoint")
        con.close()
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        _fsync(tmp)
        final = _snapshot_file(path, sid)
        os.replace(tmp, final)
        os.chmod(final, 0o400)  # 快照不可变：连本账号也只读
        _fsync(folder)
        _switch(path, sid, command, note="由单文件库迁入快照目录" if base.id is None else None, user=user)


def adopt(path: str | os.PathLike, built: Path, command: str, *, user: str | None = None) -> int:
    """把一个已经建好的库文件（示例库重建、重新发布的旧版本）发布成新快照；返回新编号。user 同 publishing。"""
    path = Path(path)
    with writer_lock(path, command, user=user):
        _clean_leftovers(path)
        folder = snapshots_dir(path)
        folder.mkdir(mode=0o700, exist_ok=True)
        sid = _next_id(path)
        final = _snapshot_file(path, sid)
        if _read_current(path) is None and path.exists():
            # 单文件库：先把现有的文件收进快照目录，旧版本仍可重新发布
            os.link(path, _snapshot_file(path, sid))
            os.chmod(final, 0o400)
            _switch(path, sid, "迁入快照目录", note="由单文件库迁入快照目录", user=user)
            sid += 1
            final = _snapshot_file(path, sid)
        tmp = folder / f".{sid:06d}.duckdb.tmp-{os.getpid()}"
        shutil.copyfile(built, tmp)
        _fsync(tmp)
        os.replace(tmp, final)
        os.chmod(final, 0o400)
        _fsync(folder)
        _switch(path, sid, command, user=user)
        return sid


def republish(path: str | os.PathLike, sid: int, command: str | None = None, *, user: str | None = None) -> int:
    """把一个旧版本重新发布成当前版本（作为新编号，历史不改写）；返回新编号。留审计的入口是 chuangwen.backup.republish。
    user 同 publishing。"""
    path = Path(path)
    source = _snapshot_file(path, sid)
    if not source.exists():
        have = "、".join(str(s["版本"]) for s in list_snapshots(path)) or "（无）"
        raise dbfile.DatabaseError(f"没有第 {sid} 版快照；现有：{have}。")
    dbfile.check_is_duckdb_file(source)
    return adopt(path, source, command or f"重新发布第 {sid} 版", user=user)
