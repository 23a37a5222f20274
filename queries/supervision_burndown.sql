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
-- 每条问题：从第几个时点（d 天前）起已发现、从第几个时点起已过期限（时点 t_d = 统计时刻 − d 天，d = 0…56）。
-- 发现时间 ≤ t_d ⇔ d ≤ ⌊(统计时刻 − 发现时间) ÷ 1 天⌋；期限 < t_d ⇔ d ≤ ⌈(统计时刻 − 期限) ÷ 1 天⌉ − 1（没有期限：永不）。
-- 按这两个数分组计数，57 个时点各自求和：不必把每条问题和每个时点配对（100 万条问题时那是 5,700 万行）。
marks as (
    select code,
           least(56, floor(epoch($as_of - found_at) / 86400))::integer as d_found,
           case when deadline is null then -1
                else least(56, ceil(epoch($as_of - deadline) / 86400)::integer - 1) end as d_late
    from scoped
),
found_groups as (
    select d_found, least(d_found, d_late) as d_found_late, count(*) as n
    from marks
    group by all
),
-- 已销号的状态时段（派生表 problem_state_interval：每段从某时刻最后一个事件起、到下一个事件时刻止）：
-- t_d 在段内 ⇔ 段起点 ≤ t_d < 段止点 ⇔ d_min ≤ d ≤ d_max
closed_groups as (
    select case when i.valid_to > $as_of then 0 else floor(epoch($as_of - i.valid_to) / 86400)::integer + 1 end as d_min,
           -- 还没发现的问题不算（事件早于发现时间的记录：销号在前、发现在后）
           least(56, floor(epoch($as_of - i.valid_from) / 86400)::integer, m.d_found) as d_max,
           m.d_late,
           count(*) as n
    from problem_state_interval i
    join marks m on m.code = i.problem_code
    where i.last_action = '已销号' and i.valid_from <= $as_of
    group by all
),
closed_at_point as (
    select pt.days_back,
           sum(g.n) filter (where pt.days_back between g.d_min and g.d_max) as closed,
           sum(g.n) filter (where pt.days_back between g.d_min and least(g.d_max, g.d_late)) as closed_past_deadline
    from points pt
    cross join closed_groups g
    group by pt.days_back
),
found_at_point as (
    select pt.days_back,
           coalesce(sum(g.n) filter (where pt.days_back <= g.d_found), 0) as found,
           coalesce(sum(g.n) filter (where pt.days_back <= g.d_found_late), 0) as found_past_deadline
    from points pt
    left join found_groups g on true
    group by pt.days_back
)
select pt.t as at,
       (f.found - coalesce(c.closed, 0))::bigint as open_problems,
       (f.found_past_deadline - coalesce(c.closed_past_deadline, 0))::bigint as overdue
from points pt
join found_at_point f using (days_back)
left join closed_at_point c using (days_back)
order by pt.t
