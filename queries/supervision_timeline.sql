-- name: supervision_timeline
-- 用途: 一条问题截至统计时刻的完整整改时间线（事件按时间、编号排序，含经办单位与备注）
-- params: $problem_code VARCHAR, $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 整改时间线 | 口径: 该问题事件时间不晚于统计时刻的全部整改事件，按 (事件时间, 事件编号) 排序；“已销号”之后的“反弹重开”表示问题重新打开 | 分母: —
select e.id as event_id,
       e.event_at,
       e.action,
       u.name as unit,
       coalesce(e.note, '') as note
from rectify_event e
join problem p on p.code = e.problem_code
left join unit u on u.code = e.unit_code
where e.problem_code = $problem_code
  and e.event_at <= $as_of
  and p.found_at <= $as_of
  and involves_unit($scope_unit, p.lead_unit_code, p.code)
order by e.event_at, e.id
