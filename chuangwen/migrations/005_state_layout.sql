-- 005 千万条问题时的派生布局（派生数据：每次发布时由 chuangwen.derived.rebuild 按事件日志整表重建）
--
-- 状态时段表带上问题的属性（期限、镇街、牵头单位、点位、类别、来源、轮次、严重程度、经纬度）：查状态不再连接问题表
-- （1,000 万条时那两次按编号的连接占了红黑榜查询九成的时间）。存放分两块，让按时刻查找只读到有用的行组：
--   在办的时段（最后动作不是“已销号”，含第一个事件之前的“待交办”段）按（止点，发现时间）排序：看某一时刻，止点更早的行组整块跳过；
--   已销号的时段按 active_from = greatest(起点, 发现时间) 排序：统计区间里“有事”的已销号问题只是区间内销号（或发现）的那些，
--   起点更早的行组整块跳过。
-- 整改事件按时间排序的副本 rectify_event_by_time（带问题的镇街、牵头单位、轮次）：按区间数事件时只读那一段。
-- 记录顺序存疑的标记也带上这些属性与全部事件时刻。
drop table problem_state_interval;
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
    -- 问题的属性（抄自 problem）
    found_at       timestamp not null,
    deadline       timestamp,
    township_code  varchar,
    lead_unit_code varchar   not null,
    site_code      varchar,
    category       varchar   not null,
    source         varchar   not null,
    round_code     varchar,
    severity       varchar   not null,
    lon            double,
    lat            double,
    is_closed      boolean   not null,  -- last_action = '已销号'
    active_from    timestamp not null   -- greatest(valid_from, found_at)：这一段从何时起算“有事”
);

-- 记录顺序存疑的标记带上问题的发现时间、牵头单位、镇街与轮次（同样抄自 problem）
drop table event_order_flag;
create table event_order_flag (
    problem_code   varchar   not null,
    reason         varchar   not null,
    flag_at        timestamp not null,
    found_at       timestamp not null,
    lead_unit_code varchar   not null,
    township_code  varchar,
    round_code     varchar,
    event_times    timestamp[] not null   -- 这条问题全部整改事件的时刻（按时间、编号排序）
);

create table rectify_event_by_time (
    id             bigint    not null,
    problem_code   varchar   not null,
    event_at       timestamp not null,
    action         varchar   not null,
    township_code  varchar,
    lead_unit_code varchar   not null,
    round_code     varchar
);

-- 参照定义多带经纬度两列（原样抄自问题表，与状态口径无关）：问题热点要用，派生的宏也给出，两者逐字段可比
create or replace macro problem_state_as_of(as_of) as table
with ev as (
    select problem_code,
           arg_max(action, (event_at, id)) as last_action,
           arg_max(event_at, (event_at, id)) as last_event_at,
           max(event_at) filter (where action = '已销号') as last_closed_at,
           min(event_at) filter (where action = '交办') as assigned_at,
           count(*) filter (where action = '退回') as rejected_count,
           count(*) filter (where action = '反弹重开') as reopened_count
    from rectify_event
    where event_at <= as_of
    group by problem_code
)
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
       ev.assigned_at,
       ev.last_event_at,
       status_of(ev.last_action) as status,
       coalesce(ev.last_action = '已销号', false) as is_closed,
       case when ev.last_action = '已销号' then ev.last_closed_at end as closed_at,
       coalesce(ev.last_action, '') <> '已销号' and p.deadline is not null and p.deadline < as_of as is_overdue,
       coalesce(ev.last_action = '已销号', false) and p.deadline is not null and ev.last_closed_at > p.deadline as closed_late,
       coalesce(ev.rejected_count, 0) as rejected_count,
       coalesce(ev.reopened_count, 0) as reopened_count,
       p.lon,
       p.lat
from problem p
left join ev on ev.problem_code = p.code
where p.found_at <= as_of;

-- 一个状态时段 → 截至 as_of 的状态（下面各宏共用的列清单；末尾三列供筛选，各宏不输出）
create or replace macro interval_state(as_of) as table
select i.problem_code,
       i.found_at,
       i.deadline,
       i.township_code,
       i.lead_unit_code,
       i.site_code,
       i.category,
       i.source,
       i.round_code,
       i.severity,
       i.assigned_at,
       i.last_event_at,
       status_of(i.last_action) as status,
       i.is_closed,
       case when i.is_closed then i.last_closed_at end as closed_at,
       not i.is_closed and i.deadline is not null and i.deadline < as_of as is_overdue,
       i.is_closed and i.deadline is not null and i.last_closed_at > i.deadline as closed_late,
       i.rejected_count,
       i.reopened_count,
       i.lon,
       i.lat,
       i.valid_from,
       i.valid_to,
       i.active_from
from problem_state_interval i;

-- 截至 as_of 在办（未销号）的问题：在办块里止点在 as_of 之后的时段
create or replace macro problem_state_open(as_of) as table
select * exclude (valid_from, valid_to, active_from)
from interval_state(as_of)
where not is_closed and valid_to > as_of and valid_from <= as_of and found_at <= as_of;

-- 截至 as_of 的全部问题（含早已销号的）：与 problem_state_as_of 逐字段相同；已销号块要整块读，只给导出全部问题用
create or replace macro problem_state_at(as_of) as table
select * from problem_state_open(as_of)
union all
select * exclude (valid_from, valid_to, active_from)
from interval_state(as_of)
where is_closed and valid_from <= as_of and valid_to > as_of and found_at <= as_of;

-- 统计区间 (period_start, as_of] 里“有事”的问题：截至 as_of 在办的、区间内状态变过的（交办、销号、退回、反弹都在其内）、或区间内发现的。
-- 已销号的问题只在这一段起点或发现时间晚于区间起点时才算（active_from > period_start），在已销号块里按它跳过行组。
create or replace macro problem_state_active(period_start, as_of) as table
select * from problem_state_open(as_of)
union all
select * exclude (valid_from, valid_to, active_from)
from interval_state(as_of)
where is_closed and active_from > period_start and valid_from <= as_of and valid_to > as_of and found_at <= as_of;

-- 统计时刻 as_of 的状态，只取 found_after 之后发现的问题（问题热点：本期与上期的发现时间窗）。
-- 已销号的段 active_from >= 发现时间 > found_after：同样按它跳过行组。
create or replace macro problem_state_found_after(found_after, as_of) as table
select * exclude (valid_from, valid_to, active_from)
from interval_state(as_of)
where not is_closed and valid_to > as_of and valid_from <= as_of and found_at > found_after and found_at <= as_of
union all
select * exclude (valid_from, valid_to, active_from)
from interval_state(as_of)
where is_closed and active_from > found_after and valid_from <= as_of and valid_to > as_of
  and found_at > found_after and found_at <= as_of;
