-- 片段（不是独立查询）：红黑榜的计数（单位、镇街共用），结果为 CTE counts：每个时点 × 牵头单位 × 镇街一行，各列都是可加的计数，
-- 单位红黑榜按牵头单位、镇街红黑榜按镇街再加总（一个问题只有一个牵头单位、一个镇街，所以加总不重复）。
-- [红黑榜计数·开始] 唯一定义，_league_unit_board.sql 与 league_townships 经 `-- include:` 引入；
-- 需要在它之前定义 checkpoints（period, p_start, p_end）、每个时点“有事”的问题状态 state（period + problem_state_active 的列），
-- 并引入 _event_order_flags.sql。记录顺序存疑的问题（截至该时点已可见）不计入，另计“排除”数。
flagged as (
    select problem_code, min(flag_at) as flag_at, any_value(found_at) as found_at,
           any_value(lead_unit_code) as lead_unit_code, any_value(township_code) as township_code,
           any_value(round_code) as round_code
    from event_order_flags
    group by problem_code
),
facts as (
    select s.period,
           s.lead_unit_code as unit_code,
           s.township_code,
           coalesce(s.assigned_at > c.p_start, false) as is_assigned,
           s.is_closed and s.closed_at > c.p_start as is_closed_in_period,
           s.is_closed and s.closed_at > c.p_start and not s.closed_late as is_closed_on_time,
           not s.is_closed as is_open,
           s.is_overdue,
           case when s.is_overdue then ceil(epoch(c.p_end - s.deadline) / 86400) end as days_overdue,
           case when s.is_closed and s.closed_at > c.p_start then epoch(s.closed_at - s.assigned_at) / 86400 end as days_to_close
    from state s
    join checkpoints c using (period)
    left join flagged f on f.problem_code = s.problem_code and f.flag_at <= c.p_end
    where f.problem_code is null
      and ($round is null or s.round_code = $round)
),
row_counts as (
    select period, unit_code, township_code,
           count(*) filter (where is_assigned or is_closed_in_period or is_open) as sample,
           count(*) filter (where is_assigned) as assigned,
           count(*) filter (where is_closed_in_period) as closed,
           count(*) filter (where is_closed_on_time) as closed_on_time,
           count(*) filter (where is_open) as open_now,
           count(*) filter (where is_overdue) as overdue,
           count(*) filter (where days_overdue <= 7) as overdue_1_7,
           count(*) filter (where days_overdue > 7 and days_overdue <= 30) as overdue_8_30,
           count(*) filter (where days_overdue > 30) as overdue_over_30,
           sum(days_to_close) as days_to_close_sum,
           count(days_to_close) as days_to_close_n
    from facts
    group by all
),
event_counts as (
    -- 区间内的反弹重开（问题数）、退回与审核（已销号 + 退回，次数）：直接数按时间排序的事件副本（带问题的牵头单位与镇街），
    -- 只读这一段。区间内有事件的问题截至时点必在“有事”的问题里（事件早于发现时间的已标为存疑、不计），所以与逐条问题数的相同
    select c.period, e.lead_unit_code as unit_code, e.township_code,
           count(distinct e.problem_code) filter (where e.action = '反弹重开') as reopened,
           count(*) filter (where e.action = '退回') as rejected,
           count(*) filter (where e.action in ('已销号', '退回')) as reviewed
    from checkpoints c
    join rectify_event_by_time e on e.event_at > c.p_start and e.event_at <= c.p_end
    left join flagged f on f.problem_code = e.problem_code and f.flag_at <= c.p_end
    where e.action in ('反弹重开', '退回', '已销号')
      and f.problem_code is null
      and ($round is null or e.round_code = $round)
    group by all
),
excluded_counts as (
    -- 排除数按全部已发现的问题算（state 只含“有事”的问题，早已销号的存疑问题也要计入）
    select c.period, f.lead_unit_code as unit_code, f.township_code, count(*) as excluded
    from checkpoints c
    join flagged f on f.flag_at <= c.p_end and f.found_at <= c.p_end
    where ($round is null or f.round_code = $round)
    group by all
),
counts as (
    select period, unit_code, township_code,
           coalesce(sum(sample), 0) as sample,
           coalesce(sum(assigned), 0) as assigned,
           coalesce(sum(closed), 0) as closed,
           coalesce(sum(closed_on_time), 0) as closed_on_time,
           coalesce(sum(open_now), 0) as open_now,
           coalesce(sum(overdue), 0) as overdue,
           coalesce(sum(overdue_1_7), 0) as overdue_1_7,
           coalesce(sum(overdue_8_30), 0) as overdue_8_30,
           coalesce(sum(overdue_over_30), 0) as overdue_over_30,
           sum(days_to_close_sum) as days_to_close_sum,
           coalesce(sum(days_to_close_n), 0) as days_to_close_n,
           coalesce(sum(reopened), 0) as reopened,
           coalesce(sum(rejected), 0) as rejected,
           coalesce(sum(reviewed), 0) as reviewed,
           coalesce(sum(excluded), 0) as excluded
    from (select * from row_counts
          union all by name select * from event_counts
          union all by name select * from excluded_counts)
    group by all
    -- 各项全为 0 的组不留（只有与计数无关的问题，如早已销号的）：与只取“有事”的问题时结果相同
    having coalesce(sum(sample), 0) + coalesce(sum(reopened), 0) + coalesce(sum(reviewed), 0) + coalesce(sum(excluded), 0) > 0
),
-- [红黑榜计数·结束]
