-- 片段（不是独立查询）：红黑榜·单位的计数、比率、综合得分与名次，按调用方给出的时点 checkpoints（period, p_start, p_end）逐个计算
-- [单位红黑榜·开始] 唯一定义，league_units（本期与上期）、league_unit_rank_trend（近 N 周）经 `-- include:` 引入；
-- 需要在它之前定义 checkpoints、每个时点“有事”的问题状态 state（period + problem_state_active 的列），并引入 _event_order_flags.sql；
-- 结果为 CTE ranked（每个时点 × 单位一行）
valid as (
    select s.*, c.p_start, c.p_end,
           f.problem_code is not null as is_flagged
    from state s
    join checkpoints c using (period)
    left join (select problem_code, min(flag_at) as flag_at from event_order_flags group by problem_code) f
        on f.problem_code = s.problem_code and f.flag_at <= c.p_end
    where ($township is null or s.township_code = $township)
      and ($round is null or s.round_code = $round)
),
period_events as (
    select c.period, e.problem_code,
           count(*) filter (where e.action = '反弹重开') as reopened,
           count(*) filter (where e.action = '退回') as rejected,
           count(*) filter (where e.action in ('已销号', '退回')) as reviewed
    from checkpoints c
    -- 按时间排序的事件副本：只读区间那一段的行组
    join rectify_event_by_time e on e.event_at > c.p_start and e.event_at <= c.p_end
    where e.action in ('反弹重开', '退回', '已销号')
    group by all
),
facts as (
    select v.period,
           v.lead_unit_code as unit_code,
           v.township_code,
           coalesce(v.assigned_at > v.p_start, false) as is_assigned,
           v.is_closed and v.closed_at > v.p_start as is_closed_in_period,
           v.is_closed and v.closed_at > v.p_start and not v.closed_late as is_closed_on_time,
           not v.is_closed as is_open,
           v.is_overdue,
           case when v.is_overdue then ceil(epoch(v.p_end - v.deadline) / 86400) end as days_overdue,
           case when v.is_closed and v.closed_at > v.p_start then epoch(v.closed_at - v.assigned_at) / 86400 end as days_to_close,
           coalesce(pe.reopened, 0) > 0 as is_reopened,
           coalesce(pe.rejected, 0) as rejected,
           coalesce(pe.reviewed, 0) as reviewed
    from valid v
    left join period_events pe on pe.period = v.period and pe.problem_code = v.problem_code
    where not v.is_flagged
),
flagged_counts as (
    -- 排除数按全部已发现的问题算（state 只含“有事”的问题，早已销号的存疑问题也要计入）
    select c.period, p.lead_unit_code as unit_code, count(*) as excluded
    from checkpoints c
    join (select problem_code, min(flag_at) as flag_at from event_order_flags group by problem_code) f on f.flag_at <= c.p_end
    join problem p on p.code = f.problem_code and p.found_at <= c.p_end
    where ($township is null or p.township_code = $township)
      and ($round is null or p.round_code = $round)
    group by all
),
per_unit as (
    select period, unit_code,
           count(*) filter (where is_assigned or is_closed_in_period or is_open) as sample,
           count(*) filter (where is_assigned) as assigned,
           count(*) filter (where is_closed_in_period) as closed,
           count(*) filter (where is_closed_on_time) as closed_on_time,
           count(*) filter (where is_open) as open_now,
           count(*) filter (where is_overdue) as overdue,
           count(*) filter (where days_overdue <= 7) as overdue_1_7,
           count(*) filter (where days_overdue > 7 and days_overdue <= 30) as overdue_8_30,
           count(*) filter (where days_overdue > 30) as overdue_over_30,
           avg(days_to_close) as avg_days_to_close,
           count(*) filter (where is_reopened) as reopened,
           sum(rejected)::bigint as rejected,
           sum(reviewed)::bigint as reviewed
    from facts
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
           pu.avg_days_to_close,
           coalesce(pu.reopened, 0) as reopened,
           coalesce(pu.rejected, 0) as rejected,
           coalesce(pu.reviewed, 0) as reviewed,
           coalesce(pt.points_lost, 0) as points_lost,
           coalesce(fc.excluded, 0) as excluded
    from checkpoints c
    cross join unit u
    left join per_unit pu on pu.period = c.period and pu.unit_code = u.code
    left join points pt on pt.period = c.period and pt.unit_code = u.code
    left join flagged_counts fc on fc.period = c.period and fc.unit_code = u.code
),
-- include: _league_score.sql  （比率与综合得分，单位与镇街同一公式）
ranked as (
    select *,
           case when score is not null then rank() over (partition by period, kind, score is null order by score desc) end as rank,
           case when score is not null then rank() over (partition by period, kind, score is null order by score asc) end as rank_from_bottom,
           count(score) over (partition by period, kind) as ranked_count
    from scored
)
-- [单位红黑榜·结束]
