-- 片段（不是独立查询）：问题热点页的筛选条件、反弹口径与坐标越界判断，结果为 CTE problems
-- <筛选与反弹：问题热点页各查询共用的唯一定义，经 `-- include: _hotspot_filter.sql` 引入>
with
state as (
    -- 状态时段表带着问题的属性与经纬度：不必再连接问题表
    select s.*, pc.parent as category_parent,
           s.found_at > $period_start as in_period
    from problem_state_found_after($period_start - ($as_of - $period_start), $as_of) s
    left join problem_category pc on pc.name = s.category
-- include: _hotspot_conditions.sql  （侧栏与本页的筛选条件：与存量的数同一写法）
),
-- [反弹·派生] 反弹的两种来源发布时已算好（表 rebound_link，规则见 chuangwen.derived）；这里只按天数与统计时刻取
came_back as (
    -- 反弹（一）：同一点位、同一类别，在上一次销号后 N 天内再次发现
    select q.problem_code, b.after_problem, b.after_closed_at
    from state q
    join rebound_link b on b.kind = '再次发现' and b.problem_code = q.problem_code
    -- 再次发现的发生时间就是本条的发现时间：与 state 的发现时间窗相同，写出来让存储按发生时间跳过行组
    where b.happened_at > $period_start - ($as_of - $period_start)
      and q.found_at <= b.after_closed_at + to_days($rebound_days)
),
reopened as (
    -- 反弹（二）：本条销号后 N 天内被“反弹重开”
    select problem_code, any_value(after_problem) as after_problem, max(after_closed_at) as after_closed_at
    from rebound_link
    where kind = '反弹重开' and happened_at <= $as_of and happened_at <= after_closed_at + to_days($rebound_days)
    group by problem_code
),
-- [反弹·派生·结束]
flagged as (
    select s.*,
           coalesce(b.problem_code, o.problem_code) is not null as is_rebound,
           coalesce(b.after_problem, o.after_problem) as rebound_after,
           coalesce(b.after_closed_at, o.after_closed_at) as rebound_after_closed_at
    from state s
    left join came_back b on b.problem_code = s.problem_code
    left join reopened o on o.problem_code = s.problem_code
),
matching as (
    select *
    from flagged
    where $statuses is null
       or (list_contains($statuses, '在办') and not is_closed)
       or (list_contains($statuses, '逾期') and is_overdue)
       or (list_contains($statuses, '已销号') and is_closed)
       or (list_contains($statuses, '反弹') and is_rebound)
),
rings as (
    -- 县界：'经度 纬度,经度 纬度,…;下一个环'（由 chuangwen.hotspots.county_ring 从边界表生成）
    select row_number() over () as ring_no, ring
    from (select unnest(string_split(coalesce($county_ring, ''), ';')) as ring)
    where ring <> ''
),
vertices as (
    select ring_no,
           unnest(range(1, len(string_split(ring, ',')) + 1)) as i,
           unnest(string_split(ring, ',')) as pt
    from rings
),
edges as (
    select a.x as x1, a.y as y1, b.x as x2, b.y as y2, least(a.y, b.y) as ymin, greatest(a.y, b.y) as ymax
    from (select ring_no, i, split_part(trim(pt), ' ', 1)::double as x, split_part(trim(pt), ' ', 2)::double as y from vertices) a
    join (select ring_no, i, split_part(trim(pt), ' ', 1)::double as x, split_part(trim(pt), ' ', 2)::double as y from vertices) b
      on b.ring_no = a.ring_no and b.i = a.i + 1
    where a.y <> b.y
),
bands as (
    -- 把县界按纬度切成 64 条带，每条边登记到它跨过的带里：点只和自己那条带里的几条边比（等值连接），
    -- 而不是和每一条边比（100 万条问题 × 160 条边的嵌套循环要近 2 秒）；结果与逐边比较完全相同
    select greatest((max(ymax) - min(ymin)) / 64, 1e-9) as h from edges
),
banded as (
    select e.*, unnest(range(floor(e.ymin / b.h)::bigint, floor(e.ymax / b.h)::bigint + 1)) as band
    from edges e, bands b
),
crossings as (
    -- 射线法：向东的射线穿过县界的次数为奇数即在县内
    select m.problem_code, count(*) as n
    from (select q.problem_code, q.lon, q.lat, floor(q.lat / b.h)::bigint as band from matching q, bands b) m
    join banded e on e.band = m.band
    where m.lat >= e.ymin and m.lat < e.ymax
      and m.lon < e.x1 + (m.lat - e.y1) * (e.x2 - e.x1) / (e.y2 - e.y1)
    group by m.problem_code
),
problems as (
    select m.*,
           case
               when m.lon is null or m.lat is null then '坐标缺失'
               when $county_ring is null then '有效'
               when coalesce(x.n, 0) % 2 = 1 then '有效'
               else '越界'
           end as coord_status
    from matching m
    left join crossings x on x.problem_code = m.problem_code
)
-- </筛选与反弹>
