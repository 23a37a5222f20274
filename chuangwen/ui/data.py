"""缓存只在这里：只读连接用 cache_resource，查询结果用 cache_data，键只含简单参数（路径、快照编号、查询名、参数）。

写入发布新快照（chuangwen.store），不动读者打开的快照：这里从不关闭别的会话在用的连接。"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from chuangwen import db, queries, settings, store

_TTL = settings.get("cache_ttl_seconds")


def database_path() -> Path:
    return Path(settings.get("db_path"))


# 一次页面运行从头到尾读同一个快照：画框在运行开始时钉住（pin），之后的查询都用它；发布了新快照，下一次运行才换
_PIN = "_snapshot"


def pin() -> store.Snapshot:
    """本次运行读的快照：当前发布的那个。画框在每次运行的第一步调用。"""
    path = database_path()
    if not path.exists():
        raise db.DatabaseError(f"数据库文件不存在：{path}")
    snap = store.current(path)
    st.session_state[_PIN] = (str(path), snap)
    return snap


def snapshot() -> store.Snapshot:
    """本次运行钉住的快照（没有钉住、或设置换了库时取当前的）。"""
    pinned = st.session_state.get(_PIN)
    return pinned[1] if pinned is not None and pinned[0] == str(database_path()) else pin()


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(path: str, key: str, file: str) -> duckdb.DuckDBPyConnection:
    # 只读打开一个快照；各会话线程通过 queries.run 各自取游标。键含快照编号：同一个键内容永远不变
    db.upgrade(Path(path))
    return db._connect(Path(file), read_only=True)


def connection() -> duckdb.DuckDBPyConnection:
    snap = snapshot()
    return _connection(str(database_path()), snap.key, str(snap.file))


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


@st.cache_data(ttl=_TTL, max_entries=512, show_spinner=False)
def _run_cached(path: str, key: str, file: str, name: str, params: tuple) -> pd.DataFrame:
    return queries.run(_connection(path, key, file), name, dict(params))


def query(name: str, **params: str | int | float | date | datetime | None) -> pd.DataFrame:
    """执行命名查询（带缓存，键含快照编号）。参数必须是简单值，绝不传 DataFrame。"""
    snap = snapshot()
    key = tuple(sorted((k, _plain(v)) for k, v in params.items()))
    return _run_cached(str(database_path()), snap.key, str(snap.file), name, key)


def meta() -> dict[str, str]:
    return dict(query("app_meta").itertuples(index=False, name=None))
