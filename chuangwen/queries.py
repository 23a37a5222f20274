"""查询登记处：queries/*.sql 一个文件一个查询，读一次，每次调用用新游标执行，参数只绑定不拼接。

文件头格式（均为 `--` 注释行，位于 SQL 之前）：
    -- name: overview_problem_counts
    -- 用途: 一句话说明
    -- params: $as_of TIMESTAMP, $unit VARCHAR
    -- 指标: 未销号问题 | 口径: …… | 分母: ……

几个查询共用的一段 SQL（同一口径）写成片段文件 queries/_名称.sql，在查询里用一行
`-- include: _名称.sql` 引入（片段里也可以再引入片段）；片段只写一处，不是独立查询。

几个查询要从同一份中间结果汇总时（问题热点页：先筛出问题，再分别按镇街、网格、点位汇总），中间结果写成
一个独立查询，汇总的查询在文件头写 `-- reads: 那个查询`，SQL 里把它当表名用。执行时先跑那个查询（同样的参数），
结果（Arrow 表，见 table）登记到这次执行的游标上；调用方可以给一个取结果的函数（read），让同一份中间结果在几个查询间只算一次。
读它的查询须在 params 里声明被读查询的全部参数。
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import pandas as pd

from chuangwen import settings

if TYPE_CHECKING:
    import pyarrow as pa

QUERY_DIR = settings.APP_ROOT / "queries"

_HEADER = re.compile(r"^--\s*([^:：]+?)\s*[:：]\s*(.*)$")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)\s+([A-Z\[\]]+)")
_USED_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_INCLUDE = re.compile(r"^--\s*include:\s*(_[a-z0-9_]+\.sql)\b.*$", re.M)


class QueryError(Exception):
    """查询定义或调用参数有误（开发错误，不是用户输入错误）。"""


@dataclass(frozen=True)
class Metric:
    """屏幕上一个数字的定义：名称、口径、分母；数据截至时间由调用方给出。"""

    name: str
    formula: str
    denominator: str

    @property
    def text(self) -> str:
        """给人看的定义（口径，有分母时再写分母）：指标口径卡片、悬停提示与通报的口径页都用这一句。"""
        return f"{self.formula}。" + (
            f"分母：{self.denominator}。" if self.denominator.strip() not in ("", "—") else ""
        )


@dataclass(frozen=True)
class Query:
    name: str
    purpose: str
    params: tuple[tuple[str, str], ...]
    metrics: tuple[Metric, ...]
    sql: str
    path: Path
    reads: tuple[str, ...] = ()  # 当作表读的其他查询（-- reads:）
    own_params: frozenset[str] | None = None  # 本查询 SQL 里直接用到的参数（读别的查询时比声明的少）；None = 全部

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.params)


def _expand_includes(text: str, path: Path, within: tuple[str, ...] = ()) -> str:
    """把 `-- include: _片段.sql` 行换成片段内容；片段里还可以再引入片段，但不能绕回自己。"""

    def fragment(m: re.Match) -> str:
        name = m.group(1)
        if name in within:
            raise QueryError(f"{path.name}: 片段循环引入：{' → '.join((*within, name))}")
        part = path.parent / name
        if not part.exists():
            raise QueryError(f"{path.name}: 引入的片段 {name} 不存在")
        return _expand_includes(part.read_text(encoding="utf-8"), part, (*within, name)).rstrip("\n")

    return _INCLUDE.sub(fragment, text)


def _parse(path: Path) -> Query:
    text = _expand_includes(path.read_text(encoding="utf-8"), path)
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("--"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m:
            header.setdefault(m.group(1).strip(), []).append(m.group(2).strip())
    name = (header.get("name") or [""])[0]
    if name != path.stem:
        raise QueryError(f"{path.name}: 文件头 name ({name!r}) 必须与文件名一致")
    purpose = (header.get("用途") or [""])[0]
    if not purpose:
        raise QueryError(f"{path.name}: 缺少 `-- 用途:` 说明")
    params = tuple(_PARAM.findall((header.get("params") or [""])[0]))
    reads = tuple(
        r for line in header.get("reads", []) for r in re.findall(r"\b[a-z][a-z0-9_]*\b", line.split("（")[0])
    )
    used = set(_USED_PARAM.findall("\n".join(line for line in text.splitlines() if not line.startswith("--"))))
    own = frozenset(used)
    for source in reads:
        if source == name or not (path.parent / f"{source}.sql").exists():
            raise QueryError(f"{path.name}: -- reads: 读的查询 {source} 不存在或就是自己")
        used |= set(load(source).param_names)
    declared = {p for p, _ in params}
    if used != declared:
        raise QueryError(f"{path.name}: 声明的参数 {sorted(declared)} 与 SQL 中使用的 {sorted(used)} 不一致")
    metrics = []
    for raw in header.get("指标", []):
        parts = [p.strip() for p in raw.split("|")]
        fields = {"名称": parts[0]}
        for part in parts[1:]:
            k, _, v = part.partition(":") if ":" in part else part.partition("：")
            fields[k.strip()] = v.strip()
        metrics.append(Metric(fields["名称"], fields.get("口径", ""), fields.get("分母", "—")))
    return Query(name, purpose, params, tuple(metrics), text, path, reads, own if reads else None)


@functools.cache
def load(name: str) -> Query:
    path = QUERY_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"没有名为 {name} 的查询（{path}）")
    return _parse(path)


def all_queries() -> list[Query]:
    # 以 _ 开头的是被引入的片段，不是查询
    return [load(p.stem) for p in sorted(QUERY_DIR.glob("*.sql")) if not p.name.startswith("_")]


def bind(query: Query, params: Mapping[str, Any]) -> dict[str, Any]:
    """只传查询声明的参数；缺参数是开发错误，立即报出。多选的值（元组）作为列表绑定（SQL 里声明为 VARCHAR[]）。"""
    missing = [p for p in query.param_names if p not in params]
    if missing:
        raise QueryError(f"查询 {query.name} 缺少参数：{missing}")
    return {p: list(params[p]) if isinstance(params[p], tuple) else params[p] for p in query.param_names}


class SourceCache(Protocol):
    """被几个查询共用的中间结果（-- reads:）放在哪：get(键, 算法) 有就给、没有就算一次记住。"""

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any: ...


class OneRun:
    """一次取数（一期通报、一条命令）里的中间结果：同样的参数只算一次，用完即丢。"""

    def __init__(self) -> None:
        self._items: dict[Hashable, Any] = {}

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key not in self._items:
            self._items[key] = make()
        return self._items[key]


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, list):
        return tuple(value)
    return value


def cache_key(name: str, params: Mapping[str, Any]) -> tuple:
    """查询结果的缓存键：查询名与它绑定的参数（简单值，列表换成元组）。"""
    return (name, tuple(sorted((k, _plain(v)) for k, v in params.items())))


def _table(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> pa.Table:
    """执行被别的查询当表读的中间结果，得到 Arrow 表（不转成 pandas：十万行时快一倍多，登记到游标上时也不再复制）。"""
    query = load(name)
    if query.reads:
        raise QueryError(f"查询 {name} 自己读别的查询，不能再当中间结果")
    cur = con.cursor()
    try:
        return cur.sql(query.sql, params=dict(params)).to_arrow_table()
    finally:
        cur.close()


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    scope: Any = None,
    /,
    *,
    shared: SourceCache | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """执行命名查询（执行查询只有这一个入口）：在新游标上执行（游标可跨 Streamlit 会话线程安全使用）。

    scope 是查看口径（chuangwen.view.View，取它的 params()）或参数字典；extra 是调用方自己的参数（同名时优先）。
    查询读别的查询（-- reads:）时，先用同样的参数得到那个中间结果，放在 shared 里（页面给跨会话的缓存，
    通报与命令行给 OneRun；参数名不叫 sources：那是问题来源筛选的查询参数）；结果只登记在这个游标上，别的会话看不到。"""
    query = load(name)
    given = scope.params() if hasattr(scope, "params") else dict(scope or {})
    params = {**given, **extra}
    store = shared if shared is not None else OneRun()
    tables = {}
    for source in query.reads:
        own = bind(load(source), params)
        tables[source] = store.get(cache_key(source, own), functools.partial(_table, con, source, own))
    cur = con.cursor()
    try:
        for source, rows in tables.items():
            cur.register(source, rows)
        bound = bind(query, params)
        if query.own_params is not None:
            bound = {k: v for k, v in bound.items() if k in query.own_params}
        return cur.execute(query.sql, bound).df()
    finally:
        cur.close()
