"""缓存只在这里：只读连接用 cache_resource，查询结果用 cache_data，键只含简单参数（路径、快照编号、查询名、参数）。

写入发布新快照（chuangwen.store），不动读者打开的快照：这里从不关闭别的会话在用的连接。"""
from __future__ import annotations

import collections
import threading
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


class _Memo:
    """按输入内容记住纯构建函数的结果（表、图）：页面每次运行不再重建同样的东西。最多 entries 个，最近最少用的先丢。"""

    def __init__(self, entries: int = 512):
        self.entries, self.items, self.lock = entries, collections.OrderedDict(), threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.entries:
                self.items.popitem(last=False)
        return value


@st.cache_resource(show_spinner=False)
def _memo() -> _Memo:
    return _Memo()


def _fingerprint(value):
    """输入的精确指纹：DataFrame 逐行哈希（不是 Streamlit 的抽样哈希，改一个格也认得出），其余用本身。"""
    if isinstance(value, pd.DataFrame):
        rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        return ("df", value.shape, tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), rows.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(v) for v in value)
    return value


def memo(fn, *args, **kwargs):
    """fn(*args, **kwargs) 的结果按输入记住（chuangwen 里的纯构建函数：表格、图表）。返回的是同一个对象，调用方不要改它。"""
    key = (fn.__module__, fn.__qualname__, _fingerprint(args), tuple(sorted((k, _fingerprint(v)) for k, v in kwargs.items())))
    return _memo().get(key, lambda: fn(*args, **kwargs))


def meta() -> dict[str, str]:
    return dict(query("app_meta").itertuples(index=False, name=None))
