-- name: hotspot_stock
-- 用途: 问题热点页最先看到的两个数：截至统计时刻的在办与逾期存量（不论何时发现），筛选与本页相同；与总览、整改督办同一口径
-- params: $as_of TIMESTAMP, $township VARCHAR, $unit VARCHAR, $round VARCHAR, $scope_unit VARCHAR, $site VARCHAR, $sources VARCHAR[], $categories VARCHAR[], $severities VARCHAR[], $site_types VARCHAR[]
-- 指标: 在办（存量） | 口径: 截至统计时刻最后一个整改事件不是“已销号”的问题，不论何时发现（与总览、整改督办同一口径），按侧栏与本页的筛选（状态筛选除外） | 分母: —
-- 指标: 逾期（存量） | 口径: 截至统计时刻未销号、且整改期限早于统计时刻的问题，不论何时发现；无期限的不计（与总览、整改督办同一口径），按侧栏与本页的筛选（状态筛选除外） | 分母: —
select count(*) as open_now,
       count(*) filter (where s.is_overdue) as overdue_now
from problem_state_open($as_of) s
left join problem_category pc on pc.name = s.category
-- include: _hotspot_conditions.sql  （侧栏与本页的筛选条件）
  and not s.is_closed  -- problem_state_open 本就只给在办的；写明它，口径读得出、参照路径（全部问题）也一样
