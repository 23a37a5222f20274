-- name: supervision_burndown
-- 用途: 整改督办燃尽图：统计时刻前 8 周每天同一时刻的在办问题数与逾期数（按状态时段回放，与 problem_state_at 同一规则）
-- params: $as_of TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $involved_unit VARCHAR
-- 指标: 在办问题（燃尽） | 口径: 每个时点 t：已发现（发现时间 ≤ t）、且 t 之前最后一个整改事件（按事件时间、编号排序）不是“已销号”的问题数 | 分母: —
-- 指标: 逾期（燃尽） | 口径: 每个时点 t 的在办问题中，整改期限早于 t 的问题数 | 分母: —
with points as (
    select d as days_back, $as_of - to_days(d::integer) as t
    from range(0, 57) r(d)
),
scoped as (
    select p.code, p.found_at, p.deadline
    from problem p
    where p.found_at <= $as_of
      and ($scope_unit is null
           or p.lead_unit_code = $scope_unit
           or exists (select 1 from problem_coop_unit c where c.problem_code = p.code and c.unit_code = $scope_unit))
      and ($involved_unit is null
           or p.lead_unit_code = $involved_unit
           or exists (select 1 from problem_coop_unit c where c.problem_code = p.code and c.unit_code = $involved_unit))
      and ($township is null or p.township_code = $township)
      and ($unit is null or p.lead_unit_code = $unit)
      and ($round is null or p.round_code = $round)
),
-- 已销号的状态时段（派生表 problem_state_interval：每段从某时刻最后一个事件起、到下一个事件时刻止）：t 落在段内即 t 时已销号
closed_spans as (
    select i.problem_code, s.deadline, i.valid_from as span_start, i.valid_to as span_end
    from problem_state_interval i
    join scoped s on s.code = i.problem_code
    where i.last_action = '已销号' and i.valid_from <= $as_of
),
closed_at_point as (
    select pt.days_back,
           count(*) as closed,
           count(*) filter (where cs.deadline is not null and cs.deadline < pt.t) as closed_past_deadline
    from points pt
    join closed_spans cs on cs.span_start <= pt.t and cs.span_end > pt.t
    group by pt.days_back
),
found_at_point as (
    select pt.days_back,
           count(s.code) as found,
           count(s.code) filter (where s.deadline is not null and s.deadline < pt.t) as found_past_deadline
    from points pt
    left join scoped s on s.found_at <= pt.t
    group by pt.days_back
)
select pt.t as at,
       f.found - coalesce(c.closed, 0) as open_problems,
       f.found_past_deadline - coalesce(c.closed_past_deadline, 0) as overdue
from points pt
join found_at_point f using (days_back)
left join closed_at_point c using (days_back)
order by pt.t
