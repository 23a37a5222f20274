-- 发布时重建的派生表（不是独立查询）：状态时段表 problem_state_interval 与按时间排序的整改事件副本 rectify_event_by_time。
-- 由 chuangwen/derived.py 的 rebuild() 在每次发布时整表执行（表的样子与为什么这样存放见那里的说明）。
delete from problem_state_interval;
insert into problem_state_interval
with running as (
    select problem_code, event_at, action,
           row_number() over (partition by problem_code, event_at order by id desc) = 1 as last_at_moment,
           max(event_at) filter (where action = '已销号') over upto as last_closed_at,
           min(event_at) filter (where action = '交办') over upto as assigned_at,
           count(*) filter (where action = '退回') over upto as rejected_count,
           count(*) filter (where action = '反弹重开') over upto as reopened_count
    from rectify_event
    window upto as (partition by problem_code order by event_at, id rows between unbounded preceding and current row)
),
after_events as (
    select problem_code,
           event_at as valid_from,
           coalesce(lead(event_at) over (partition by problem_code order by event_at), 'infinity'::timestamp) as valid_to,
           action as last_action,
           event_at as last_event_at,
           last_closed_at,
           assigned_at,
           rejected_count,
           reopened_count
    from running
    where last_at_moment
),
before_events as (
    -- 第一个事件之前（没有事件的问题：一直）也是一段：没有动作（待交办）
    select p.code as problem_code, '-infinity'::timestamp as valid_from,
           coalesce(min(e.event_at), 'infinity'::timestamp) as valid_to,
           null as last_action, null as last_event_at, null as last_closed_at, null as assigned_at,
           0 as rejected_count, 0 as reopened_count
    from problem p
    left join rectify_event e on e.problem_code = p.code
    group by p.code
),
segments as (
    select t.*, p.found_at, p.deadline, p.township_code, p.lead_unit_code, p.site_code, p.category, p.source,
           p.round_code, p.severity, p.lon, p.lat,
           coalesce(t.last_action = '已销号', false) as is_closed,
           greatest(t.valid_from, p.found_at) as active_from
    from (select * from after_events union all select * from before_events) t
    join problem p on p.code = t.problem_code
)
select * from segments
-- 在办块按（止点，发现时间），已销号块按（active_from，发现时间）：见迁移 005 的说明
order by is_closed, case when is_closed then active_from else valid_to end, found_at, problem_code;

delete from rectify_event_by_time;
insert into rectify_event_by_time
select e.id, e.problem_code, e.event_at, e.action, p.township_code, p.lead_unit_code, p.round_code
from rectify_event e
join problem p on p.code = e.problem_code
order by e.event_at, e.id;
