-- name: supervision_export_problems
-- 用途: 问题台账导出（命令行 chuangwen export problems）：截至统计时刻已发现的每条问题一行，含销号时间、当前状态与是否逾期（均按统计时刻回放事件日志）
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 是否逾期 | 口径: 截至统计时刻未销号且整改期限早于统计时刻为“逾期”；已销号且销号时间晚于整改期限为“逾期销号”；其余（含没有整改期限的）为“否” | 分母: —
-- 指标: 销号时间 | 口径: 截至统计时刻处于已销号状态时，最后一次“已销号”事件的时间；未销号为空 | 分母: —
select s.problem_code,
       s.found_at,
       s.deadline,
       s.closed_at,
       s.status,
       case when s.is_overdue then '逾期' when s.closed_late then '逾期销号' else '否' end as overdue_flag
from problem_state_at($as_of) s
where involves_unit($scope_unit, s.lead_unit_code, s.problem_code)
order by s.found_at, s.problem_code
