-- 片段（不是独立查询）：红黑榜·单位的计数、比率、综合得分与名次，按调用方给出的时点 checkpoints（period, p_start, p_end）逐个计算
-- [单位红黑榜·开始] 唯一定义，league_units（本期与上期）、league_unit_rank_trend（近 N 周）经 `-- include:` 引入；
-- 需要在它之前定义 checkpoints（period, p_start, p_end）与计数 counts（_league_counts.sql 的结果：引入该片段，或读中间结果 league_counts）；
-- 结果为 CTE ranked（每个时点 × 单位一行）
per_unit as (
    select period, unit_code,
           sum(sample) as sample, sum(assigned) as assigned, sum(closed) as closed, sum(closed_on_time) as closed_on_time,
           sum(open_now) as open_now, sum(overdue) as overdue, sum(overdue_1_7) as overdue_1_7,
           sum(overdue_8_30) as overdue_8_30, sum(overdue_over_30) as overdue_over_30,
           sum(days_to_close_sum) as days_to_close_sum, sum(days_to_close_n) as days_to_close_n,
           sum(reopened) as reopened, sum(rejected) as rejected, sum(reviewed) as reviewed, sum(excluded) as excluded
    from counts
    where ($township is null or township_code = $township)
    group by all
),
points as (
    select c.period, du.unit_code, sum(d.points * du.share) as points_lost
    from checkpoints c
    join round r on r.end_date::timestamp > c.p_start and r.end_date::timestamp <= c.p_end
    join deduction d on d.round_code = r.code
    join deduction_unit du on du.deduction_id = d.id
    left join site st on st.code = d.site_code
    where ($round is null or r.code = $round)
      and ($township is null or st.township_code = $township)
    group by all
),
board as (
    select c.period, u.code as unit_code, u.name as unit_name, u.kind, u.sort_order,
           coalesce(pu.sample, 0) as sample,
           coalesce(pu.assigned, 0) as assigned,
           coalesce(pu.closed, 0) as closed,
           coalesce(pu.closed_on_time, 0) as closed_on_time,
           coalesce(pu.open_now, 0) as open_now,
           coalesce(pu.overdue, 0) as overdue,
           coalesce(pu.overdue_1_7, 0) as overdue_1_7,
           coalesce(pu.overdue_8_30, 0) as overdue_8_30,
           coalesce(pu.overdue_over_30, 0) as overdue_over_30,
           coalesce(pu.days_to_close_sum, 0) as days_to_close_sum,
           coalesce(pu.days_to_close_n, 0) as days_to_close_n,
           coalesce(pu.reopened, 0) as reopened,
           coalesce(pu.rejected, 0) as rejected,
           coalesce(pu.reviewed, 0) as reviewed,
           coalesce(pt.points_lost, 0) as points_lost,
           coalesce(pu.excluded, 0) as excluded
    from checkpoints c
    cross join unit u
    left join per_unit pu on pu.period = c.period and pu.unit_code = u.code
    left join points pt on pt.period = c.period and pt.unit_code = u.code
    ),
-- include: _league_score.sql  （比率与综合得分，单位与镇街同一公式）
-- include: _league_rank.sql  （名次、黑榜与红榜，单位与镇街同一规则）
-- [单位红黑榜·结束]
