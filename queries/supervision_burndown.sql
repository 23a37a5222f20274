-- name: supervision_burndown
-- 用途: 整改督办的在办问题走势：统计时刻前 8 周每天同一时刻的在办问题数与逾期数（按状态时段回放，与 problem_state_at 同一规则）
-- params: $as_of TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $involved_unit VARCHAR
-- 指标: 在办问题（走势） | 口径: 每个时点 t：已发现（发现时间 ≤ t）、且 t 之前最后一个整改事件（按事件时间、编号排序）不是“已销号”的问题数 | 分母: —
-- 指标: 逾期（走势） | 口径: 每个时点 t 的在办问题中，整改期限早于 t 的问题数 | 分母: —
with points as (
    select d as days_back, $as_of - to_days(d::integer) as t
    from range(0, 57) r(d)
),
-- 时点 t_d = 统计时刻 − d 天（d = 0…56）在办的问题 = 包含 t_d 的在办时段（派生表 problem_state_interval 的在办块），
-- 且问题在 t_d 已发现：即 active_from（= greatest(段起点, 发现时间)）≤ t_d < 段止点。每段换算成 d 的范围：
--   t_d < 止点 ⇔ d ≥ ⌊(统计时刻 − 止点) ÷ 1 天⌋ + 1（止点在统计时刻之后：d ≥ 0）；
--   active_from ≤ t_d ⇔ d ≤ ⌊(统计时刻 − active_from) ÷ 1 天⌋；
--   期限 < t_d ⇔ d ≤ ⌈(统计时刻 − 期限) ÷ 1 天⌉ − 1（没有期限：永不逾期）。
-- 按这三个数分组计数，57 个时点各自求和：只读与这 8 周重叠的在办时段（止点早于窗口的行组整块跳过）。
open_groups as (
    select case when valid_to > $as_of then 0 else floor(epoch($as_of - valid_to) / 86400)::integer + 1 end as d_min,
           least(56, floor(epoch($as_of - active_from) / 86400)::integer) as d_max,
           case when deadline is null then -1
                else least(56, ceil(epoch($as_of - deadline) / 86400)::integer - 1) end as d_late,
           count(*) as n
    from problem_state_interval i
    where not i.is_closed
      and i.valid_to > $as_of - to_days(56) and i.active_from <= $as_of
      and involves_unit($scope_unit, i.lead_unit_code, i.problem_code)
      and involves_unit($involved_unit, i.lead_unit_code, i.problem_code)
      and ($township is null or i.township_code = $township)
      and ($unit is null or i.lead_unit_code = $unit)
      and ($round is null or i.round_code = $round)
    group by all
)
select pt.t as at,
       coalesce(sum(g.n) filter (where pt.days_back between g.d_min and g.d_max), 0)::bigint as open_problems,
       coalesce(sum(g.n) filter (where pt.days_back between g.d_min and least(g.d_max, g.d_late)), 0)::bigint as overdue
from points pt
left join open_groups g on pt.days_back between g.d_min and g.d_max
group by pt.t
order by pt.t
