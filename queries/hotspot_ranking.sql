-- name: hotspot_ranking
-- 用途: 热点表：点位与镇街分别按问题数、逾期在办数、反弹数排名（各取前 $top 名，并列一起列出），带上期对比
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR, $categories VARCHAR, $severities VARCHAR, $site_types VARCHAR, $statuses VARCHAR, $rebound_days INTEGER, $county_ring VARCHAR, $top INTEGER
-- 指标: 热点问题数 | 口径: 统计区间内该点位（或所属镇街）符合条件的问题数 | 分母: —
-- 指标: 逾期在办 | 口径: 其中截至统计时刻未销号且已过整改期限的问题数 | 分母: —
-- 指标: 反弹数 | 口径: 其中记为反弹的问题数（同一点位、同一类别的问题在上一次“已销号”后 N 天内（不含销号时刻）再次发现，或本条销号后 N 天内被“反弹重开”；N 为设置 CHUANGWEN_REBOUND_DAYS；没有点位的问题不会是反弹） | 分母: —
-- 指标: 较上期 | 口径: 本期问题数 − 上一等长区间（紧接统计区间之前）符合同样筛选的问题数 | 分母: —
-- 指标: 热点名次 | 口径: 同一分组（点位或镇街）内按该项从多到少的竞争排名，并列同名次；该项为 0 的不排 | 分母: —
-- <筛选与反弹：问题热点页各查询逐字相同（tests/unit/test_hotspot_queries.py 核对）>
with closures as (
    -- 每一次“已销号”（截至统计时刻），带上点位与类别，供判断反弹
    select e.problem_code, p.site_code, p.category, e.event_at as closed_at
    from rectify_event e
    join problem p on p.code = e.problem_code
    where e.action = '已销号' and e.event_at <= $as_of
),
state as (
    select s.*, p.lon, p.lat, p.description, pc.parent as category_parent,
           s.found_at > $period_start as in_period
    from problem_state_as_of($as_of) s
    join problem p on p.code = s.problem_code
    left join problem_category pc on pc.name = s.category
    where s.found_at > $period_start - ($as_of - $period_start)
      and ($scope_unit is null
           or s.lead_unit_code = $scope_unit
           or exists (select 1 from problem_coop_unit c where c.problem_code = s.problem_code and c.unit_code = $scope_unit))
      and ($township is null or s.township_code = $township)
      and ($unit is null or s.lead_unit_code = $unit)
      and ($round is null or s.round_code = $round)
      and ($site is null or s.site_code = $site)
      and ($sources is null or list_contains(string_split($sources, ','), s.source))
      and ($categories is null or list_contains(string_split($categories, ','), s.category)
           or list_contains(string_split($categories, ','), pc.parent))
      and ($severities is null or list_contains(string_split($severities, ','), s.severity))
      and ($site_types is null or exists (select 1 from site t where t.code = s.site_code
                                          and list_contains(string_split($site_types, ','), t.site_type)))
),
came_back as (
    -- 反弹（一）：同一点位、同一类别，在上一次销号后 N 天内再次发现
    select q.problem_code, c.problem_code as after_problem, c.closed_at as after_closed_at
    from state q
    asof join closures c on c.site_code = q.site_code and c.category = q.category and q.found_at > c.closed_at
    where q.found_at <= c.closed_at + to_days($rebound_days)
),
reopened as (
    -- 反弹（二）：本条销号后 N 天内被“反弹重开”
    select r.problem_code, any_value(c.problem_code) as after_problem, max(c.closed_at) as after_closed_at
    from rectify_event r
    asof join closures c on c.problem_code = r.problem_code and r.event_at > c.closed_at
    where r.action = '反弹重开' and r.event_at <= $as_of and r.event_at <= c.closed_at + to_days($rebound_days)
    group by r.problem_code
),
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
       or (list_contains(string_split($statuses, ','), '在办') and not is_closed)
       or (list_contains(string_split($statuses, ','), '逾期') and is_overdue)
       or (list_contains(string_split($statuses, ','), '已销号') and is_closed)
       or (list_contains(string_split($statuses, ','), '反弹') and is_rebound)
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
crossings as (
    -- 射线法：向东的射线穿过县界的次数为奇数即在县内
    select m.problem_code, count(*) as n
    from matching m
    join edges e on m.lat >= e.ymin and m.lat < e.ymax
    where m.lon < e.x1 + (m.lat - e.y1) * (e.x2 - e.x1) / (e.y2 - e.y1)
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
,
grouped as (
    select '点位' as grouping_kind, site_code as code,
           count(*) filter (where in_period) as problems,
           count(*) filter (where in_period and is_overdue) as overdue_now,
           count(*) filter (where in_period and is_rebound) as rebounds,
           count(*) filter (where not in_period) as problems_prev
    from problems
    where site_code is not null
    group by site_code
    union all
    select '镇街', township_code,
           count(*) filter (where in_period),
           count(*) filter (where in_period and is_overdue),
           count(*) filter (where in_period and is_rebound),
           count(*) filter (where not in_period)
    from problems
    where township_code is not null
    group by township_code
),
ranked as (
    select g.*,
           g.problems - g.problems_prev as change,
           case when g.problems > 0 then rank() over (partition by g.grouping_kind order by g.problems desc) end as rank_problems,
           case when g.overdue_now > 0 then rank() over (partition by g.grouping_kind order by g.overdue_now desc) end as rank_overdue,
           case when g.rebounds > 0 then rank() over (partition by g.grouping_kind order by g.rebounds desc) end as rank_rebounds
    from grouped g
)
select r.grouping_kind,
       r.code,
       coalesce(st.name, tw.name) as name,
       st.site_type,
       coalesce(stw.name, case when r.grouping_kind = '镇街' then tw.name end) as township_name,
       r.problems,
       r.overdue_now,
       r.rebounds,
       r.problems_prev,
       r.change,
       r.rank_problems,
       r.rank_overdue,
       r.rank_rebounds
from ranked r
left join site st on r.grouping_kind = '点位' and st.code = r.code
left join region stw on stw.code = st.township_code
left join region tw on r.grouping_kind = '镇街' and tw.code = r.code
where r.rank_problems <= $top or r.rank_overdue <= $top or r.rank_rebounds <= $top
order by r.grouping_kind = '镇街', r.rank_problems nulls last, r.code
