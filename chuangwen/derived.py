"""发布时派生的表：让“截至任意时刻的问题状态”成为区间查找，而不是每次把整改事件日志重新聚合一遍。

rebound_link：问题热点“反弹”的两种来源（同点位同类别再次发现、反弹重开），各自之前最近的一次销号；天数在查询时才用。
按（种类，发生时间）排序存放：问题热点只看近期发现的问题，更早的行组凭最小/最大值跳过。
event_order_flag：整改记录顺序存疑的问题、原因与变得可见的时刻（规则只写在 queries/_event_order_rules.sql）。

problem_state_interval：每条问题、每个“状态不变的时段”一行——从某一时刻的最后一个整改事件起（含），
到该问题下一个事件时刻止（不含；最后一段止于 infinity）；第一个事件之前另有一段（-infinity 起，没有动作 = 待交办），
所以任何时刻每条问题恰好落在一段里；带这一时段的最后动作、最后事件时间、最后销号时间、
首次交办时间、累计退回与反弹重开次数，以及问题本身的属性（期限、镇街、牵头单位、点位、类别、来源、轮次、严重程度、经纬度）：
查状态不再连接问题表。同一时刻的几个事件按编号排序，只留该时刻最后一个之后的状态。
分两块存放（迁移 005）：在办的时段按（止点，发现时间）排序，已销号的时段按 active_from（= greatest(起点, 发现时间)）排序。
看某一时刻在办的问题，止点更早的行组整块跳过；统计区间里“有事”的已销号问题，起点更早的行组整块跳过；
按发现时间取一段（问题热点）时两块都能跳过。所以一次查找读到的大致只是答案本身（1,000 万条问题时约快 10 倍，见 benchmarks/bench_pages.py）。

rectify_event_by_time：整改事件按（时间，编号）排序的副本，带问题的镇街、牵头单位与轮次：按区间数事件（红黑榜的退回、反弹，
总览的每周销号）只读那一段的行组，也不必再与问题表核对筛选。

事件日志仍是唯一的事实来源（rectify_event），这张表每次发布（chuangwen.store.publishing）、每次生成新库
（dbfile.build_new）时整表重建；重建的 SQL 在 queries/derived/，问题状态的口径是 queries/macros/problem_state.sql 里的宏
（参照：problem_state_as_of，按事件日志聚合；测试与基准用 tests/reference.py 把查询改写成参照写法，逐字段核对两者一致）。
"""

from __future__ import annotations

import duckdb

from chuangwen import queries


def _script(name: str) -> str:
    return (queries.QUERY_DIR / "derived" / f"{name}.sql").read_text(encoding="utf-8")


def flags_sql() -> str:
    """按 queries/_event_order_rules.sql（记录顺序规则的唯一定义）算出全部标记的 SQL。"""
    rules = queries.QUERY_DIR / "_event_order_rules.sql"
    return (
        f"with\n{rules.read_text(encoding='utf-8')}\n_end as (select 1)\n"
        "select problem_code, reason, flag_at, found_at, lead_unit_code, township_code, round_code, event_times "
        "from event_order_flags"
    )


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """按当前事件日志整表重建派生表（在调用方的事务或发布里执行）。"""
    con.execute(_script("problem_state"))
    con.execute("delete from event_order_flag")
    con.execute(f"insert into event_order_flag {flags_sql()} order by flag_at, problem_code")
    con.execute(_script("rebound_link"))
