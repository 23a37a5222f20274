-- name: hotspot_bad_coords
-- 用途: 坐标缺失或越界的问题清单（不上图，单独列出，最多 $limit 条）
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR, $limit INTEGER
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）

with bad as (
    select p.problem_code, p.coord_status, p.found_at, r.name as township_name, st.name as site_name,
           p.category, p.lon, p.lat, p.status
    from hotspot_problems p
    left join region r on r.code = p.township_code
    left join site st on st.code = p.site_code
    where p.in_period and p.coord_status <> '有效'
    order by p.coord_status, p.found_at desc, p.problem_code
    limit $limit
)
-- 问题描述按编号另取（发现时间相同这一条件让 problem 表按发现时间跳过行组）
select b.*, d.description
from bad b
join problem d on d.code = b.problem_code and d.found_at = b.found_at
order by b.coord_status, b.found_at desc, b.problem_code
