-- name: hotspot_grid
-- 用途: 热力与聚合：把可上图的问题按经纬度网格在库内汇总，浏览器只收到格子。格子大小随地图缩放级别（打开时 chuangwen.hotspots.grid_for_view，放大后 grid_for_map_view 按看到的范围重算）；$west/$south/$east/$north 给出时只汇总这一范围（NULL = 不限）
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR, $origin_lon DOUBLE, $origin_lat DOUBLE, $cell_lon DOUBLE, $cell_lat DOUBLE, $west DOUBLE, $south DOUBLE, $east DOUBLE, $north DOUBLE
-- 指标: 格内问题数 | 口径: 可上图（坐标齐全且在县界内）的符合条件问题，按（经度 − 起点）÷ 格宽、（纬度 − 起点）÷ 格高向下取整分格计数；格子位置取格内问题的平均经纬度 | 分母: —
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）

select floor((lon - $origin_lon) / $cell_lon)::bigint as gx,
       floor((lat - $origin_lat) / $cell_lat)::bigint as gy,
       count(*) as problems,
       count(*) filter (where not is_closed) as open_now,
       count(*) filter (where is_overdue) as overdue_now,
       avg(lon) as lon,
       avg(lat) as lat
from hotspot_problems
where in_period and coord_status = '有效'
  and ($west is null or (lon >= $west and lon < $east and lat >= $south and lat < $north))
group by all
order by gx, gy
