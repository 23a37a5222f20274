-- name: loss_risk_coverage
-- 用途: 丢分预警：截至统计时刻查看范围内的在办问题有多少落在了实地考察测评标准上（计入预计丢分），多少对不上（没有点位类型与类别的对照、没有点位也没有镇街，或标准不考察这类点位）
-- params: $as_of TIMESTAMP, $scope_unit VARCHAR
-- reads: loss_risk_open  （每条在办问题落在哪条标准上、对上没有，见 loss_risk_open.sql）
-- 指标: 计入预计丢分的在办问题 | 口径: 截至统计时刻未销号、能落到本版实地考察测评标准上的问题（规则见本页说明），按查看范围 | 分母: 截至统计时刻的在办问题
with
open_problem as (
    select problem_code, any_value(site_code) as site_code, any_value(lead_unit_code) as lead_unit_code,
           bool_or(counted) as counted
    from loss_risk_open
    group by problem_code
)
select count(*) as open_problems,
       count(*) filter (where o.counted) as counted,
       count(*) filter (where not o.counted and o.site_code is not null) as uncounted_at_sites,
       count(*) filter (where not o.counted and o.site_code is null) as uncounted_on_streets
from open_problem o
where involves_unit($scope_unit, o.lead_unit_code, o.problem_code)
