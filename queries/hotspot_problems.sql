-- name: hotspot_problems
-- 用途: 问题热点页各查询共同的输入：统计区间与上一等长区间内发现、符合全部筛选的问题，每条一行，带状态、是否反弹、坐标判定（有效/坐标缺失/越界）。其余热点查询（-- reads: hotspot_problems）都从这张结果表汇总，一次页面运行里筛选只算一次
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR
-- 指标: 坐标判定 | 口径: 没有经纬度为“坐标缺失”；有县界时按射线法落在县界多边形内为“有效”、否则“越界”；没有县界时一律“有效” | 分母: —
-- include: _hotspot_filter.sql  （筛选与反弹口径，只写在这一处）

-- 只带各汇总要用的列（每多一列，十万行的中间结果就慢一截）；问题描述等长文字由列清单的查询按编号另取
select problem_code, found_at, in_period, category, source, severity, status, deadline, closed_at,
       is_closed, is_overdue, is_rebound, rebound_after, rebound_after_closed_at, reopened_count,
       township_code, site_code, lead_unit_code, lon, lat, coord_status
from problems
