-- name: quality_event_order
-- 用途: 数据质量：整改记录顺序不可能的问题（销号早于交办、未经反弹重开的第二次销号、整改事件早于发现时间），按统计时刻回放；这些问题从红黑榜比率中排除，不做任何自动修正
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 记录顺序存疑 | 口径: 截至统计时刻已发现、且截至该时刻的整改事件（按事件时间、编号排序）出现以下任一情况的问题：已销号之前没有交办；一次已销号之后未经反弹重开又出现已销号；事件时间早于问题发现时间 | 分母: —
with
-- include: _event_order_flags.sql  （整改记录顺序存疑的标记：发布时按规则派生）
flagged as (
    -- 标记表带着问题的发现时间、牵头单位、镇街与全部事件时刻：不必再读问题表和整个事件日志
    select problem_code,
           string_agg(reason, '；' order by flag_at, reason) as reasons,
           min(flag_at) as first_flag_at,
           any_value(found_at) as found_at,
           any_value(lead_unit_code) as lead_unit_code,
           any_value(township_code) as township_code,
           len(list_filter(any_value(event_times), lambda t: t <= $as_of)) as events
    from event_order_flags
    where flag_at <= $as_of
    group by problem_code
)
select f.problem_code,
       f.found_at,
       f.reasons,
       f.first_flag_at,
       f.lead_unit_code,
       u.name as lead_unit,
       r.name as township,
       f.events
from flagged f
join unit u on u.code = f.lead_unit_code
left join region r on r.code = f.township_code
where f.found_at <= $as_of
  and involves_unit($scope_unit, f.lead_unit_code, f.problem_code)
order by f.found_at, f.problem_code
