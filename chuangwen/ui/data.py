"""缓存只在这里：只读连接、查询结果、构建结果。键只含简单参数（路径、快照编号、查询名、参数）或输入的精确指纹。

页面读数只有一个入口 query(名称, 口径, **页面自己的参数)；点了下载才取的大结果用 deferred。读哪个快照由口径带着
（View.snapshot：画框在每次运行开始时钉住当前发布的版本），不从会话状态里取。

写入发布新快照（chuangwen.store），不动读者打开的快照：这里从不关闭别的会话在用的连接。快照发布后内容不再变，
所以查询结果按（快照、查询、参数）记住，不必每次拷贝：各会话拿到同一份结果的浅拷贝（pandas 3 写时复制，改浅拷贝
不会改到缓存里的那份）。缓存用 st.cache_resource（同一个键同时有多个会话要时只算一次，其余的等它），不抽样哈希 DataFrame。
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from chuangwen import db, queries, settings, store
from chuangwen.view import View

_TTL = settings.get("cache_ttl_seconds")


def database_path() -> Path:
    return Path(settings.get("db_path"))


def pin() -> store.Snapshot:
    """这次运行读的快照：当前发布的那个。画框在每次运行的第一步调用，之后放进口径里往下传。"""
    path = database_path()
    if not path.exists():
        raise db.DatabaseError(f"数据库文件不存在：{path}")
    return store.current(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(path: str, key: str, file: str) -> duckdb.DuckDBPyConnection:
    # 只读打开一个快照；各会话线程通过 queries.run 各自取游标。键含快照编号：同一个键内容永远不变
    db.upgrade(Path(path))
    return db.connect(Path(file), read_only=True, memory_mb=settings.get("reader_memory_mb"))


def connection(snapshot: store.Snapshot) -> duckdb.DuckDBPyConnection:
    return _connection(str(database_path()), snapshot.key, str(snapshot.file))


@st.cache_resource(show_spinner=False, max_entries=512, ttl=_TTL)
def _result(path: str, snapshot_key: str, key: tuple, _make: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    return _make()


@st.cache_resource(show_spinner=False, max_entries=6, ttl=120)
def _source(path: str, snapshot_key: str, key: Hashable, _make: Callable[[], Any]) -> Any:
    """被其他查询当表读的中间结果（问题热点的筛选结果，可达几十万行）：只留最近几份、闲置两分钟即丢，不占常驻内存。"""
    return _make()


class _Sources:
    """queries.run 的中间结果放在哪：这个快照的跨会话缓存。"""

    def __init__(self, path: str, snapshot: store.Snapshot):
        self.path, self.snapshot = path, snapshot

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        return _source(self.path, self.snapshot.key, key, make)


def shared(view: View) -> _Sources:
    """口径所读快照的中间结果缓存（通报取数时交给 briefing，与各页共用）。"""
    return _Sources(str(database_path()), snapshot_of(view))


def snapshot_of(view: View) -> store.Snapshot:
    """口径钉住的快照（画框构建的口径总带着它）。"""
    if view.snapshot is None:
        raise ValueError("口径里没有快照：页面的口径由画框构建，带着本次运行钉住的快照")
    return view.snapshot


def query(name: str, view: View, /, **extra: Any) -> pd.DataFrame:
    """执行命名查询（按快照编号与绑定的参数记住结果）：口径参数取自 view，extra 是本页自己的参数（同名时 extra 优先）。
    参数必须是简单值或值的元组，绝不传 DataFrame。"""
    snap = snapshot_of(view)
    path = str(database_path())
    params = queries.bind(queries.load(name), {**view.params(), **extra})
    con = _connection(path, snap.key, str(snap.file))
    shared = _Sources(path, snap)
    result = _result(
        path, snap.key, queries.cache_key(name, params), lambda: queries.run(con, name, params, shared=shared)
    )
    return result.copy(deep=False)


def deferred(name: str, view: View, /, **extra: Any) -> Callable[[], pd.DataFrame]:
    """点了下载才执行的命名查询（如全部在办台账，可达几十万行）：不记住结果，免得大结果占着缓存。
    连接与参数在页面运行时就绑定好（下载在 Streamlit 的后台线程里执行），调用时只在新游标上执行。"""
    snap = snapshot_of(view)
    params = queries.bind(queries.load(name), {**view.params(), **extra})
    con = _connection(str(database_path()), snap.key, str(snap.file))
    return lambda: queries.run(con, name, params)


def meta(snapshot: store.Snapshot) -> dict[str, str]:
    """库的 meta（app_meta）：画框构建口径之前读，所以按快照取，不按口径。"""
    path = str(database_path())
    con = _connection(path, snapshot.key, str(snapshot.file))
    rows = _result(path, snapshot.key, queries.cache_key("app_meta", {}), lambda: queries.run(con, "app_meta"))
    return dict(rows.itertuples(index=False, name=None))


@st.cache_resource(show_spinner=False, max_entries=512)
def _memoized(key: str, _make: Callable[[], Any]) -> Any:
    return _make()


def _hashable_column(column: pd.Series) -> pd.Series:
    if column.dtype != object:
        return column
    return column.map(lambda v: bytes(v) if isinstance(v, (bytearray, memoryview)) else v)


def _fingerprint(value: Any) -> Any:
    """输入的精确指纹：DataFrame 逐行哈希（不是 Streamlit 的抽样哈希，改一个格也认得出），其余用本身。"""
    if isinstance(value, pd.DataFrame):
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        except TypeError:  # 对象列里有不可哈希的值（边界的 WKB 是 bytearray）：按字节内容哈希
            rows = pd.util.hash_pandas_object(value.apply(_hashable_column), index=True).to_numpy()
        digest = hashlib.sha256(rows.tobytes()).hexdigest()
        return ("df", value.shape, tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), digest)
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(v) for v in value)
    if callable(value) and hasattr(value, "__qualname__"):
        return ("fn", getattr(value, "__module__", ""), value.__qualname__)
    return value


def memo(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs) 的结果按输入记住（chuangwen 里的纯构建函数：表格、图表）。返回的是同一个对象，调用方不要改它。"""
    key = (
        fn.__module__,
        fn.__qualname__,
        _fingerprint(args),
        tuple(sorted((k, _fingerprint(v)) for k, v in kwargs.items())),
    )
    return _memoized(hashlib.sha256(repr(key).encode()).hexdigest(), lambda: fn(*args, **kwargs))
