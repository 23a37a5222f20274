-- name: hotspot_site_history
-- 用途: 点位历史：该点位（$site）的每一条问题，发现与销号时间、当前状态、是否为反弹（反弹自哪一条）、销号后是否再次出现；责任单位账号（$scope_unit）只看到涉及本单位的问题，反弹自别的单位的问题时不给那一条的编号与销号时间
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR
-- 指标: 反弹自 | 口径: 本条之前同一点位、同一类别最近销号的那一条问题（或本条自己销号后被反弹重开）；责任单位账号看不到的（别的单位牵头、本单位也不配合）只写“其他单位的问题”，不显示其编号与销号时间 | 分母: —
-- 指标: 销号后再现 | 口径: 该条销号后，同一点位同一类别在 N 天内再次发现的问题编号（或本条被反弹重开）；N 为设置的“反弹认定天数”（默认 30） | 分母: —
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）
with came_back_as as (
    select rebound_after as problem_code, string_agg(problem_code, '、' order by found_at, problem_code) as later
    from hotspot_problems
    where rebound_after is not null and rebound_after <> problem_code
    group by rebound_after
),
rebound_source as (
    -- 反弹自的那一条是否在查看范围之外：与筛选同一规则（宏 involves_unit，牵头或配合）；在外时编号与销号时间不出库
    select p.problem_code, not involves_unit($scope_unit, a.lead_unit_code, a.code) as other_unit
    from hotspot_problems p
    join problem a on a.code = p.rebound_after
)
select p.problem_code,
       p.found_at,
       p.category,
       p.source,
       p.severity,
       p.status,
       p.deadline,
       p.closed_at,
       p.is_overdue,
       p.is_rebound,
       case when not r.other_unit then p.rebound_after end as rebound_after,
       case when not r.other_unit then p.rebound_after_closed_at end as rebound_after_closed_at,
       coalesce(r.other_unit, false) as rebound_after_other_unit,
       p.reopened_count,
       c.later as came_back_as,
       d.description
from hotspot_problems p
join problem d on d.code = p.problem_code and d.found_at = p.found_at
left join came_back_as c on c.problem_code = p.problem_code
left join rebound_source r on r.problem_code = p.problem_code
where p.in_period
order by p.found_at, p.problem_code
