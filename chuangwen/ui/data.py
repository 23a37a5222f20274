"""缓存只在这里：只读连接、查询结果、构建结果。键只含简单参数（路径、快照编号、查询名、参数）或输入的精确指纹。

写入发布新快照（chuangwen.store），不动读者打开的快照：这里从不关闭别的会话在用的连接。
快照发布后内容不再变，所以查询结果按（快照、查询、参数）记住，不必过期、不必每次拷贝：
各会话拿到同一份结果的浅拷贝（pandas 3 写时复制，改浅拷贝不会改到缓存里的那份）。
同一个键同时有多个会话要时只算一次，其余的等它（发布新版本后几十个会话同时换新，不会把同一查询算几十遍）。"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from chuangwen import db, queries, settings, store
from chuangwen.view import View

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
    return db._connect(Path(file), read_only=True, memory_mb=settings.get("reader_memory_mb"))


def connection() -> duckdb.DuckDBPyConnection:
    snap = snapshot()
    return _connection(str(database_path()), snap.key, str(snap.file))


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, list):
        return tuple(value)
    return value


class _Lru:
    """进程内的最近最少用缓存：最多 entries 个，闲置超过 idle_seconds 的丢掉；同一个键同一时刻只算一次。"""

    def __init__(self, entries: int, idle_seconds: float | None = None):
        self.entries, self.idle = entries, idle_seconds
        self.items: collections.OrderedDict = collections.OrderedDict()  # 键 → (值, 最近使用时刻)
        self.lock = threading.Lock()
        self.making: dict = {}  # 键 → 正在算它的那把锁

    def get(self, key, make):
        while True:
            with self.lock:
                now = time.monotonic()
                self._expire(now)
                if key in self.items:
                    value = self.items[key][0]
                    self.items[key] = (value, now)
                    self.items.move_to_end(key)
                    return value
                pending = self.making.get(key)
                if pending is None:
                    pending = self.making[key] = threading.Lock()
                    pending.acquire()
                    break
            with pending:  # 别的会话正在算：等它算完再看缓存（它失败了就轮到这里算）
                pass
        try:
            value = make()
            with self.lock:
                self.items[key] = (value, time.monotonic())
                while len(self.items) > self.entries:
                    self.items.popitem(last=False)
            return value
        finally:
            with self.lock:
                del self.making[key]
            pending.release()

    def _expire(self, now: float) -> None:
        if self.idle is None:
            return
        while self.items:
            oldest = next(iter(self.items))
            if now - self.items[oldest][1] <= self.idle:
                break
            del self.items[oldest]


@st.cache_resource(show_spinner=False)
def _results() -> _Lru:
    return _Lru(512, idle_seconds=_TTL)


def query(name: str, view: View | None = None, /, **extra) -> pd.DataFrame:
    """执行命名查询（按快照编号记住结果）：口径参数取自 view，extra 是本页自己的参数（同名时 extra 优先）。
    只绑定、也只按查询声明过的参数记住；参数必须是简单值或值的元组，绝不传 DataFrame。"""
    snap = snapshot()
    path = str(database_path())
    params = queries.bind(queries.load(name), {**(view.params() if view is not None else {}), **extra})
    key = (path, snap.key, name, tuple(sorted((k, _plain(v)) for k, v in params.items())))
    con = _connection(path, snap.key, str(snap.file))

    def read(source: str) -> pd.DataFrame:
        # 被读的中间结果（如筛过的问题）：按同样的键规则单独记住，几个查询、几个会话共用一份
        own = queries.bind(queries.load(source), params)
        source_key = (path, snap.key, source, tuple(sorted((k, _plain(v)) for k, v in own.items())))
        return _sources().get(source_key, lambda: queries.table(con, source, own))

    result = _results().get(key, lambda: queries.run(con, name, params, read=read))
    return result.copy(deep=False)


def deferred(name: str, view: View | None = None, /, **extra) -> Callable[[], pd.DataFrame]:
    """点了下载才执行的命名查询（如全部在办台账，可达几十万行）：不记住结果，免得大结果占着缓存。

    st.download_button 的 data=函数 在 Streamlit 的后台线程里执行，那里没有会话（取不到 session_state）：
    所以在页面运行时就把本次钉住的快照连接与参数绑定好，调用时只在新游标上执行。"""
    snap = snapshot()
    path = str(database_path())
    params = queries.bind(queries.load(name), {**(view.params() if view is not None else {}), **extra})
    con = _connection(path, snap.key, str(snap.file))
    return lambda: queries.run(con, name, params)


@st.cache_resource(show_spinner=False)
def _sources() -> _Lru:
    """被其他查询当表读的中间结果（问题热点的筛选结果，可达几十万行）：只留最近几份、闲置两分钟即丢，不占常驻内存。"""
    return _Lru(6, idle_seconds=120)


@st.cache_resource(show_spinner=False)
def _memo() -> _Lru:
    """按输入内容记住纯构建函数的结果（表、图）：页面每次运行不再重建同样的东西。"""
    return _Lru(512)


def _hashable_column(column: pd.Series) -> pd.Series:
    if column.dtype != object:
        return column
    return column.map(lambda v: bytes(v) if isinstance(v, (bytearray, memoryview)) else v)


def _fingerprint(value):
    """输入的精确指纹：DataFrame 逐行哈希（不是 Streamlit 的抽样哈希，改一个格也认得出），其余用本身。"""
    if isinstance(value, pd.DataFrame):
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        except TypeError:  # 对象列里有不可哈希的值（边界的 WKB 是 bytearray）：按字节内容哈希
            rows = pd.util.hash_pandas_object(value.apply(_hashable_column), index=True).to_numpy()
        return ("df", value.shape, tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), rows.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(v) for v in value)
    return value


def memo(fn, *args, **kwargs):
    """fn(*args, **kwargs) 的结果按输入记住（chuangwen 里的纯构建函数：表格、图表）。返回的是同一个对象，调用方不要改它。"""
    key = (
        fn.__module__,
        fn.__qualname__,
        _fingerprint(args),
        tuple(sorted((k, _fingerprint(v)) for k, v in kwargs.items())),
    )
    return _memo().get(key, lambda: fn(*args, **kwargs))


def meta() -> dict[str, str]:
    return dict(query("app_meta").itertuples(index=False, name=None))
