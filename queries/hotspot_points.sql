-- name: hotspot_points
-- 用途: 点位标记：问题不多时逐条上图（最多 $limit 条，最新的在前），弹窗显示编号、类别、点位、牵头单位、状态、已办天数
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR, $limit INTEGER
-- 指标: 已办天数 | 口径: 已销号的为发现到最后一次销号的天数，未销号的为发现到统计时刻的天数（整天，向下取整） | 分母: —
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）

select p.problem_code,
       p.lon,
       p.lat,
       p.found_at,
       p.category,
       p.site_code,
       st.name as site_name,
       u.name as unit_name,
       p.status,
       p.is_overdue,
       p.is_rebound,
       floor(epoch(coalesce(p.closed_at, $as_of) - p.found_at) / 86400)::integer as days_open
from hotspot_problems p
left join site st on st.code = p.site_code
left join unit u on u.code = p.lead_unit_code
where p.in_period and p.coord_status = '有效'
order by p.found_at desc, p.problem_code
limit $limit
