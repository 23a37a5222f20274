-- name: league_counts
-- 用途: 红黑榜的计数（中间结果）：本期与上一等长区间 × 牵头单位 × 镇街的可加计数（口径见 _league_counts.sql）。单位榜与镇街榜（-- reads: league_counts）各自加总，一次页面运行里只算一次
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $round VARCHAR
with checkpoints as (
    -- 本期与上一等长期（终点 = 本期起点），两期同一口径
    select 'cur' as period, $period_start as p_start, $as_of as p_end
    union all
    select 'prev', $period_start - ($as_of - $period_start), $period_start
),
-- include: _event_order_flags.sql  （整改记录顺序存疑的标记：发布时按规则派生）
state as (
    -- 两期各取“有事”的问题（在办的、区间内状态变过的）：早已销号的问题与各项计数无关
    select 'cur' as period, s.* from problem_state_active($period_start, $as_of) s
    union all
    select 'prev', s.* from problem_state_active($period_start - ($as_of - $period_start), $period_start) s
),
-- include: _league_counts.sql  （计数：单位、镇街共用，只写在这一处）
rows_out as (select * from counts)
select * from rows_out
order by period, unit_code, township_code
