-- 宏（不是独立查询）：截至某一时刻的问题状态——唯一的定义。迁移 005 用“-- load: macros/problem_state.sql”载入；
-- 改了这里要新增一个同样载入它的迁移，库才会换成新的定义。
--
-- status_of：最后一个整改动作 → 状态。
-- problem_state_as_of：按整改事件日志聚合（参照定义：慢，但一眼能核对口径；测试与基准逐字段核对派生写法与它相同）。
-- problem_state_open / _at / _active / _found_after：在发布时派生的状态时段表 problem_state_interval 上按区间查找
--   （chuangwen/derived.py 说明表的样子；重建它的 SQL 在 queries/derived/）。

-- 最后一个整改动作 → 状态（与 problem_state_as_of 同一对照；还没有动作为“待交办”）
create or replace macro status_of(last_action) as
    case coalesce(last_action, '')
        when '' then '待交办'
        when '交办' then '已交办'
        when '整改中' then '整改中'
        when '申请销号' then '申请销号'
        when '已销号' then '已销号'
        when '退回' then '退回整改'
        when '反弹重开' then '反弹重开'
    end;

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
