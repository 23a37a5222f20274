-- name: quality_event_order
-- 用途: 数据质量：整改记录顺序不可能的问题（销号早于交办、未经反弹重开的第二次销号、整改事件早于发现时间），按统计时刻回放；这些问题从红黑榜比率中排除，不做任何自动修正
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- 指标: 记录顺序存疑 | 口径: 截至统计时刻已发现、且截至该时刻的整改事件（按事件时间、编号排序）出现以下任一情况的问题：已销号之前没有交办；一次已销号之后未经反弹重开又出现已销号；事件时间早于问题发现时间 | 分母: —
with
-- [整改记录顺序规则·开始] 本段在 queries/quality_event_order.sql、league_units.sql、league_townships.sql、supervision_ledger.sql 中逐字相同（测试核对）
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
event_order_flags as (
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
-- [整改记录顺序规则·结束]
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
