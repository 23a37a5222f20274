"""单个 DuckDB 库文件：格式检查、建库、结构迁移、连接。不知道快照与发布（那在 chuangwen.store）；
对外用 chuangwen.db，它从这里取这些部件，再加上打开当前版本、升级与唯一的写入路径。"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from chuangwen import derived

# DuckDB 文件头：前 8 字节是校验和，随后 4 字节是魔数
_DUCKDB_MAGIC = b"DUCK"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class DatabaseError(Exception):
    """数据库无法按要求打开或写入；消息为中文，可直接展示给用户。"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


_LOAD = re.compile(r"^-- load: (\S+)$", re.M)


def _with_loaded(sql: str) -> str:
    """迁移里的“-- load: macros/名称.sql”换成 queries/ 下那个文件的内容：宏与派生表的规则写在查询旁边，
    迁移只说什么时候载入它们。"""
    from chuangwen.settings import APP_ROOT

    return _LOAD.sub(lambda m: (APP_ROOT / "queries" / m.group(1)).read_text(encoding="utf-8"), sql)


def migrations() -> list[Migration]:
    """按版本号排序的迁移脚本（chuangwen/migrations/NNN_name.sql）。"""
    found = []
    for entry in resources.files("chuangwen.migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), _with_loaded(entry.read_text(encoding="utf-8"))))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"迁移脚本编号必须从 001 连续递增，实际为 {versions}")
    return found


SCHEMA_VERSION = len(migrations())


def check_is_duckdb_file(path: Path) -> None:
    if not path.exists():
        raise DatabaseError(f"数据库文件不存在：{path}")
    if path.is_dir():
        raise DatabaseError(f"数据库路径是一个目录，不是 DuckDB 文件：{path}")
    with path.open("rb") as f:
        head = f.read(12)
    if len(head) < 12 or head[8:12] != _DUCKDB_MAGIC:
        raise DatabaseError(f"文件不是 DuckDB 数据库（文件头不符），未做任何修改：{path}")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> Any:
    """只返回一行一列的查询（count(*)、max(…)、insert … returning id）的那个值。"""
    row = con.execute(sql, params).fetchone()
    if row is None:  # 聚合与 returning 总有一行：没有就是查询本身写错了
        raise DatabaseError(f"查询没有返回任何行：{sql}")
    return row[0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """库内记录的结构版本；没有版本表时为 0（空库）。"""
    has_table = scalar(con, "select count(*) from information_schema.tables where table_name = 'schema_version'")
    if not has_table:
        return 0
    return scalar(con, "select coalesce(max(version), 0) from schema_version")


def apply_migrations(con: duckdb.DuckDBPyConnection, current: int) -> int:
    con.execute(
        "create table if not exists schema_version ("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    applied = 0
    for m in migrations():
        if m.version <= current:
            continue
        con.execute("begin transaction")
        try:
            con.execute(m.sql)
            con.execute(
                "insert into schema_version values ($v, $n, $t)",
                {"v": m.version, "n": m.name, "t": datetime.now().replace(microsecond=0)},
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied += 1
    return applied


# 库文件里是整个县的台账：新建时只给运行看板的账号读写（0600），不随 umask 变成人人可读
PRIVATE_FILE = 0o600


def connect(path: Path, read_only: bool, memory_mb: int | None = None) -> duckdb.DuckDBPyConnection:
    """memory_mb：这个库文件（DuckDB 实例）的缓冲区上限，超出时大的排序、分组写到快照旁的临时目录；None 为不改
    （DuckDB 默认物理内存的 80%）。用 SET 而不是连接配置：同一进程里同一文件的连接共用一个实例，配置不同的
    第二个连接会被 DuckDB 拒绝，SET 则作用于那个实例、对哪个连接都一样。"""
    try:
        created = not read_only and not os.path.exists(path)
        con = duckdb.connect(str(path), read_only=read_only)
        if memory_mb:
            con.execute(f"set memory_limit = '{int(memory_mb)}MB'")
        if created:
            os.chmod(path, PRIVATE_FILE)
        return con
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseError(f"数据库正被另一个程序写入（文件被锁定）：{path}。请等导入完成后再打开。") from exc
        if "not a valid DuckDB" in text:
            raise DatabaseError(f"文件不是 DuckDB 数据库，未做任何修改：{path}") from exc
        if "Permission" in text or "Read-only" in text or "read-only" in text:
            raise DatabaseError(f"数据库文件不可写（只读文件或无权限）：{path}") from exc
        raise DatabaseError(f"无法打开数据库 {path}：{text}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"无法打开数据库 {path}：{exc}") from exc


def refuse_newer(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"数据库结构版本为 {version}，高于本程序支持的 {SCHEMA_VERSION}：{path}。"
            "请升级创文看板后再打开；文件未做任何修改。"
        )


def create_database(path: str | os.PathLike) -> Path:
    """新建一个只有表结构的空库；路径已存在时拒绝。"""
    path = Path(path)
    if path.exists():
        raise DatabaseError(f"文件已存在，不会覆盖：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, read_only=False)
    try:
        apply_migrations(con, 0)
    finally:
        con.close()
    return path


@contextlib.contextmanager
def build_new(path: str | os.PathLike) -> Iterator[duckdb.DuckDBPyConnection]:
    """原子地生成一个新库：写到同目录临时文件，成功后改名；失败时不留下半成品。"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = connect(tmp, read_only=False)
    try:
        apply_migrations(con, 0)
        yield con
        derived.rebuild(con)
        con.execute("checkpoint")
        con.close()
        # 旧文件残留的 .wal 会被 DuckDB 当成新文件的日志重放：先删掉
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp, path)
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    cur = con.cursor()
    try:
        return dict(cur.execute("select key, value from meta").fetchall())
    finally:
        cur.close()
