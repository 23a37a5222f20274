"""数据库的入口：打开当前发布的版本、升级旧库、唯一的写入路径（每次写入发布一个新快照，见 chuangwen.store）。
单个库文件的部件（格式检查、建库、迁移、连接）在 chuangwen.dbfile，这里一并提供，调用方只用 db。"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from chuangwen import dbfile, store
from chuangwen.dbfile import (
    PRIVATE_FILE,
    SCHEMA_VERSION,
    DatabaseError,
    Migration,
    apply_migrations,
    build_new,
    check_is_duckdb_file,
    connect,
    create_database,
    migrations,
    read_meta,
    refuse_newer,
    scalar,
    schema_version,
)

__all__ = [
    "PRIVATE_FILE",
    "SCHEMA_VERSION",
    "DatabaseError",
    "Migration",
    "apply_migrations",
    "check_is_duckdb_file",
    "connect",
    "refuse_newer",
    "scalar",
    "build_new",
    "create_database",
    "migrations",
    "read_meta",
    "schema_version",
    "upgrade",
    "open_readonly",
    "writer",
]


def upgrade(path: str | os.PathLike) -> int:
    """把旧版本的库升级到当前结构版本（结构版本读 dbfile 的，迁移也在那里）（发布成一个新快照），返回执行的迁移数；更新的版本被拒绝且不动文件。"""
    path = Path(path)
    snapshot = store.current(path)
    con = connect(snapshot.file, read_only=True)
    try:
        version = schema_version(con)
    finally:
        con.close()
    dbfile.refuse_newer(version, path)
    if version == dbfile.SCHEMA_VERSION:
        return 0
    if version == 0:
        raise DatabaseError(f"DuckDB 文件里没有创文看板的表结构（缺少 schema_version）：{path}")
    if not os.access(path.parent, os.W_OK):
        raise DatabaseError(f"数据库版本 {version} 需要升级到 {dbfile.SCHEMA_VERSION}，但所在目录不可写：{path}")
    with store.publishing(path, f"升级库结构 {version} → {dbfile.SCHEMA_VERSION}"):
        pass  # 发布时在副本上执行迁移
    return dbfile.SCHEMA_VERSION - version


def open_readonly(path: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """只读连接：先检查文件、升级旧版本、拒绝新版本；打开当前发布的快照（看板按快照编号打开，见 chuangwen.ui.data）。"""
    path = Path(path)
    upgrade(path)
    return connect(store.current(path).file, read_only=True)


@contextlib.contextmanager
def writer(path: str | os.PathLike, command: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """唯一的写入路径：一个事务，写在当前快照的副本上，成功后发布成新快照（chuangwen.store.publishing）；
    出错回滚、什么都不发布。在 store.publishing 里面调用时并入那次发布（回滚的几步合成一次发布）。"""
    with store.publishing(Path(path), command or "写入") as pub:
        con = pub.con
        con.execute("begin transaction")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
