-- name: hotspot_summary
-- 用途: 问题热点页汇总：统计区间内符合筛选的问题数、可上图/坐标缺失/越界条数、在办、逾期、已销号、反弹，以及上一等长区间的问题数
-- params: $as_of TIMESTAMP, $period_start TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[], $statuses VARCHAR[], $rebound_days INTEGER, $county_ring VARCHAR
-- 指标: 区间内发现 | 口径: 发现时间在统计区间内（不含起点、含截至时刻）且符合筛选条件：统计区间（发现时间）、侧栏的轮次/镇街/牵头单位、本页的来源/类别/点位类型/严重程度/状态的问题 | 分母: —
-- 指标: 可上图 | 口径: 符合条件、坐标齐全且落在县界多边形内（射线法）的问题；热力图与点位只画这些 | 分母: —
-- 指标: 坐标缺失/越界 | 口径: 符合条件但没有经纬度（坐标缺失）或经纬度落在县界外（越界）的问题；单独列出，不上图 | 分母: —
-- 指标: 区间内发现且在办 | 口径: 区间内发现（符合条件）的问题中，截至统计时刻最后一个整改事件不是“已销号”的；与总览、整改督办的“在办问题（存量）”不同，那里不论何时发现 | 分母: —
-- 指标: 区间内发现且逾期 | 口径: 区间内发现（符合条件）的问题中，截至统计时刻未销号且整改期限早于统计时刻的；无期限的不计；与“逾期（存量）”不同，那里不论何时发现 | 分母: —
-- 指标: 区间内发现且反弹 | 口径: 区间内发现（符合条件）的问题中：同一点位、同一类别的问题在上一次“已销号”后 N 天内（不含销号时刻）再次发现，或本条销号后 N 天内被“反弹重开”；N 为设置的“反弹认定天数”（默认 30）；没有点位的问题不会是反弹 | 分母: —
-- 指标: 上期问题数 | 口径: 统计区间之前、等长区间内发现且符合同样筛选的问题 | 分母: —
-- reads: hotspot_problems  （筛选与反弹的结果表，见 hotspot_problems.sql；一次页面运行里只算一次）

select count(*) filter (where in_period) as problems,
       count(*) filter (where in_period and coord_status = '有效') as located,
       count(*) filter (where in_period and coord_status = '坐标缺失') as coords_missing,
       count(*) filter (where in_period and coord_status = '越界') as coords_outside,
       count(*) filter (where in_period and not is_closed) as open_now,
       count(*) filter (where in_period and is_overdue) as overdue_now,
       count(*) filter (where in_period and is_closed) as closed_now,
       count(*) filter (where in_period and is_rebound) as rebounds,
       count(*) filter (where not in_period) as problems_prev
from hotspot_problems
