-- name: league_unit_rank_trend
-- 用途: 红黑榜·单位下钻的名次走势：统计时刻及之前每隔 $step 一个时点（共 $points 个），每个时点按它之前的 $step 统计的名次与综合得分，一次算完；
--       $step 取红黑榜所选区间的长度（按周 7 天、按月 30 天、侧栏区间的长度），所以最后一个时点就是榜上的名次
-- params: $as_of TIMESTAMP, $points INTEGER, $step INTERVAL, $unit_code VARCHAR, $township VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $min_sample INTEGER, $prior DOUBLE, $red_max_overdue_rate DOUBLE, $w_on_time DOUBLE, $w_overdue DOUBLE, $w_rebound DOUBLE, $w_reject DOUBLE, $w_points DOUBLE
-- 指标: 名次走势 | 口径: 每个时点按它之前与红黑榜所选区间等长的一段（不含起点、含该时点）统计，与红黑榜同一口径（条、块分别排名，样本不足的不排名）；最后一个时点即榜上名次 | 分母: 该时点该类有名次的单位数
with checkpoints as (
    -- 第 k 个时点 = 统计时刻 − k × 区间天数，区间为它之前的同样天数
    select k as period, $as_of - $step * (k + 1) as p_start, $as_of - $step * k as p_end
    from range(0, $points) t(k)
),
-- include: _event_order_flags.sql  （整改记录顺序存疑的标记：发布时按规则派生）
state as (
    select c.period, s.* from checkpoints c, lateral problem_state_active(c.p_start, c.p_end) s
),
-- include: _league_counts.sql  （计数：单位、镇街共用，只写在这一处）
-- include: _league_unit_board.sql  （计数、得分与名次，只写在这一处）
select c.p_end as week_end,
       r.rank,
       r.ranked_count,
       r.score,
       r.enough_sample
from ranked r
join checkpoints c using (period)
where r.unit_code = $unit_code
  and ($scope_unit is null or r.unit_code = $scope_unit)
order by week_end
