-- name: overview_problem_summary
-- 用途: 总览页问题指标：全县合计、按镇街、按牵头单位三组（同一口径，分组之和可与合计核对）
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR
-- 指标: 在办问题（存量） | 口径: 截至统计时刻已发现、最后一个整改事件不是“已销号”的问题（含待交办、已交办、整改中、申请销号、退回整改、反弹重开） | 分母: —
-- 指标: 逾期（存量） | 口径: 截至统计时刻未销号且整改期限早于统计时刻的问题（不论何时发现）；没有整改期限的问题不计逾期 | 分母: —
-- 指标: 本周新增 | 口径: 发现时间在统计时刻前 7 天内（不含起点、含统计时刻）的问题 | 分母: —
-- 指标: 本周销号 | 口径: 截至统计时刻仍为已销号、且最后一次销号在统计时刻前 7 天内的问题 | 分母: —
-- 指标: 最差镇街/单位 | 口径: 按“逾期（存量）”从多到少排名，相同时再按“本周新增”从多到少，仍相同则并列（竞争排名） | 分母: —
-- 指标: 按期销号率（区间内） | 口径: 统计区间内销号（截至时仍为已销号）的问题中，销号时间不晚于整改期限的比例；无期限视为按期 | 分母: 统计区间内销号的问题数
with stock as (
    -- 已发现的问题总数（存量，与状态无关）：直接数问题表
    select case
               when grouping(township_code) = 0 then '镇街'
               when grouping(lead_unit_code) = 0 then '单位'
               else '合计'
           end as grouping_kind,
           coalesce(township_code, lead_unit_code) as code,
           count(*) as problems
    from problem p
    where p.found_at <= $as_of
      and involves_unit($scope_unit, p.lead_unit_code, p.code)
      and ($township is null or p.township_code = $township)
      and ($unit is null or p.lead_unit_code = $unit)
      and ($round is null or p.round_code = $round)
    group by grouping sets ((), (township_code), (lead_unit_code))
),
scoped as (
    -- 其余各项只与“有事”的问题有关：在办的、统计区间或近 7 天里状态变过或发现的
    select s.*
    from problem_state_active(least($period_start, $as_of - interval 7 day), $as_of) s
    where involves_unit($scope_unit, s.lead_unit_code, s.problem_code)
      and ($township is null or s.township_code = $township)
      and ($unit is null or s.lead_unit_code = $unit)
      and ($round is null or s.round_code = $round)
),
flagged as (
    select township_code,
           lead_unit_code,
           not is_closed as is_open,
           is_overdue,
           found_at > $as_of - interval 7 day as is_new_this_week,
           is_closed and closed_at > $as_of - interval 7 day as is_closed_this_week,
           is_closed and closed_at > $period_start as is_closed_in_period,
           is_closed and closed_at > $period_start and not closed_late as is_closed_on_time_in_period
    from scoped
),
active_summary as (
    select case
               when grouping(township_code) = 0 then '镇街'
               when grouping(lead_unit_code) = 0 then '单位'
               else '合计'
           end as grouping_kind,
           coalesce(township_code, lead_unit_code) as code,
           count(*) filter (where is_open) as open_now,
           count(*) filter (where is_overdue) as overdue_now,
           count(*) filter (where is_new_this_week) as new_this_week,
           count(*) filter (where is_closed_this_week) as closed_this_week,
           count(*) filter (where is_closed_in_period) as closed_in_period,
           count(*) filter (where is_closed_on_time_in_period) as closed_on_time_in_period
    from flagged
    group by grouping sets ((), (township_code), (lead_unit_code))
),
summary as (
    select st.grouping_kind, st.code, st.problems,
           coalesce(a.open_now, 0) as open_now,
           coalesce(a.overdue_now, 0) as overdue_now,
           coalesce(a.new_this_week, 0) as new_this_week,
           coalesce(a.closed_this_week, 0) as closed_this_week,
           coalesce(a.closed_in_period, 0) as closed_in_period,
           coalesce(a.closed_on_time_in_period, 0) as closed_on_time_in_period
    from stock st
    left join active_summary a on a.grouping_kind = st.grouping_kind and a.code is not distinct from st.code
)
select s.grouping_kind,
       s.code,
       coalesce(r.name, u.name, '全县') as name,
       s.problems,
       s.open_now,
       s.overdue_now,
       s.new_this_week,
       s.closed_this_week,
       s.closed_in_period,
       s.closed_on_time_in_period,
       rank() over (partition by s.grouping_kind order by s.overdue_now desc, s.new_this_week desc) as worst_rank
from summary s
left join region r on s.grouping_kind = '镇街' and r.code = s.code
left join unit u on s.grouping_kind = '单位' and u.code = s.code
order by s.grouping_kind, worst_rank, s.code
