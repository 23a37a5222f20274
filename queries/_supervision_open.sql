-- 片段（不是独立查询）：整改督办的在办问题与台账筛选，结果为 CTE open_problems（problem_state_open 的列）
-- [在办台账·开始] 唯一定义，supervision_ledger（台账行）与 supervision_ledger_summary（计数）经 `-- include:` 引入
open_state as (
    -- “7天内到期”与“逾期天数”只在这里算（台账的列、计数、只看 7 天内到期的筛选都用它们）
    select s.*,
           coalesce(s.deadline > $as_of and s.deadline <= $as_of + interval 7 day, false) as due_this_week,
           case when s.is_overdue then ceil(epoch($as_of - s.deadline) / 86400)::integer end as days_overdue
    from problem_state_open($as_of) s
    where not s.is_closed
      and involves_unit($scope_unit, s.lead_unit_code, s.problem_code)
      and involves_unit($involved_unit, s.lead_unit_code, s.problem_code)
      and ($township is null or s.township_code = $township)
      and ($unit is null or s.lead_unit_code = $unit)
      and ($round is null or s.round_code = $round)
      and ($status is null or s.status = $status)
      and (not $overdue_only or s.is_overdue)
),
open_problems as (
    select * from open_state where not $due_this_week_only or due_this_week
),
-- [在办台账·结束]
