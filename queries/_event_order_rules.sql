-- 片段（不是独立查询）：整改记录顺序规则（销号早于交办、无反弹重开的二次销号、早于发现的事件）
-- [整改记录顺序规则·开始] 唯一定义：发布时 chuangwen.derived.rebuild 按它重建表 event_order_flag，各查询经 _event_order_flags.sql 读那张表
-- 每条问题的违规在 flag_at 时刻变得可见：统计时刻 >= flag_at 即视为存疑，因此过去时点可以原样回放。
-- 事件次序 = (event_at, id)；合成一个整数键比较（比按结构体比较快），微秒 × 2^32 + id 不会溢出 hugeint
event_positions as (
    select a.*, case when a.first_event_at < p.found_at then a.first_event_at end as first_before_found
    from (
        select problem_code,
               min(epoch_us(event_at)::hugeint * 4294967296 + id) filter (where action = '交办') as first_assign,
               min(epoch_us(event_at)::hugeint * 4294967296 + id) filter (where action = '已销号') as first_close,
               min(event_at) filter (where action = '已销号') as first_close_at,
               count(*) filter (where action = '已销号') as closures,
               min(event_at) as first_event_at
        from rectify_event
        group by problem_code
    ) a
    join problem p on p.code = a.problem_code
),
-- 只有销号两次以上的问题才可能“重复销号”，窗口只在这些问题上算
closure_chain as (
    select problem_code, event_at, action,
           lag(action) over (partition by problem_code order by event_at, id) as previous_action
    from rectify_event
    where action in ('已销号', '反弹重开')
      and problem_code in (select problem_code from event_positions where closures >= 2)
),
flag_rows as (
    select problem_code, '销号早于交办' as reason, first_close_at as flag_at
    from event_positions
    where first_close is not null and (first_assign is null or first_close < first_assign)
    union all
    select problem_code, '重复销号（两次销号之间没有反弹重开）', min(event_at)
    from closure_chain
    where action = '已销号' and previous_action = '已销号'
    group by problem_code
    union all
    select problem_code, '整改事件早于发现时间', first_before_found
    from event_positions
    where first_before_found is not null
),
flag_events as (
    -- 存疑问题的全部整改事件时刻（这样的问题很少）：清单里“截至统计时刻的事件数”不必再扫整个事件日志
    select problem_code, list(event_at order by event_at, id) as event_times
    from rectify_event
    where problem_code in (select problem_code from flag_rows)
    group by problem_code
),
event_order_flags as (
    -- 带上问题的发现时间、牵头单位、镇街与轮次：红黑榜按单位、镇街数“排除”的问题时不必再读问题表
    select f.problem_code, f.reason, f.flag_at, p.found_at, p.lead_unit_code, p.township_code, p.round_code, e.event_times
    from flag_rows f
    join problem p on p.code = f.problem_code
    join flag_events e on e.problem_code = f.problem_code
),
-- [整改记录顺序规则·结束]
