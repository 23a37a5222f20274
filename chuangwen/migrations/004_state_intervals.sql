-- 004 问题状态的区间表、记录顺序标记表、反弹来源表与按区间查找的宏（派生数据：每次发布时由 chuangwen.derived.rebuild 按事件日志整表重建）
-- 一行 = 一条问题在 [valid_from, valid_to) 内的状态；第一段从 -infinity 起（还没有事件），最后一段 valid_to = infinity：
-- 任何时刻每条问题恰好落在一段里。
create table problem_state_interval (
    problem_code   varchar   not null,
    valid_from     timestamp not null,
    valid_to       timestamp not null,
    last_action    varchar,            -- 第一个事件之前的一段为空（待交办）
    last_event_at  timestamp,
    last_closed_at timestamp,
    assigned_at    timestamp,
    rejected_count bigint    not null,
    reopened_count bigint    not null,
    found_at       timestamp not null   -- 问题的发现时间（抄自 problem）：按（止点，发现时间）排序，按发现时间取一段时也能跳过行组
);

-- 整改记录顺序存疑的标记（规则见 queries/_event_order_rules.sql；flag_at 起可见，按时刻回放时 flag_at <= 统计时刻即存疑）
create table event_order_flag (
    problem_code varchar   not null,
    reason       varchar   not null,
    flag_at      timestamp not null
);

-- 反弹的两种来源（问题热点页口径；天数 CHUANGWEN_REBOUND_DAYS 在查询时才用）：
--   再次发现：本条问题发现之前、同一点位同一类别最近的一次销号（after_problem 是那条问题，happened_at = 本条发现时间）；
--   反弹重开：每个“反弹重开”事件之前本条最近的一次销号（happened_at = 重开时间）。
create table rebound_link (
    kind            varchar   not null,   -- 再次发现 / 反弹重开
    problem_code    varchar   not null,
    after_problem   varchar   not null,
    after_closed_at timestamp not null,
    happened_at     timestamp not null   -- 再次发现：本条的发现时间；反弹重开：重开时间
);

-- 最后一个整改动作 → 状态（与 problem_state_as_of 同一对照；还没有动作为“待交办”）
create macro status_of(last_action) as
    case coalesce(last_action, '')
        when '' then '待交办'
        when '交办' then '已交办'
        when '整改中' then '整改中'
        when '申请销号' then '申请销号'
        when '已销号' then '已销号'
        when '退回' then '退回整改'
        when '反弹重开' then '反弹重开'
    end;

-- 截至 as_of 的问题状态：与 problem_state_as_of（按事件日志聚合，作参照）逐字段相同，但只是区间查找
create macro problem_state_at(as_of) as table
select p.code as problem_code,
       p.found_at,
       p.deadline,
       p.township_code,
       p.lead_unit_code,
       p.site_code,
       p.category,
       p.source,
       p.round_code,
       p.severity,
       i.assigned_at,
       i.last_event_at,
       status_of(i.last_action) as status,
       coalesce(i.last_action = '已销号', false) as is_closed,
       case when i.last_action = '已销号' then i.last_closed_at end as closed_at,
       coalesce(i.last_action, '') <> '已销号' and p.deadline is not null and p.deadline < as_of as is_overdue,
       coalesce(i.last_action = '已销号', false) and p.deadline is not null and i.last_closed_at > p.deadline as closed_late,
       coalesce(i.rejected_count, 0) as rejected_count,
       coalesce(i.reopened_count, 0) as reopened_count
from problem p
left join problem_state_interval i on i.problem_code = p.code and i.valid_from <= as_of and i.valid_to > as_of
where p.found_at <= as_of;

-- 一个统计区间 (period_start, as_of] 里“有事”的问题：截至 as_of 在办的、区间内状态变过的（交办、销号、退回、反弹都在其内）、或区间内发现的。
-- 列与 problem_state_at 相同；区间之前发现、截至 as_of 已销号、且区间内没有任何事件的问题不在内（红黑榜、总览的各项计数都与它们无关）。
create macro problem_state_active(period_start, as_of) as table
select p.code as problem_code,
       p.found_at,
       p.deadline,
       p.township_code,
       p.lead_unit_code,
       p.site_code,
       p.category,
       p.source,
       p.round_code,
       p.severity,
       i.assigned_at,
       i.last_event_at,
       status_of(i.last_action) as status,
       coalesce(i.last_action = '已销号', false) as is_closed,
       case when i.last_action = '已销号' then i.last_closed_at end as closed_at,
       coalesce(i.last_action, '') <> '已销号' and p.deadline is not null and p.deadline < as_of as is_overdue,
       coalesce(i.last_action = '已销号', false) and p.deadline is not null and i.last_closed_at > p.deadline as closed_late,
       coalesce(i.rejected_count, 0) as rejected_count,
       coalesce(i.reopened_count, 0) as reopened_count
from problem_state_interval i
join problem p on p.code = i.problem_code
where i.valid_from <= as_of and i.valid_to > as_of
  and (coalesce(i.last_action, '') <> '已销号' or i.valid_from > period_start or p.found_at > period_start)
  and p.found_at <= as_of;

-- 统计时刻 as_of 的状态，只取 found_after 之后发现的问题（问题热点：本期与上期的发现时间窗）。
-- 与 problem_state_at 加上 found_at > found_after 相同；这里先在状态时段表上按发现时间筛，行组可以整块跳过。
create macro problem_state_found_after(found_after, as_of) as table
select p.code as problem_code,
       p.found_at,
       p.deadline,
       p.township_code,
       p.lead_unit_code,
       p.site_code,
       p.category,
       p.source,
       p.round_code,
       p.severity,
       i.assigned_at,
       i.last_event_at,
       status_of(i.last_action) as status,
       coalesce(i.last_action = '已销号', false) as is_closed,
       case when i.last_action = '已销号' then i.last_closed_at end as closed_at,
       coalesce(i.last_action, '') <> '已销号' and p.deadline is not null and p.deadline < as_of as is_overdue,
       coalesce(i.last_action = '已销号', false) and p.deadline is not null and i.last_closed_at > p.deadline as closed_late,
       coalesce(i.rejected_count, 0) as rejected_count,
       coalesce(i.reopened_count, 0) as reopened_count
from problem_state_interval i
join problem p on p.code = i.problem_code
where i.found_at > found_after and i.found_at <= as_of
  and i.valid_from <= as_of and i.valid_to > as_of;
