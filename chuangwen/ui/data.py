"""缓存只在这里：只读连接用 cache_resource，查询结果用 cache_data，键只含简单参数（路径、文件版本、查询名、参数）。"""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from chuangwen import db, queries, settings

_TTL = settings.get("cache_ttl_seconds")


def database_path() -> Path:
    return Path(settings.get("db_path"))


def _file_version(path: Path) -> int:
    """文件修改时间（纳秒）作为缓存键的一部分：导入或重建后自动用新数据。"""
    return os.stat(path).st_mtime_ns


_OPENED: list[duckdb.DuckDBPyConnection] = []   # 缓存里的只读连接，写入前由 release_connection 关闭


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(path: str, version: int) -> duckdb.DuckDBPyConnection:
    # 只读打开；各会话线程通过 queries.run 各自取游标
    con = db.open_readonly(path)
    _OPENED.append(con)
    return con


def release_connection() -> None:
    """写入（导入、回滚）前调用：关闭并清掉缓存的只读连接——同一进程里读写连接与只读连接不能并存。
    写完后文件修改时间变了，下一次查询按新版本重新打开只读连接，查询缓存也随之换键。"""
    _connection.clear()
    while _OPENED:
        try:
            _OPENED.pop().close()
        except Exception:  # 已关闭或正被回收
            pass


def connection() -> duckdb.DuckDBPyConnection:
    path = database_path()
    if not path.exists():
        raise db.DatabaseError(f"数据库文件不存在：{path}")
    return _connection(str(path), _file_version(path))


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


@st.cache_data(ttl=_TTL, max_entries=512, show_spinner=False)
def _run_cached(path: str, version: int, name: str, params: tuple) -> pd.DataFrame:
    return queries.run(_connection(path, version), name, dict(params))


def query(name: str, **params: str | int | float | date | datetime | None) -> pd.DataFrame:
    """执行命名查询（带缓存）。参数必须是简单值，绝不传 DataFrame。"""
    path = database_path()
    if not path.exists():
        raise db.DatabaseError(f"数据库文件不存在：{path}")
    key = tuple(sorted((k, _plain(v)) for k, v in params.items()))
    return _run_cached(str(path), _file_version(path), name, key)


def meta() -> dict[str, str]:
    return dict(query("app_meta").itertuples(index=False, name=None))
