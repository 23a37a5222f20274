-- 发布时重建的派生表（不是独立查询）：反弹的两种来源 rebound_link——同点位同类别再次发现、反弹重开，各自之前最近的一次销号。
-- 天数在查询时才用（queries/_hotspot_filter.sql）。由 chuangwen/derived.py 的 rebuild() 执行。
delete from rebound_link;
insert into rebound_link
with closures as (
    select e.problem_code, p.site_code, p.category, e.event_at as closed_at
    from rectify_event e
    join problem p on p.code = e.problem_code
    where e.action = '已销号'
),
site_closures as (
    -- 同一点位同一类别同一时刻销号的几条问题只留编号最大的一条：“之前最近的一次销号”有并列时结果也是确定的
    select site_code, category, closed_at, max(problem_code) as problem_code
    from closures
    group by all
)
select '再次发现', q.code, c.problem_code, c.closed_at, q.found_at
from problem q
asof join site_closures c on c.site_code = q.site_code and c.category = q.category and q.found_at > c.closed_at
union all
select '反弹重开', r.problem_code, c.problem_code, c.closed_at, r.event_at
from rectify_event r
asof join closures c on c.problem_code = r.problem_code and r.event_at > c.closed_at
where r.action = '反弹重开'
order by 1, 5, 2;
