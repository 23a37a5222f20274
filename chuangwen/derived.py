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
（dbfile.build_new）时整表重建；问题状态的口径见迁移里的宏 problem_state_at（参照：problem_state_as_of，测试逐字段核对两者一致）。
"""

from __future__ import annotations

import re

import duckdb

REBUILD = """
delete from problem_state_interval;
insert into problem_state_interval
with running as (
    select problem_code, event_at, action,
           row_number() over (partition by problem_code, event_at order by id desc) = 1 as last_at_moment,
           max(event_at) filter (where action = '已销号') over upto as last_closed_at,
           min(event_at) filter (where action = '交办') over upto as assigned_at,
           count(*) filter (where action = '退回') over upto as rejected_count,
           count(*) filter (where action = '反弹重开') over upto as reopened_count
    from rectify_event
    window upto as (partition by problem_code order by event_at, id rows between unbounded preceding and current row)
),
after_events as (
    select problem_code,
           event_at as valid_from,
           coalesce(lead(event_at) over (partition by problem_code order by event_at), 'infinity'::timestamp) as valid_to,
           action as last_action,
           event_at as last_event_at,
           last_closed_at,
           assigned_at,
           rejected_count,
           reopened_count
    from running
    where last_at_moment
),
before_events as (
    -- 第一个事件之前（没有事件的问题：一直）也是一段：没有动作（待交办）
    select p.code as problem_code, '-infinity'::timestamp as valid_from,
           coalesce(min(e.event_at), 'infinity'::timestamp) as valid_to,
           null as last_action, null as last_event_at, null as last_closed_at, null as assigned_at,
           0 as rejected_count, 0 as reopened_count
    from problem p
    left join rectify_event e on e.problem_code = p.code
    group by p.code
),
segments as (
    select t.*, p.found_at, p.deadline, p.township_code, p.lead_unit_code, p.site_code, p.category, p.source,
           p.round_code, p.severity, p.lon, p.lat,
           coalesce(t.last_action = '已销号', false) as is_closed,
           greatest(t.valid_from, p.found_at) as active_from
    from (select * from after_events union all select * from before_events) t
    join problem p on p.code = t.problem_code
)
select * from segments
-- 在办块按（止点，发现时间），已销号块按（active_from，发现时间）：见迁移 005 的说明
order by is_closed, case when is_closed then active_from else valid_to end, found_at, problem_code;

