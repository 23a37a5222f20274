"""参照写法（只给测试与基准用，不随产品发布）：把一个命名查询改写成不读派生表的样子——状态按整改事件日志聚合
（宏 problem_state_as_of），记录顺序标记按规则现算，反弹按统计时刻现算，事件副本换回事件表连问题表。
两种写法在同一库上逐行相同，才说明派生表与查找宏没有改变口径。"""

from __future__ import annotations

import re

from chuangwen import queries

# 事件副本的定义（参照写法把查询里的 rectify_event_by_time 换回它）
EVENTS_BY_TIME_REFERENCE = (
    "(select e.id, e.problem_code, e.event_at, e.action, p.township_code, p.lead_unit_code, "
    "p.round_code from rectify_event e join problem p on p.code = e.problem_code)"
)


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


def reference_sql(sql: str) -> str:
    """同一查询的参照写法：状态按事件日志聚合（problem_state_as_of），记录顺序标记按规则现算，不读派生表。"""
    derived_flags = (queries.QUERY_DIR / "_event_order_flags.sql").read_text(encoding="utf-8").rstrip("\n")
    rules = (queries.QUERY_DIR / "_event_order_rules.sql").read_text(encoding="utf-8").rstrip("\n")
    # “有事”的问题（problem_state_active(起点, 时刻)）的参照是全部问题：其余问题与各项计数无关，结果应当相同
    sql = _rewrite_calls(sql, "problem_state_active(", lambda start, at: f"problem_state_as_of({at})")
    # 某时刻后发现的问题：全部问题再按发现时间筛（派生写法把这个条件放在宏的第一个参数里）
    sql = _rewrite_calls(
        sql,
        "problem_state_found_after(",
        lambda after, at: f"(select * from problem_state_as_of({at}) where found_at > ({after}))",
    )
    # 在办的问题（problem_state_open(时刻)）：参照是全部问题，用它的查询都再筛“未销号”
    sql = sql.replace("problem_state_open(", "problem_state_as_of(")
    sql = re.sub(r"\brectify_event_by_time\b", EVENTS_BY_TIME_REFERENCE, sql)
    sql = _REBOUND_BLOCK.sub(lambda _: _REBOUND_REFERENCE, sql)
    return sql.replace("problem_state_at(", "problem_state_as_of(").replace(derived_flags, rules)


def _rewrite_calls(sql: str, call: str, replace) -> str:
    """把每个 call(甲, 乙) 换成 replace(甲, 乙) 的结果：甲、乙里可以有括号和逗号。"""
    out, pos = [], 0
    while (start := sql.find(call, pos)) >= 0:
        args, depth, i, arg_start = [], 0, start + len(call), start + len(call)
        while True:
            ch = sql[i]
            if ch == "(":
                depth += 1
            elif ch == ")" and depth > 0:
                depth -= 1
            elif ch in ",)" and depth == 0:
                args.append(sql[arg_start:i].strip())
                arg_start = i + 1
                if ch == ")":
                    break
            i += 1
        out.append(sql[pos:start] + replace(*args))
        pos = i + 1
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
