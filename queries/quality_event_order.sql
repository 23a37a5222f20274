-- name: quality_event_order
-- 用途: 数据质量：整改记录顺序不可能的问题（销号早于交办、未经反弹重开的第二次销号、整改事件早于发现时间），按统计时刻回放；这些问题从红黑榜比率中排除，不做任何自动修正
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 记录顺序存疑 | 口径: 截至统计时刻已发现、且截至该时刻的整改事件（按事件时间、编号排序）出现以下任一情况的问题：已销号之前没有交办；一次已销号之后未经反弹重开又出现已销号；事件时间早于问题发现时间 | 分母: —
with
-- include: _event_order_flags.sql  （整改记录顺序存疑的标记：发布时按规则派生）
flagged as (
    select problem_code,
           string_agg(reason, '；' order by flag_at, reason) as reasons,
           min(flag_at) as first_flag_at
    from event_order_flags
    where flag_at <= $as_of
    group by problem_code
)
select f.problem_code,
       p.found_at,
       f.reasons,
       f.first_flag_at,
       p.lead_unit_code,
       u.name as lead_unit,
       r.name as township,
       (select count(*) from rectify_event e where e.problem_code = f.problem_code and e.event_at <= $as_of) as events
from flagged f
join problem p on p.code = f.problem_code
join unit u on u.code = p.lead_unit_code
left join region r on r.code = p.township_code
where p.found_at <= $as_of
  and ($scope_unit is null
       or p.lead_unit_code = $scope_unit
       or exists (select 1 from problem_coop_unit c where c.problem_code = f.problem_code and c.unit_code = $scope_unit))
order by p.found_at, f.problem_code