delete from rectify_event_by_time;
insert into rectify_event_by_time
select e.id, e.problem_code, e.event_at, e.action, p.township_code, p.lead_unit_code, p.round_code
from rectify_event e
join problem p on p.code = e.problem_code
order by e.event_at, e.id;
"""

# 事件副本的定义（参照写法把查询里的 rectify_event_by_time 换回它）
EVENTS_BY_TIME_REFERENCE = (
    "(select e.id, e.problem_code, e.event_at, e.action, p.township_code, p.lead_unit_code, "
    "p.round_code from rectify_event e join problem p on p.code = e.problem_code)"
)


REBOUND = """
delete from rebound_link;
insert into rebound_link
with closures as (
    select e.problem_code, p.site_code, p.category, e.event_at as closed_at
    from rectify_event e
    join problem p on p.code = e.problem_code
    where e.action = '已销号'
),
site_closures as (
    -- 同一点位同一类别同一时刻销号的几条问题只留编号最大的一条：“之前最近的一次销号”有并列时结果也是确定的
    select site_code, category, closed_at, max(problem_code) as problem_code
    from closures
    group by all
)
select '再次发现', q.code, c.problem_code, c.closed_at, q.found_at
from problem q
asof join site_closures c on c.site_code = q.site_code and c.category = q.category and q.found_at > c.closed_at
union all
select '反弹重开', r.problem_code, c.problem_code, c.closed_at, r.event_at
from rectify_event r
asof join closures c on c.problem_code = r.problem_code and r.event_at > c.closed_at
where r.action = '反弹重开'
order by 1, 5, 2;
"""

# 改成查表之前问题热点的反弹写法（按统计时刻现算）：参照写法用它核对 rebound_link 的口径
_REBOUND_REFERENCE = """closures as (
    select e.problem_code, p.site_code, p.category, e.event_at as closed_at
    from rectify_event e
    join problem p on p.code = e.problem_code
    where e.action = '已销号' and e.event_at <= $as_of
),
site_closures as (
    select site_code, category, closed_at, max(problem_code) as problem_code
    from closures
    group by all
),
came_back as (
    select q.problem_code, c.problem_code as after_problem, c.closed_at as after_closed_at
    from state q
    asof join site_closures c on c.site_code = q.site_code and c.category = q.category and q.found_at > c.closed_at
    where q.found_at <= c.closed_at + to_days($rebound_days)
),
reopened as (
    select r.problem_code, any_value(c.problem_code) as after_problem, max(c.closed_at) as after_closed_at
    from rectify_event r
    asof join closures c on c.problem_code = r.problem_code and r.event_at > c.closed_at
    where r.action = '反弹重开' and r.event_at <= $as_of and r.event_at <= c.closed_at + to_days($rebound_days)
    group by r.problem_code
),
"""
_REBOUND_BLOCK = re.compile(r"-- \[反弹·派生\].*?-- \[反弹·派生·结束\]\n", re.S)


def flags_sql() -> str:
    """按 queries/_event_order_rules.sql（记录顺序规则的唯一定义）算出全部标记的 SQL。"""
    from chuangwen import queries

    rules = queries.QUERY_DIR / "_event_order_rules.sql"
    return (
        f"with\n{rules.read_text(encoding='utf-8')}\n_end as (select 1)\n"
        "select problem_code, reason, flag_at, found_at, lead_unit_code, township_code, round_code, event_times "
        "from event_order_flags"
    )


def reference_sql(sql: str) -> str:
    """同一查询的参照写法（测试与基准用）：状态按事件日志聚合（problem_state_as_of），记录顺序标记按规则现算，不读派生表。"""
    from chuangwen import queries

    derived_flags = (queries.QUERY_DIR / "_event_order_flags.sql").read_text(encoding="utf-8").rstrip("\n")
    rules = (queries.QUERY_DIR / "_event_order_rules.sql").read_text(encoding="utf-8").rstrip("\n")
    # “有事”的问题（problem_state_active(起点, 时刻)）的参照是全部问题：其余问题与各项计数无关，结果应当相同
    sql = _drop_first_argument(sql, "problem_state_active(", "problem_state_as_of(")
    sql = _drop_first_argument(sql, "problem_state_found_after(", "problem_state_as_of(")
    # 在办的问题（problem_state_open(时刻)）：参照是全部问题，用它的查询都再筛“未销号”
    sql = sql.replace("problem_state_open(", "problem_state_as_of(")
    sql = re.sub(r"\brectify_event_by_time\b", EVENTS_BY_TIME_REFERENCE, sql)
    sql = _REBOUND_BLOCK.sub(lambda _: _REBOUND_REFERENCE, sql)
    return sql.replace("problem_state_at(", "problem_state_as_of(").replace(derived_flags, rules)


def _drop_first_argument(sql: str, call: str, replacement: str) -> str:
    """把 call(甲, 乙) 改写成 replacement(乙)：甲里可以有括号和逗号。"""
    out, pos = [], 0
    while (start := sql.find(call, pos)) >= 0:
        depth, i = 0, start + len(call)
        while depth > 0 or sql[i] != ",":
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        out.append(sql[pos:start] + replacement)
        pos = i + 1
        while sql[pos] == " ":
            pos += 1
    return "".join(out) + sql[pos:]


def uses_derived(sql: str) -> bool:
    return any(
        k in sql
        for k in (
            "problem_state_at(",
            "problem_state_active(",
            "problem_state_found_after(",
            "problem_state_open(",
            "    from event_order_flag\n",
            "rebound_link",
            "rectify_event_by_time",
        )
    )


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """按当前事件日志整表重建派生表（在调用方的事务或发布里执行）。"""
    con.execute(REBUILD)
    con.execute("delete from event_order_flag")
    con.execute(f"insert into event_order_flag {flags_sql()} order by flag_at, problem_code")
    con.execute(REBOUND)
